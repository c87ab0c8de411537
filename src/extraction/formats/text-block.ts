/**
 * How document text is joined and framed, in one place: pages are separated by a form feed on a
 * line of its own, and text sent to Claude sits between <document> tags (which the emulator reads
 * back).
 */
export const pageSeparator = '\n\f\n';

export function joinPages(pages: readonly string[]): string {
  return pages.join(pageSeparator);
}

export function documentTextBlock(text: string): string {
  return `<document>\n${text}\n</document>`;
}

/** The text inside a block written by documentTextBlock, or undefined when it holds none. */
export function textInDocumentBlock(block: string): string | undefined {
  const match = /<document>\n?([\s\S]*?)\n?<\/document>/.exec(block);
  return match?.[1];
}
