/**
 * A Temporal "remote codec" endpoint: the Web UI (and `temporal workflow show --codec-endpoint`) send it the
 * encrypted payloads they display, and show what it returns. Decryption happens here, in a process that holds
 * TEMPORAL_PAYLOAD_KEY, for the operator's own browser; the Temporal server never sees the key.
 * It hands out plaintext, so it is off unless CODEC_SERVER_PORT is set, listens on 127.0.0.1 by default and
 * answers browsers only from CODEC_SERVER_ORIGINS (the Web UI's origin).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { Env } from '../config/env';
import type { Logger } from '../logging/logger';

interface JsonPayload {
  metadata?: Record<string, string> | null;
  data?: string | null;
}

export interface CodecServerOptions {
  codec: PayloadCodec;
  port: number;
  host?: string;
  /** Browser origins allowed to call it (CORS): the Web UI's. Requests without an Origin (the CLI) always pass. */
  allowedOrigins: string[];
  logger?: Logger;
}

export interface CodecServer {
  url: string;
  close(): Promise<void>;
}

const fromJson = ({ metadata, data }: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: data ? Buffer.from(data, 'base64') : undefined,
});
const toJson = ({ metadata, data }: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: data ? Buffer.from(data).toString('base64') : undefined,
});

function isPayloadList(body: unknown): body is { payloads: JsonPayload[] } {
  const payloads = (body as { payloads?: unknown } | null)?.payloads;
  return Array.isArray(payloads) && payloads.every((p) => p !== null && typeof p === 'object');
}

/** CODEC_SERVER_ORIGINS, else the embedded Web UI's origin (TEMPORAL_UI_PORT) by either name. */
export function codecServerOrigins(env: Pick<Env, 'CODEC_SERVER_ORIGINS' | 'TEMPORAL_UI_PORT'>): string[] {
  const origins = env.CODEC_SERVER_ORIGINS ?? `http://127.0.0.1:${env.TEMPORAL_UI_PORT},http://localhost:${env.TEMPORAL_UI_PORT}`;
  return origins.split(',').map((o) => o.trim());
}

export async function startCodecServer(opts: CodecServerOptions): Promise<CodecServer> {
  const app: FastifyInstance = Fastify({ logger: false, bodyLimit: 8 << 20 });
  const allowed = new Set(opts.allowedOrigins);

  app.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    if (origin === undefined) return;
    if (!allowed.has(origin)) {
      return reply.code(403).send({ error: `origin ${origin} is not in CODEC_SERVER_ORIGINS` });
    }
    reply.header('access-control-allow-origin', origin);
    reply.header('access-control-allow-credentials', 'true');
    reply.header('vary', 'origin');
    if (req.method === 'OPTIONS') {
      reply.header('access-control-allow-methods', 'POST, OPTIONS');
      reply.header('access-control-allow-headers', 'content-type, x-namespace, authorization');
      return reply.code(204).send();
    }
  });
  app.options('/*', async (_req, reply) => reply.code(204).send());

  for (const route of ['encode', 'decode'] as const) {
    app.post(`/${route}`, async (req, reply) => {
      if (!isPayloadList(req.body)) return reply.code(400).send({ error: 'expected a JSON body { "payloads": [...] }' });
      try {
        const payloads = await opts.codec[route](req.body.payloads.map(fromJson));
        return { payloads: payloads.map(toJson) };
      } catch (err) {
        opts.logger?.warn({ err: (err as Error).message }, `codec server: ${route} failed`);
        return reply.code(422).send({ error: (err as Error).message });
      }
    });
  }

  const host = opts.host ?? '127.0.0.1';
  await app.listen({ port: opts.port, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return { url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`, close: () => app.close() };
}
