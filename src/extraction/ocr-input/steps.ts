import { z } from 'zod';

/**
 * The preparations a page image can get before OCR, each switchable so its effect can be measured
 * (bench/scans.ts). Every step after `grayscale` works on the grey image, so any step implies it.
 */
export const OcrPreparation = z.object({
  /** Colour to luminance, on white where the image is transparent. */
  grayscale: z.boolean(),
  /** A photo's paper cut out of what it lies on (a receipt on a table): the frame around it cropped, the background left in the crop painted paper-grey (paper.ts). */
  crop: z.boolean(),
  /** Uneven light evened out: the page divided by its blurred background, paper one grey everywhere (flat-field.ts). */
  flatten: z.boolean(),
  /** Grey levels stretched so the ink is black and the paper white (grey paper, faded ink; otsu.ts inkAndPaper). */
  contrast: z.boolean(),
  /** Text lines made level: the tilt measured by projection profiles, the page turned back. */
  deskew: z.boolean(),
  /** Small text enlarged until a typical line is about readableLineHeight pixels high. */
  upscale: z.boolean(),
  /** Every pixel made black or white at Otsu's threshold. */
  binarize: z.boolean(),
});
export type OcrPreparation = z.infer<typeof OcrPreparation>;

export const ocrPreparationSteps = OcrPreparation.keyof().options;
export type OcrPreparationStep = (typeof ocrPreparationSteps)[number];

/** No preparation: the image as it came. */
export const noOcrPreparation: OcrPreparation = { grayscale: false, crop: false, flatten: false, contrast: false, deskew: false, upscale: false, binarize: false };
