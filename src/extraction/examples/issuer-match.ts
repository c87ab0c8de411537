import { fold } from '../local/fold';
import type { IssuerExamples } from './example';
import { issuerKey, issuerOf, searchableName } from './issuer';

/**
 * Which known issuer a document is from, once its text is read and its fields extracted: the issuer
 * the extraction found when the store knows it, else the known issuer whose name the text prints
 * (the longest such name: the extraction may have taken an address line or the buyer for the
 * issuer, which is often what a person corrected). Null when neither.
 */
export function issuerOfDocument(text: string, data: Record<string, unknown>, issuers: readonly IssuerExamples[]): IssuerExamples | null {
  const extracted = issuerOf(data);
  const key = extracted === null ? null : issuerKey(extracted);
  const known = key === null ? undefined : issuers.find((issuer) => issuer.key === key);
  if (known) return known;
  const folded = fold(text).replace(/\s+/g, ' ');
  let best: IssuerExamples | null = null;
  let bestLength = 0;
  for (const issuer of issuers) {
    const name = searchableName(issuer.issuer);
    if (name.length >= 4 && name.length > bestLength && folded.includes(name)) {
      best = issuer;
      bestLength = name.length;
    }
  }
  return best;
}
