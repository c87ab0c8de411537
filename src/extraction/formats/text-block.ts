/**
 * How document text is joined and framed, in one place: pages are separated by a form feed on a
 * line of its own, and text sent to Claude sits between <document> tags (which the emulator reads
 * back).
 */
export const pageSeparator = '\n\f\n';

export function joinPages(pages: readonly string[]): string {
  return pages.join(pageSeparator);
}

/**
 * A document's offline text. `sureText` is the same text without the words OCR read with low
 * confidence (ocr-layout.ts); absent when every word is sure (a text layer, a text file).
 */
export interface DocumentText {
  text: string;
  sureText?: string;
}

/** Pages' texts as one document's, page by page. */
export function joinPageTexts(pages: readonly DocumentText[]): DocumentText {
  const text = joinPages(pages.map((page) => page.text));
  if (pages.every((page) => page.sureText === undefined)) return { text };
  return { text, sureText: joinPages(pages.map((page) => page.sureText ?? page.text)) };
}

export function documentTextBlock(text: string): string {
  return `<document>\n${text}\n</document>`;
}

/** The text inside a block written by documentTextBlock, or undefined when it holds none. */
export function textInDocumentBlock(block: string): string | undefined {
  const match = /<document>\n?([\s\S]*?)\n?<\/document>/.exec(block);
  return match?.[1];
}
