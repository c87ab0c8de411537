import { describe, expect, it } from 'vitest';
import { defaultOcrSettings, ocrSettingsFromEnv } from '../src/extraction/ocr-settings';

describe('DOCBATCH_OCR', () => {
  it('chooses between the measured default and the page as it came, and refuses anything else by name', () => {
    expect(ocrSettingsFromEnv({})).toBe(defaultOcrSettings);
    expect(ocrSettingsFromEnv({ DOCBATCH_OCR: 'accurate' })).toBe(defaultOcrSettings);
    const fast = ocrSettingsFromEnv({ DOCBATCH_OCR: ' fast ' });
    expect(fast.languages).toBe('english');
    expect(Object.values(fast.preparation)).not.toContain(true);
    expect(() => ocrSettingsFromEnv({ DOCBATCH_OCR: 'best' })).toThrow('DOCBATCH_OCR=best is not an OCR mode: use accurate or fast');
  });
});
