import { randomBytes } from 'node:crypto';

/**
 * A request's `custom_id` in a Message Batch: `<token>-<index>`, the submission's random token
 * and the document's manifest index. The API requires `^[a-zA-Z0-9_-]{1,64}$`, unique within the
 * Message Batch; the token tells this submission's results from any other's (another attempt's,
 * another batch's) when a Message Batch was adopted by reconciliation.
 */
export const customIdPattern = /^[a-zA-Z0-9_-]{1,64}$/;

const tokenAlphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A fresh submission token: 8 lower-case letters and digits (36^8, about 2.8e12). */
export function newToken(bytes: (size: number) => Uint8Array = randomBytes): string {
  return [...bytes(8)].map((byte) => tokenAlphabet[byte % tokenAlphabet.length]).join('');
}

export function customId(token: string, index: number): string {
  return `${token}-${index}`;
}

/** The token and manifest index of a custom_id docbatch wrote; undefined for any other. */
export function parseCustomId(id: string): { token: string; index: number } | undefined {
  const match = /^([a-z0-9]+)-(\d{1,15})$/.exec(id);
  return match ? { token: match[1]!, index: Number(match[2]) } : undefined;
}
