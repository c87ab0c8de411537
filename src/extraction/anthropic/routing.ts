import type { DocumentProfile } from '../formats';

export type { DocumentProfile } from '../formats';

export interface ModelChoice {
  simple: string;
  complex: string;
}

export interface RoutingThresholds {
  /** Longest document, in pages, that still counts as simple. */
  maxSimplePages: number;
  /** Largest document, in bytes, that still counts as simple. */
  maxSimpleBytes: number;
  /** Most text, in characters, that still counts as simple. */
  maxSimpleTextChars: number;
}

export const defaultRoutingThresholds: RoutingThresholds = {
  maxSimplePages: 3,
  maxSimpleBytes: 2 * 1024 * 1024,
  maxSimpleTextChars: 20_000,
};

export interface ModelRoute {
  tier: 'simple' | 'complex';
  model: string;
  reason: string;
}

/**
 * Which model reads a document. Simple documents — plain text, or PDFs whose every page has a
 * text layer, short and small — go to the cheaper model: reading them is transcription. Images,
 * scans and long or large documents go to the stronger one, where the cheaper model's misreads
 * would cost more in repair turns and wrong fields than the price difference.
 */
export function routeModel(profile: DocumentProfile, models: ModelChoice, thresholds: RoutingThresholds = defaultRoutingThresholds): ModelRoute {
  const complex = (reason: string): ModelRoute => ({ tier: 'complex', model: models.complex, reason });
  if (profile.mediaType.startsWith('image/')) return complex('an image: needs vision');
  if (profile.scannedPages > 0) return complex(`${profile.scannedPages} scanned page(s) without a text layer`);
  if (profile.pages > thresholds.maxSimplePages) return complex(`${profile.pages} pages (simple is at most ${thresholds.maxSimplePages})`);
  if (profile.bytes > thresholds.maxSimpleBytes) return complex(`${profile.bytes} bytes (simple is at most ${thresholds.maxSimpleBytes})`);
  if (profile.textChars > thresholds.maxSimpleTextChars) {
    return complex(`${profile.textChars} characters of text (simple is at most ${thresholds.maxSimpleTextChars})`);
  }
  return { tier: 'simple', model: models.simple, reason: 'short document with a text layer' };
}
