import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import { decrypt, encrypt } from './aes-gcm';
import type { EncryptionKeys } from './keys';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_KEY_ID = 'encryption-key-id';

// A CommonJS module: named imports do not resolve under Node's ESM loader.
const { Payload: PayloadMessage } = proto.temporal.api.common.v1;

const utf8 = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array | null | undefined) => (bytes ? new TextDecoder().decode(bytes) : undefined);

/**
 * Temporal payload codec: each payload (metadata and data, serialized as a protobuf) is sealed with
 * AES-256-GCM under the current key, and its key id travels in the clear metadata. Decoding picks
 * the key by that id, so payloads written under an older key still decode after a rotation;
 * payloads that are not encrypted (written before encryption was on) pass through.
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keys: EncryptionKeys) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keys.current;
    return payloads.map((payload) => ({
      metadata: { [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING), [METADATA_KEY_ID]: utf8(id) },
      data: encrypt(PayloadMessage.encode(payload).finish(), key),
    }));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
      const id = text(payload.metadata?.[METADATA_KEY_ID]);
      const known = id === undefined ? undefined : this.keys.byId.get(id);
      if (!known) {
        throw new Error(`a payload is encrypted with key ${id ?? '(no id)'}, which is not among the configured keys: add that key after the current one`);
      }
      if (!payload.data) throw new Error(`an encrypted payload (key ${id}) has no data`);
      return PayloadMessage.decode(decrypt(payload.data, known.key));
    });
  }
}
