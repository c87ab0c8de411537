/**
 * Otsu's threshold: the grey level that splits a histogram into two classes (ink and paper) with
 * the largest variance between them. Pixels at or below it are ink.
 */
export function otsuThreshold(histogram: readonly number[]): number {
  const total = histogram.reduce((sum, count) => sum + count, 0);
  const weightedTotal = histogram.reduce((sum, count, level) => sum + count * level, 0);
  let below = 0;
  let weightedBelow = 0;
  let best = 127;
  let bestVariance = -1;
  for (let level = 0; level < histogram.length; level++) {
    below += histogram[level]!;
    weightedBelow += histogram[level]! * level;
    const above = total - below;
    if (below === 0 || above === 0) continue;
    const meanBelow = weightedBelow / below;
    const meanAbove = (weightedTotal - weightedBelow) / above;
    const variance = below * above * (meanBelow - meanAbove) ** 2;
    if (variance > bestVariance) {
      bestVariance = variance;
      best = level;
    }
  }
  return best;
}

/**
 * The grey of a page's ink and of its paper: the most common level on each side of Otsu's
 * threshold. Stretching these two to black and white lifts grey paper and faded ink without
 * letting a few specks decide, as percentiles would on a page that is nearly all paper.
 */
export function inkAndPaper(histogram: readonly number[]): { ink: number; paper: number } {
  const threshold = otsuThreshold(histogram);
  const mostCommon = (from: number, to: number) => {
    let best = from;
    for (let level = from; level <= to; level++) if (histogram[level]! > histogram[best]!) best = level;
    return best;
  };
  return { ink: mostCommon(0, threshold), paper: mostCommon(threshold + 1, histogram.length - 1) };
}
