import type { GrayImage } from './gray';

/**
 * The page divided by its background (flat-field correction): each pixel as a share of the paper's
 * brightness where it lies, paper to `paperTo`. Uneven light (a shadow across a photographed
 * receipt, darker corners) leaves paper in one place darker than faded ink in another, so no one
 * threshold splits them; divided by its own light, paper is one grey everywhere and ink is darker
 * than it everywhere. `background` is the paper's brightness per pixel, the page's size
 * (backgroundOf in prepare.ts: the print filtered out, blurred); a pixel brighter than its
 * background clips to `paperTo`.
 */
export function dividedByBackground(page: GrayImage, background: GrayImage, paperTo = 255): GrayImage {
  if (background.width !== page.width || background.height !== page.height) throw new Error('the background is not the size of the page');
  const data = new Uint8Array(page.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.min(paperTo, Math.round((page.data[i]! * paperTo) / Math.max(1, background.data[i]!)));
  return { width: page.width, height: page.height, data };
}

/**
 * The grey levels to stretch to black and white on a page divided by its background: paper is
 * the median (most of a page is paper, and it is one grey now), ink the level the darkest
 * `inkShare` of the pixels reach. Otsu's modes (inkAndPaper) do not do here: on faded print the
 * page is nearly all paper and its noise, and the most common level under Otsu's threshold is
 * that noise, not ink. Null when the two are too close to stretch (a blank page), or when the
 * print is not faded (its darkest pixels are already dark).
 */
export function faintInkLevels(histogram: readonly number[], inkShare: number): { ink: number; paper: number } | null {
  const total = histogram.reduce((sum, count) => sum + count, 0);
  let below = 0;
  let ink = -1;
  let paper = -1;
  for (let level = 0; level < histogram.length && paper < 0; level++) {
    below += histogram[level]!;
    if (ink < 0 && below >= total * inkShare) ink = level;
    if (below >= total / 2) paper = level;
  }
  // Print whose darkest pixels are already dark is not faded: stretching its 1% (on a scanned A4
  // page with a narrow slip, the grey edges of its glyphs) to black only thickens it.
  let darkest = 0;
  for (let level = 0, seen = 0; level < histogram.length; level++) {
    seen += histogram[level]!;
    if (seen >= total * darkestShare) {
      darkest = level;
      break;
    }
  }
  return paper - ink >= minStretchedContrast && darkest > fadedInkAbove ? { ink, paper } : null;
}

/** The share of a page's pixels that tells whether its print is dark: the cores of its strokes. */
const darkestShare = 0.001;

/** Print is faded when even its darkest pixels are lighter than this (halfway to black). */
const fadedInkAbove = 128;

/** Ink and paper closer than this (grey levels) are noise on blank paper, not print to bring out. */
const minStretchedContrast = 8;
