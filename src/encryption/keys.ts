import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ENV, readEnv } from '../env';

type Env = Record<string, string | undefined>;

/** An AES-256 key and its id: the id is written into each encrypted payload's metadata. */
export interface EncryptionKey {
  id: string;
  key: Buffer;
}

/** The key that encrypts (the first one given) and every key that may decrypt, by id. */
export interface EncryptionKeys {
  current: EncryptionKey;
  byId: Map<string, EncryptionKey>;
}

/**
 * A key's id is a fingerprint of the key itself (the first 8 bytes of a SHA-256 over it, in hex):
 * it cannot be mistyped or reused for another key, and it tells nothing usable about the key.
 */
export function keyId(key: Buffer): string {
  return createHash('sha256').update('docbatch-encryption-key:').update(key).digest('hex').slice(0, 16);
}

/**
 * Keys as written in DOCBATCH_ENCRYPTION_KEY or the file DOCBATCH_ENCRYPTION_KEY_FILE names: base64
 * of 32 random bytes each (`openssl rand -base64 32`), separated by commas, spaces or newlines; `#` starts a comment.
 * The first encrypts; the others only decrypt, so a key can be rotated without losing old histories.
 */
export function parseEncryptionKeys(text: string, source: string): EncryptionKeys {
  const words = text.replace(/#.*$/gm, '').split(/[\s,]+/).filter((word) => word !== '');
  if (words.length === 0) throw new Error(`${source} holds no key: put base64 of 32 random bytes there (\`openssl rand -base64 32\`)`);
  const keys = words.map((word, index) => {
    const key = Buffer.from(word, 'base64');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(word) || key.length !== 32) {
      throw new Error(
        `${source}: key ${index + 1} is not base64 of 32 bytes (${key.length} bytes): make one with \`openssl rand -base64 32\``,
      );
    }
    return { id: keyId(key), key };
  });
  return { current: keys[0]!, byId: new Map(keys.map((key) => [key.id, key])) };
}

/** The keys from env, or undefined when encryption is off (neither variable set). */
export function encryptionKeysFromEnv(env: Env = process.env): EncryptionKeys | undefined {
  const inline = readEnv('encryptionKey', env);
  const file = readEnv('encryptionKeyFile', env);
  if (inline !== undefined && file !== undefined) {
    throw new Error(`both ${ENV.encryptionKey} and ${ENV.encryptionKeyFile} are set: set only one`);
  }
  if (inline !== undefined) return parseEncryptionKeys(inline, ENV.encryptionKey);
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`${ENV.encryptionKeyFile}=${file} cannot be read (${(error as Error).message}): point it at a file of base64 keys, one a line`, { cause: error });
  }
  return parseEncryptionKeys(text, `${ENV.encryptionKeyFile} (${file})`);
}
