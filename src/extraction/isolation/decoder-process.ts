/**
 * The entry of a decoder process (see pool.ts): decodes one document at a time for the worker
 * that forked it and answers over IPC. A crash here ends only this process.
 */
import { DocumentError } from '../errors';
import type { SourceDocument } from '../extractor';
import type { DecodeRequest, DecoderMessage, WireError } from './protocol';
import { runDecodeTask } from './tasks';

function send(message: DecoderMessage): void {
  process.send?.(message);
}

function toWireError(error: unknown): WireError {
  if (error instanceof DocumentError) return { name: error.name, message: error.message, documentErrorType: error.type };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** Structured clone turns a Buffer into a plain Uint8Array: make it a Buffer again. */
function asSourceDocument(document: SourceDocument): SourceDocument {
  const bytes = document.bytes as Uint8Array;
  return { ...document, bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

process.on('message', (request: DecodeRequest) => {
  const task = { ...request.task, document: asSourceDocument(request.task.document) };
  runDecodeTask(task, () => send({ type: 'progress', id: request.id })).then(
    (value) => send({ type: 'result', id: request.id, value }),
    (error: unknown) => send({ type: 'failure', id: request.id, error: toWireError(error) }),
  );
});

// The worker went away (exited, crashed or was killed): nothing is left to decode for.
process.on('disconnect', () => process.exit(0));

send({ type: 'ready' });
