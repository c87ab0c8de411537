import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncryptionCodec, ENCRYPTED_ENCODING, METADATA_KEY_ID } from '../src/encryption/codec';
import { startCodecServer, type CodecServer } from '../src/encryption/codec-server';
import { encryptionKeysFromEnv, keyId, parseEncryptionKeys } from '../src/encryption/keys';
import { tempDir } from './helpers/batch';

/** The AES-GCM payload codec, its keys and rotation, and the codec server the Web UI and the temporal CLI call. */

const newKey = () => randomBytes(32).toString('base64');
const secret = { source: { dir: '/srv/invoices/acme-confidential' }, total: 'EUR 1,234.56' };
const payloadOf = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');

describe('encryption keys', () => {
  it('reads one key, or several with the first encrypting; ids are fingerprints', () => {
    const [a, b] = [newKey(), newKey()];
    const one = parseEncryptionKeys(a, 'TEST');
    expect(one.current.id).toBe(keyId(Buffer.from(a, 'base64')));
    expect(one.current.id).toMatch(/^[0-9a-f]{16}$/);
    const two = parseEncryptionKeys(`${b}, ${a}`, 'TEST');
    expect(two.current.id).toBe(keyId(Buffer.from(b, 'base64')));
    expect([...two.byId.keys()].sort()).toEqual([keyId(Buffer.from(a, 'base64')), keyId(Buffer.from(b, 'base64'))].sort());
  });

  it('rejects a key that is not base64 of 32 bytes, naming the variable and the fix', () => {
    expect(() => parseEncryptionKeys('secret-password', 'DOCBATCH_ENCRYPTION_KEY')).toThrow(/DOCBATCH_ENCRYPTION_KEY: key 1 is not base64 of 32 bytes.*openssl rand -base64 32/);
    expect(() => parseEncryptionKeys(randomBytes(16).toString('base64'), 'X')).toThrow(/16 bytes/);
    expect(() => parseEncryptionKeys('  ', 'X')).toThrow(/holds no key/);
  });

  it('from env: the key, a key file (one a line, # comments), neither, or both (an error)', async () => {
    const [a, b] = [newKey(), newKey()];
    const file = path.join(await tempDir('keys'), 'keys');
    await writeFile(file, `# current\n${b}\n# before the rotation\n${a}\n`);
    expect(encryptionKeysFromEnv({})).toBeUndefined();
    expect(encryptionKeysFromEnv({ DOCBATCH_ENCRYPTION_KEY: a })!.current.id).toBe(keyId(Buffer.from(a, 'base64')));
    const fromFile = encryptionKeysFromEnv({ DOCBATCH_ENCRYPTION_KEY_FILE: file })!;
    expect(fromFile.current.id).toBe(keyId(Buffer.from(b, 'base64')));
    expect(fromFile.byId.size).toBe(2);
    expect(() => encryptionKeysFromEnv({ DOCBATCH_ENCRYPTION_KEY: a, DOCBATCH_ENCRYPTION_KEY_FILE: file })).toThrow(/set only one/);
    expect(() => encryptionKeysFromEnv({ DOCBATCH_ENCRYPTION_KEY_FILE: `${file}.missing` })).toThrow(/cannot be read/);
  });
});

