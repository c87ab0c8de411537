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
 * agree on is sure. Where they differ, the sure reading's value wins when it has one (it rests on
 * well-read words, the other on a doubtful word that outranked it); a field only the full
 * reading finds is kept but doubtful. Without a sure reading (no OCR), every field is sure.
 */
export function weighByConfidence<T extends Record<string, unknown>>(all: T, sure: T | undefined): WeighedFields<T> {
  if (sure === undefined) return { data: all, doubtful: [] };
  const data = { ...all };
  const doubtful: (keyof T & string)[] = [];
  for (const field of Object.keys(all) as (keyof T & string)[]) {
    if (isDeepStrictEqual(all[field], sure[field]) || isEmpty(all[field])) continue;
    if (isEmpty(sure[field])) doubtful.push(field);
    else data[field] = sure[field];
  }
  return { data, doubtful };
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || (Array.isArray(value) && value.length === 0);
}
