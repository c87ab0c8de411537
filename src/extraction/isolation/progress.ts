/**
 * Progress of the document being decoded, reported from inside a format's page loop. In a decoder
 * process it restarts the document's time budget (pool.ts); anywhere else nobody listens.
 */
let listener: () => void = () => undefined;

/** A page (or an image) of the current document is done. */
export function reportDecodeProgress(): void {
  listener();
}

/** Called by the decoder process around each task; one document at a time per process. */
export function onDecodeProgress(callback: () => void): void {
  listener = callback;
}
