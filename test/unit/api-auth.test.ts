import { createServer, type Server } from 'node:http';
import { generateKeyPairSync, sign } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { createAuthenticator, parseApiTokens, sha256Hex } from '../../src/api/auth';
import { ApiError } from '../../src/api/errors';
import { createJwtVerifier } from '../../src/api/jwt';
import { hs256 } from '../support/api-process';

const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const later = () => Math.floor(Date.now() / 1000) + 600;

describe('API authentication', () => {
  let jwks: Server;
  let jwksUrl: string;
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signed = (alg: 'RS256' | 'ES256', kid: string, claims: object) => {
    const head = `${enc({ alg, kid, typ: 'JWT' })}.${enc(claims)}`;
    const key = alg === 'RS256' ? rsa.privateKey : { key: ec.privateKey, dsaEncoding: 'ieee-p1363' as const };
    return `${head}.${sign('sha256', Buffer.from(head), key).toString('base64url')}`;
  };
  beforeAll(async () => {
    const keys = [
      { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1', alg: 'RS256' },
      { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1', alg: 'ES256' },
    ];
    jwks = createServer((_req, res) => res.end(JSON.stringify({ keys })));
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
    jwksUrl = `http://127.0.0.1:${(jwks.address() as { port: number }).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise((r) => jwks.close(r)));

  it('verifies HS256 with the secret and RS256/ES256 with the JWKS, refusing expired, forged and unsigned tokens', async () => {
    const v = createJwtVerifier({ secret: 'a-secret-of-sufficient-length', jwksUrl });
    await expect(v.verify(hs256('a-secret-of-sufficient-length', { sub: 'u1', exp: later() }))).resolves.toMatchObject({ sub: 'u1' });
    await expect(v.verify(signed('RS256', 'rsa-1', { sub: 'u2', exp: later() }))).resolves.toMatchObject({ sub: 'u2' });
    await expect(v.verify(signed('ES256', 'ec-1', { sub: 'u3', exp: later() }))).resolves.toMatchObject({ sub: 'u3' });
    await expect(v.verify(signed('RS256', 'rsa-2', { sub: 'u2', exp: later() }))).rejects.toThrow('unknown signing key');
    await expect(v.verify(hs256('a-secret-of-sufficient-length', { sub: 'u1', exp: 1 }))).rejects.toThrow('token expired');
    await expect(v.verify(hs256('another-secret-entirely!!', { sub: 'u1', exp: later() }))).rejects.toThrow('bad signature');
    await expect(v.verify(`${enc({ alg: 'none' })}.${enc({ sub: 'x', exp: later() })}.`)).rejects.toThrow(
      'unsupported token algorithm none',
    );
    await expect(v.verify('a.b')).rejects.toThrow('malformed token');
  });

  it('matches API tokens by hash and says which part of the header is wrong', async () => {
    expect(() => parseApiTokens('ci:not-a-hash')).toThrow('API_TOKENS');
    const auth = createAuthenticator({ apiTokens: parseApiTokens(`ci-owner:${sha256Hex('s3cret')}`) });
    const req = (authorization?: string) => ({ headers: authorization ? { authorization } : {} }) as FastifyRequest;
    await expect(auth(req('Bearer s3cret'))).resolves.toEqual({ ownerId: 'ci-owner', kind: 'api-token' });
    for (const [header, message] of [
      [undefined, 'Missing Authorization header'],
      ['Basic s3cret', 'Malformed Authorization header'],
      ['Bearer wrong', 'Invalid token'],
    ] as const) {
      const err = await auth(req(header)).catch((e: ApiError) => e);
      expect([(err as ApiError).code, (err as ApiError).message]).toEqual(['UNAUTHORIZED', expect.stringContaining(message)]);
    }
  });
});
