import { isDeepStrictEqual } from 'node:util';

/** Fields read from a scan, weighed by how sure OCR was of the words they came from. */
export interface WeighedFields<T> {
  data: T;
  /** Fields found only in words OCR was unsure of: a person should check them. */
  doubtful: (keyof T & string)[];
}

/**
 * A scan's fields weighed by OCR confidence. The rules read the document twice: from all its text
 * (`all`) and from the words OCR was sure of alone (`sure`, ocr-layout.ts). A field both readings
 * agree on is sure; a field the sure words alone do not give (not at all, or otherwise) rests on
 * a doubtful word: it is kept, and named. Preferring the sure reading's value where both found
 * one was measured worse (bench/scans.ts: a doubtful word is more often the right one than the
 * candidate left without it). Without a sure reading (no OCR), every field is sure.
 */
export function weighByConfidence<T extends Record<string, unknown>>(all: T, sure: T | undefined): WeighedFields<T> {
  if (sure === undefined) return { data: all, doubtful: [] };
  const doubtful = (Object.keys(all) as (keyof T & string)[]).filter((field) => !isEmpty(all[field]) && !isDeepStrictEqual(all[field], sure[field]));
  return { data: all, doubtful };
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || (Array.isArray(value) && value.length === 0);
}