describe('EncryptionCodec', () => {
  const keys = parseEncryptionKeys(newKey(), 'TEST');
  const codec = new EncryptionCodec(keys);

  it('seals the whole payload (metadata and data): only the encoding and the key id stay readable', async () => {
    const [sealed] = await codec.encode([payloadOf(secret)]);
    expect(text(sealed!.metadata![METADATA_KEY_ID])).toBe(keys.current.id);
    expect(text(sealed!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(Object.keys(sealed!.metadata!).sort()).toEqual(['encoding', METADATA_KEY_ID]);
    expect(text(sealed!.data)).not.toContain('acme-confidential');
    expect(text(sealed!.data)).not.toContain('json/plain');
    const [opened] = await codec.decode([sealed!]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual(secret);
  });

  it('encrypts the same value differently each time (a fresh IV)', async () => {
    const [a, b] = await codec.encode([payloadOf(secret), payloadOf(secret)]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('after a rotation, decodes payloads of the old key and encodes with the new one', async () => {
    const oldKey = newKey();
    const before = new EncryptionCodec(parseEncryptionKeys(oldKey, 'OLD'));
    const [old] = await before.encode([payloadOf(secret)]);
    const rotated = new EncryptionCodec(parseEncryptionKeys(`${newKey()},${oldKey}`, 'NEW'));
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([old!]))[0]!)).toEqual(secret);
    const [fresh] = await rotated.encode([payloadOf(secret)]);
    expect(text(fresh!.metadata![METADATA_KEY_ID])).not.toBe(text(old!.metadata![METADATA_KEY_ID]));
  });

  it('an unknown key id says which key is missing; altered data does not decode', async () => {
    const [foreign] = await new EncryptionCodec(parseEncryptionKeys(newKey(), 'OTHER')).encode([payloadOf(secret)]);
    await expect(codec.decode([foreign!])).rejects.toThrow(/encrypted with key [0-9a-f]{16}, which is not among the configured keys/);
    const [sealed] = await codec.encode([payloadOf(secret)]);
    const tampered = Buffer.from(sealed!.data!);
    tampered[20] = tampered[20]! ^ 1;
    await expect(codec.decode([{ ...sealed!, data: tampered }])).rejects.toThrow();
  });

  it('passes payloads that were never encrypted through (histories from before encryption was on)', async () => {
    const plain = payloadOf(secret);
    expect(await codec.decode([plain])).toEqual([plain]);
  });
});

describe('codec server', () => {
  const keys = parseEncryptionKeys(newKey(), 'TEST');
  const uiOrigin = 'http://127.0.0.1:8233';
  let server: CodecServer;

  beforeAll(async () => {
    server = await startCodecServer({ codec: new EncryptionCodec(keys), allowOrigins: [`${uiOrigin}/`], port: 0 });
  });
  afterAll(() => server?.close());

  const asJson = (payload: Payload) => ({
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  });
  const post = (route: string, payloads: Payload[], headers: Record<string, string> = {}) =>
    fetch(`${server.url}${route}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...headers }, body: JSON.stringify({ payloads: payloads.map(asJson) }) });

  it('encodes and decodes payloads in protobuf JSON, as the temporal CLI sends them', async () => {
    const encoded = (await (await post('/encode', [payloadOf(secret)])).json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(Buffer.from(encoded.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe(ENCRYPTED_ENCODING);
    const response = await fetch(`${server.url}/decode`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(encoded) });
    expect(response.status).toBe(200);
    const decoded = (await response.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(JSON.parse(Buffer.from(decoded.payloads[0]!.data, 'base64').toString())).toEqual(secret);
    expect(Buffer.from(decoded.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
  });

  it('answers the Web UI preflight: its origin, POST, and the X-Namespace and Content-Type headers', async () => {
    const response = await fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: uiOrigin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-namespace' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-namespace');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
    const decode = await post('/decode', [], { Origin: uiOrigin });
    expect(decode.headers.get('access-control-allow-origin')).toBe(uiOrigin);
  });

  it('gives no CORS grant to other origins, and says what is wrong with a bad request', async () => {
    const response = await post('/decode', [], { Origin: 'http://evil.example' });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const bad = await fetch(`${server.url}/decode`, { method: 'POST', body: '{"payloads":7}' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('"payloads" is not an array');
    // Protobuf JSON leaves an empty list out: `{}` is zero payloads.
    expect(await (await fetch(`${server.url}/decode`, { method: 'POST', body: '{}' })).json()).toEqual({ payloads: [] });
    expect((await fetch(`${server.url}/other`, { method: 'POST', body: '{}' })).status).toBe(404);
  });
});
