import { excerptChars } from './example';

/**
 * The part of a corrected document's text an example keeps: all of it when it fits `limit`,
 * otherwise the head of the document (where the header fields are) and then the lines that
 * hold a corrected field's value, each with the line above it (a label printed over its value),
 * in document order, with "[…]" where lines were left out. What an example teaches is which
 * label holds which value, so those lines are what must survive the bound.
 */
export function exampleExcerpt(text: string, data: Record<string, unknown>, changedFields: readonly string[], limit = excerptChars): string {
  const normalized = text.replace(/\r\n?/g, '\n').replace(/\f/g, '\n').replace(/[ \t]+$/gm, '');
  if (normalized.length <= limit) return normalized;
  const lines = normalized.split('\n');
  const needles = changedFields.flatMap((field) => printedForms(data[field]));
  const wanted = new Set<number>();
  lines.forEach((line, index) => {
    if (needles.some((needle) => line.includes(needle))) {
      wanted.add(index);
      if (index > 0) wanted.add(index - 1);
    }
  });
  // The wanted lines first (they are what the example is for), then the head fills what is left.
  let budget = limit;
  const kept = new Set<number>();
  for (const index of [...wanted].sort((a, b) => a - b)) {
    const cost = lines[index]!.length + 1;
    if (cost > budget) break;
    kept.add(index);
    budget -= cost;
  }
  for (let index = 0; index < lines.length; index++) {
    if (kept.has(index)) continue;
    const cost = lines[index]!.length + 1;
    if (cost + 4 > budget) break;
    kept.add(index);
    budget -= cost;
  }
  const out: string[] = [];
  let previous = -1;
  for (const index of [...kept].sort((a, b) => a - b)) {
    if (index > previous + 1) out.push('[…]');
    out.push(lines[index]!);
    previous = index;
  }
  if (previous < lines.length - 1) out.push('[…]');
  return out.join('\n').slice(0, limit + 100);
}

/** Ways a value may be printed: a string as it is, a number with a point or a comma, an ISO date's day and year. */
function printedForms(value: unknown): string[] {
  if (typeof value === 'number') {
    const fixed = Math.abs(value).toFixed(2);
    return [fixed, fixed.replace('.', ','), String(Math.abs(value))];
  }
  if (typeof value !== 'string' || value.trim().length < 2) return [];
  const iso = value.match(/^(\d{4})-(\d{2})-(\d{2})$/);
  if (iso) return [value, `${iso[3]}.${iso[2]}.${iso[1]}`, `${iso[3]}/${iso[2]}/${iso[1]}`, `${iso[2]}/${iso[3]}/${iso[1]}`];
  return [value.trim()];
}
