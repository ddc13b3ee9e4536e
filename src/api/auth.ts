/**
 * Bearer authentication: API tokens for CI (configured as SHA-256 hashes with their owner, API_TOKENS; the
 * token itself is never stored or logged) and the portal's Supabase user JWTs (owner = the JWT's `sub`).
 * Every run belongs to the owner that created it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ApiError } from './errors';
import { JwtError, type JwtVerifier } from './jwt';

export interface Principal {
  ownerId: string;
  kind: 'api-token' | 'user';
}

export interface ApiTokenEntry {
  ownerId: string;
  sha256: Buffer;
}

/** API_TOKENS: `owner:sha256hex,owner2:sha256hex` (make a hash: `printf %s "$TOKEN" | sha256sum`). */
export function parseApiTokens(value: string | undefined): ApiTokenEntry[] {
  if (!value?.trim()) return [];
  return value.split(',').map((entry) => {
    const [ownerId, hash] = entry.trim().split(':');
    if (!ownerId || !/^[0-9a-f]{64}$/i.test(hash ?? '')) {
      throw new Error('API_TOKENS: each entry is <ownerId>:<sha256 hex of the token> (printf %s "$TOKEN" | sha256sum)');
    }
    return { ownerId, sha256: Buffer.from(hash, 'hex') };
  });
}

export const sha256Hex = (token: string): string => createHash('sha256').update(token).digest('hex');

export type Authenticate = (request: FastifyRequest) => Promise<Principal>;

export function createAuthenticator(opts: { apiTokens: ApiTokenEntry[]; jwt?: JwtVerifier }): Authenticate {
  return async (request) => {
    const header = request.headers.authorization;
    if (!header) throw new ApiError('UNAUTHORIZED', 'Missing Authorization header (Authorization: Bearer <token>)');
    const match = /^Bearer ([^\s]+)$/.exec(header);
    if (!match) throw new ApiError('UNAUTHORIZED', 'Malformed Authorization header: expected "Bearer <token>"');
    const token = match[1];
    const digest = createHash('sha256').update(token).digest();
    for (const entry of opts.apiTokens) {
      if (timingSafeEqual(entry.sha256, digest)) return { ownerId: entry.ownerId, kind: 'api-token' };
    }
    if (token.split('.').length === 3 && opts.jwt) {
      try {
        const claims = await opts.jwt.verify(token);
        return { ownerId: claims.sub!, kind: 'user' };
      } catch (err) {
        if (err instanceof JwtError) throw new ApiError('UNAUTHORIZED', `Invalid token: ${err.message}`);
        throw err;
      }
    }
    throw new ApiError('UNAUTHORIZED', 'Invalid token');
  };
}
