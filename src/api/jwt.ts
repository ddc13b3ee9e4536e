/**
 * Verifies the portal's Supabase user JWTs: HS256 with the project's JWT secret, or RS256/ES256 against the
 * project's JWKS (fetched once, refetched when an unknown key id shows up). Node's crypto only.
 */
import { createHmac, createPublicKey, timingSafeEqual, verify, type JsonWebKey, type KeyObject } from 'node:crypto';

export interface JwtClaims {
  sub?: string;
  exp?: number;
  nbf?: number;
  role?: string;
}

export class JwtError extends Error {}

const b64url = (s: string): Buffer => Buffer.from(s, 'base64url');

export interface JwtVerifier {
  verify(token: string): Promise<JwtClaims>;
}

export function createJwtVerifier(opts: { secret?: string; jwksUrl?: string; now?: () => number }): JwtVerifier {
  const now = opts.now ?? (() => Date.now() / 1000);
  let keys: Map<string, KeyObject> | undefined;
  const loadKeys = async () => {
    const res = await fetch(opts.jwksUrl!);
    if (!res.ok) throw new JwtError(`JWKS unavailable (${res.status})`);
    const { keys: list } = (await res.json()) as { keys: Array<JsonWebKey & { kid?: string }> };
    keys = new Map(list.map((k) => [k.kid ?? '', createPublicKey({ key: k, format: 'jwk' })]));
  };
  return {
    async verify(token) {
      const parts = token.split('.');
      if (parts.length !== 3) throw new JwtError('malformed token');
      let header: { alg?: string; kid?: string };
      let claims: JwtClaims;
      try {
        header = JSON.parse(b64url(parts[0]).toString());
        claims = JSON.parse(b64url(parts[1]).toString());
      } catch {
        throw new JwtError('malformed token');
      }
      const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
      const signature = b64url(parts[2]);
      if (header.alg === 'HS256' && opts.secret) {
        const expected = createHmac('sha256', opts.secret).update(signed).digest();
        if (expected.length !== signature.length || !timingSafeEqual(expected, signature)) throw new JwtError('bad signature');
      } else if ((header.alg === 'RS256' || header.alg === 'ES256') && opts.jwksUrl) {
        if (!keys || !keys.has(header.kid ?? '')) await loadKeys();
        const key = keys!.get(header.kid ?? '');
        if (!key) throw new JwtError('unknown signing key');
        const ok = verify('sha256', signed, header.alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key, signature);
        if (!ok) throw new JwtError('bad signature');
      } else {
        throw new JwtError(`unsupported token algorithm ${header.alg ?? '(none)'}`);
      }
      const t = now();
      if (typeof claims.exp !== 'number' || claims.exp <= t) throw new JwtError('token expired');
      if (typeof claims.nbf === 'number' && claims.nbf > t + 30) throw new JwtError('token not yet valid');
      if (!claims.sub) throw new JwtError('token has no subject');
      return claims;
    },
  };
}
