import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const ivBytes = 12;
const tagBytes = 16;

/** AES-256-GCM: a fresh 96-bit IV per message; out = IV ‖ ciphertext ‖ 128-bit tag. */
export function encrypt(plain: Uint8Array, key: Buffer): Buffer {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

/** The inverse of encrypt; throws when the key is wrong or the data was altered. */
export function decrypt(sealed: Uint8Array, key: Buffer): Buffer {
  if (sealed.length < ivBytes + tagBytes) throw new Error(`encrypted payload of ${sealed.length} bytes is too short`);
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.length);
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, ivBytes));
  decipher.setAuthTag(bytes.subarray(bytes.length - tagBytes));
  return Buffer.concat([decipher.update(bytes.subarray(ivBytes, bytes.length - tagBytes)), decipher.final()]);
}
