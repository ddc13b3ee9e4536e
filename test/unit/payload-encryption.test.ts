import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { loadEnv } from '../../src/config/env';
import { PayloadEncryptionCodec, payloadEncryptionCodec, payloadKeyId, temporalDataConverter } from '../../src/temporal/payload-encryption';
import { embeddedPayloadKeyPath } from '../../src/temporal/payload-key';

const payload = (value: unknown) => defaultPayloadConverter.toPayload(value)!;
const value = (p: Parameters<typeof defaultPayloadConverter.fromPayload>[0]) => defaultPayloadConverter.fromPayload(p);
const secretCsv = 'email,password\nada@example.com,Hunter2-Very-Secret\n';

describe('payload encryption codec', () => {
  it('round-trips payloads, and what it stores holds no plaintext', async () => {
    const codec = new PayloadEncryptionCodec(randomBytes(32));
    const [encoded] = await codec.encode([payload({ csv: secretCsv })]);
    expect(Buffer.from(encoded.data!).toString('latin1')).not.toContain('Hunter2');
    expect(Buffer.from(encoded.metadata!.encoding!).toString()).toBe('binary/encrypted');
    const [decoded] = await codec.decode([encoded]);
    expect(value(decoded)).toEqual({ csv: secretCsv });
  });

  it('encrypts the same value differently each time (a fresh IV per payload)', async () => {
    const codec = new PayloadEncryptionCodec(randomBytes(32));
    const [a, b] = await codec.encode([payload('same'), payload('same')]);
    expect(Buffer.from(a.data!).equals(Buffer.from(b.data!))).toBe(false);
  });

  it('passes payloads that were never encrypted through (histories from before the key)', async () => {
    const codec = new PayloadEncryptionCodec(randomBytes(32));
    const plain = payload({ jobId: 'old' });
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('decrypts with a previous key after a rotation, and names the key it lacks otherwise', async () => {
    const oldKey = randomBytes(32);
    const [old] = await new PayloadEncryptionCodec(oldKey).encode([payload('written before the rotation')]);
    const rotated = new PayloadEncryptionCodec(randomBytes(32), [oldKey]);
    expect(value((await rotated.decode([old]))[0])).toBe('written before the rotation');
    const stranger = new PayloadEncryptionCodec(randomBytes(32));
    await expect(stranger.decode([old])).rejects.toThrow(
      new RegExp(`encrypted with key ${payloadKeyId(oldKey)}.*TEMPORAL_PAYLOAD_PREVIOUS_KEYS`),
    );
  });

  it('rejects a tampered payload', async () => {
    const codec = new PayloadEncryptionCodec(randomBytes(32));
    const [encoded] = await codec.encode([payload('x')]);
    const data = Buffer.from(encoded.data!);
    data[data.length - 20] ^= 1;
    await expect(codec.decode([{ ...encoded, data }])).rejects.toThrow(/failed authentication/);
  });

  it('is configured by TEMPORAL_PAYLOAD_KEY, and a malformed key is refused at start with how to make one', () => {
    expect(temporalDataConverter(loadEnv({ TEMPORAL_PAYLOAD_ENCRYPTION: 'off' }))).toBeUndefined();
    const key = randomBytes(32).toString('base64');
    expect(temporalDataConverter(loadEnv({ TEMPORAL_PAYLOAD_KEY: key }))?.payloadCodecs).toHaveLength(1);
    expect(() => loadEnv({ TEMPORAL_PAYLOAD_KEY: 'too-short' })).toThrow(
      /TEMPORAL_PAYLOAD_KEY: must be 32 bytes in base64.*openssl rand -base64 32/,
    );
    expect(() => loadEnv({ TEMPORAL_PAYLOAD_KEY: key, TEMPORAL_PAYLOAD_PREVIOUS_KEYS: `${key},nope` })).toThrow(
      /TEMPORAL_PAYLOAD_PREVIOUS_KEYS: each key must be 32 bytes/,
    );
  });

  it('is on by default: against a server with no key, nothing starts and the error says how to make one', () => {
    expect(() => temporalDataConverter(loadEnv({ TEMPORAL_ADDRESS: 'temporal.example:7233' }))).toThrow(
      /TEMPORAL_ADDRESS is set but TEMPORAL_PAYLOAD_KEY is not: make one with `openssl rand -base64 32`.*TEMPORAL_PAYLOAD_ENCRYPTION=off/,
    );
    expect(
      temporalDataConverter(loadEnv({ TEMPORAL_ADDRESS: 'temporal.example:7233', TEMPORAL_PAYLOAD_ENCRYPTION: 'off' })),
    ).toBeUndefined();
    expect(() => loadEnv({ TEMPORAL_PAYLOAD_ENCRYPTION: 'off', TEMPORAL_PAYLOAD_KEY: randomBytes(32).toString('base64') })).toThrow(
      /TEMPORAL_PAYLOAD_ENCRYPTION: off, but TEMPORAL_PAYLOAD_KEY is set/,
    );
  });

  it('the embedded dev server makes its key once, beside its database, readable by its owner only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'payload-key-'));
    const env = loadEnv({ TEMPORAL_DEV_DB: join(dir, 'dev.db') });
    const keyFile = embeddedPayloadKeyPath(env);
    expect(keyFile).toBe(join(dir, 'payload.key'));
    expect(existsSync(keyFile)).toBe(false);
    const codec = payloadEncryptionCodec(env)!;
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    // A second process (the client, a restart) finds the same key: what one encrypts the other reads.
    const [encoded] = await codec.encode([payload('hello')]);
    const [decoded] = await payloadEncryptionCodec(loadEnv({ TEMPORAL_DEV_DB: join(dir, 'dev.db') }))!.decode([encoded]);
    expect(Buffer.from(decoded.data!).toString()).toBe('"hello"');
    writeFileSync(keyFile, 'not a key');
    expect(() => payloadEncryptionCodec(env)).toThrow(/does not hold a payload key.*delete it/);
  });
});
