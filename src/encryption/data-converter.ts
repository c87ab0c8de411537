import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec } from './codec';
import { encryptionKeysFromEnv, type EncryptionKeys } from './keys';

type Env = Record<string, string | undefined>;

const here = path.dirname(fileURLToPath(import.meta.url));
/** The failure converter that puts messages and stack traces into (encrypted) payloads. */
export const encodingFailureConverterPath = path.join(here, 'failure-converter.cjs');

/** The data converter of clients and workers when payloads are encrypted. */
export function encryptingDataConverter(keys: EncryptionKeys): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(keys)], failureConverterPath: encodingFailureConverterPath };
}

/**
 * The data converter for DOCBATCH_ENCRYPTION_KEY / DOCBATCH_ENCRYPTION_KEY_FILE, or undefined (the
 * SDK's default: plain JSON payloads) when neither is set.
 */
export function dataConverterFromEnv(env: Env = process.env): DataConverter | undefined {
  const keys = encryptionKeysFromEnv(env);
  return keys ? encryptingDataConverter(keys) : undefined;
}
