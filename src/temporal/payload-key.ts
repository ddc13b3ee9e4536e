/**
 * Which key encrypts what Temporal stores. Encryption is on unless TEMPORAL_PAYLOAD_ENCRYPTION=off says
 * otherwise: TEMPORAL_PAYLOAD_KEY when set; with the embedded dev server (no TEMPORAL_ADDRESS), a key made once
 * and kept beside the dev server's database (.temporal/payload.key, gitignored, 0600); against a real server
 * with neither, nothing starts: CSV values, passwords included, would land in its database in plaintext.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Env } from '../config/env';

export type PayloadKeyEnv = Pick<
  Env,
  'TEMPORAL_ADDRESS' | 'TEMPORAL_PAYLOAD_ENCRYPTION' | 'TEMPORAL_PAYLOAD_KEY' | 'TEMPORAL_PAYLOAD_PREVIOUS_KEYS' | 'TEMPORAL_DEV_DB'
>;

export const MAKE_KEY_HINT =
  'make one with `openssl rand -base64 32` and set TEMPORAL_PAYLOAD_KEY to it on every worker and client ' +
  '(or set TEMPORAL_PAYLOAD_ENCRYPTION=off to store payloads, CSV values included, in plaintext)';

export class PayloadKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadKeyError';
  }
}

/** Where the embedded dev server's key lives: in the directory of its database. */
export function embeddedPayloadKeyPath(env: Pick<Env, 'TEMPORAL_DEV_DB'>): string {
  return join(dirname(resolve(env.TEMPORAL_DEV_DB)), 'payload.key');
}

const isKey = (text: string) => /^[A-Za-z0-9+/]+=*$/.test(text) && Buffer.from(text, 'base64').length === 32;

function readKey(path: string): string {
  const key = readFileSync(path, 'utf8').trim();
  if (!isKey(key)) throw new PayloadKeyError(`${path} does not hold a payload key (base64 of 32 bytes); delete it to make a new one`);
  return key;
}

/** The embedded dev server's key, made (0600) the first time. Concurrent first starts agree on one key. */
export function embeddedPayloadKey(path: string): string {
  try {
    return readKey(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dirname(path), { recursive: true });
  const key = randomBytes(32).toString('base64');
  try {
    writeFileSync(path, `${key}\n`, { flag: 'wx', mode: 0o600 });
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readKey(path);
    throw err;
  }
}

export interface PayloadKeys {
  key: string;
  previous: string[];
}

/** The keys this process encrypts and decrypts with; undefined when encryption is off. */
export function payloadKeys(env: PayloadKeyEnv): PayloadKeys | undefined {
  if (env.TEMPORAL_PAYLOAD_ENCRYPTION === 'off') return undefined;
  const previous = (env.TEMPORAL_PAYLOAD_PREVIOUS_KEYS ?? '').split(',').filter((k) => k.trim() !== '');
  if (env.TEMPORAL_PAYLOAD_KEY) return { key: env.TEMPORAL_PAYLOAD_KEY, previous };
  if (!env.TEMPORAL_ADDRESS) return { key: embeddedPayloadKey(embeddedPayloadKeyPath(env)), previous };
  throw new PayloadKeyError(`TEMPORAL_ADDRESS is set but TEMPORAL_PAYLOAD_KEY is not: ${MAKE_KEY_HINT}`);
}
