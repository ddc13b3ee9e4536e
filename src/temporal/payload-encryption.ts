import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type DataConverter, type Payload, type PayloadCodec, ValueError } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { payloadKeys, type PayloadKeyEnv } from './payload-key';

const ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const utf8 = (s: string) => Buffer.from(s, 'utf8');
const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

/** Names a key without revealing it: what a payload records, so a reader knows which key it needs. */
export const payloadKeyId = (key: Buffer): string => createHash('sha256').update(key).digest('hex').slice(0, 16);

/**
 * Encrypts every payload Temporal stores (workflow inputs with the CSV, activity inputs with row values,
 * results, signals) with AES-256-GCM, so the server, its database and the Web UI hold ciphertext only.
 * The whole payload is encrypted, its metadata included; the envelope names the key by id. Payloads that are
 * not encrypted (histories from before the key was set) decode as they are. `previousKeys` only decrypt:
 * rotate by moving the current key there and setting a new one.
 */
export class PayloadEncryptionCodec implements PayloadCodec {
  private readonly keys = new Map<string, Buffer>();
  private readonly currentId: string;

  constructor(key: Buffer, previousKeys: Buffer[] = []) {
    for (const k of [key, ...previousKeys]) {
      if (k.length !== 32) throw new ValueError(`payload key must be 32 bytes, got ${k.length}`);
      this.keys.set(payloadKeyId(k), k);
    }
    this.currentId = payloadKeyId(key);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.get(this.currentId)!;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { [METADATA_ENCODING_KEY]: utf8(ENCODING), [KEY_ID]: utf8(this.currentId) }, data };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCODING) return payload;
      const keyId = text(payload.metadata?.[KEY_ID]);
      const key = keyId ? this.keys.get(keyId) : undefined;
      if (!key) {
        throw new ValueError(
          `payload was encrypted with key ${keyId ?? '(none)'}, which this process does not have ` +
            `(TEMPORAL_PAYLOAD_KEY is ${this.currentId}; add the old key to TEMPORAL_PAYLOAD_PREVIOUS_KEYS)`,
        );
      }
      const data = Buffer.from(payload.data ?? []);
      if (data.length < IV_BYTES + TAG_BYTES) throw new ValueError('encrypted payload is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new ValueError(`encrypted payload failed authentication with key ${keyId} (corrupted or tampered)`);
      }
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

/**
 * The codec this process encrypts with (payload-key.ts decides the key: TEMPORAL_PAYLOAD_KEY, the embedded dev
 * server's, or none when TEMPORAL_PAYLOAD_ENCRYPTION=off). Throws PayloadKeyError when a real server is
 * configured without a key.
 */
export function payloadEncryptionCodec(env: PayloadKeyEnv): PayloadEncryptionCodec | undefined {
  const keys = payloadKeys(env);
  if (!keys) return undefined;
  const key = (base64: string) => Buffer.from(base64.trim(), 'base64');
  return new PayloadEncryptionCodec(key(keys.key), keys.previous.map(key));
}

/** The data converter clients and workers share: encrypting unless encryption is off. */
export function temporalDataConverter(env: PayloadKeyEnv): DataConverter | undefined {
  const codec = payloadEncryptionCodec(env);
  return codec ? { payloadCodecs: [codec] } : undefined;
}
