import { textTokens } from '../anthropic/tokens';
import type { SourceDocument } from '../extractor';
import type { DocumentFormat, MediaType } from './format';
import { documentTextBlock } from './text-block';

/** A textual format is known by its extension or its first bytes, once the bytes are known not to be binary. */
export interface TextualFormatSpec {
  mediaType: MediaType;
  label: string;
  /** Default `text`; a container format (DOCX) is known by its magic. */
  detection?: 'magic' | 'text';
  extensions: string[];
  /** True when text content (not binary) is this format, given its extension. */
  matches(bytes: Buffer, extension: string): boolean;
  text(document: SourceDocument): Promise<string>;
}

/**
 * A format whose content is text: read offline as text, sent to Claude as that text in one text
 * block (the API has no block type for HTML, Word or XML), routed by its length.
 */
export function textualFormat(spec: TextualFormatSpec): DocumentFormat {
  return {
    ...spec,
    detection: spec.detection ?? 'text',
    text: async (document) => ({ text: await spec.text(document) }),
    content: async (document) => [{ type: 'text', text: documentTextBlock(await spec.text(document)) }],
    profile: async (document) => {
      const textChars = (await spec.text(document)).length;
      return { mediaType: spec.mediaType, bytes: document.bytes.length, pages: 1, textChars, scannedPages: 0, tokens: textTokens(textChars) };
    },
  };
}
