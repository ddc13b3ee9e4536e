/**
 * Starts the Runs API against a Temporal address: `npm run api` (src/api.ts) and the embedded default
 * `npm start` (src/worker.ts). The connection is lazy, so the API answers QUEUE_UNAVAILABLE (503) while
 * Temporal is down instead of refusing to start.
 */
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { Env } from '../config/env';
import type { Logger } from '../logging/logger';
import { createSupabaseClient } from '../mirror/supabase-client';
import { temporalConnectionOptions } from '../temporal/connection';
import { temporalDataConverter } from '../temporal/payload-encryption';
import { buildApiServer } from './server';

export interface RunningApi {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startApi(env: Env, address: string, logger: Logger, port = env.API_PORT): Promise<RunningApi> {
  const connection = Connection.lazy({
    ...temporalConnectionOptions(env, address),
    // A request waits for Temporal a few seconds at most, then answers QUEUE_UNAVAILABLE (the default retries ~1 min).
    connectTimeout: '3s',
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 3 }))],
  });
  const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE, dataConverter: temporalDataConverter(env) });
  const supabase =
    env.SUPABASE_URL && env.SUPABASE_SERVICE_ROLE_KEY
      ? createSupabaseClient({ url: env.SUPABASE_URL, serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY })
      : undefined;
  const { app } = await buildApiServer({ env, client, logger, supabase });
  await app.listen({ port, host: env.API_HOST });
  const bound = (app.server.address() as { port: number }).port;
  const url = `http://${env.API_HOST}:${bound}`;
  logger.info({ url }, 'Runs API listening');
  return {
    url,
    port: bound,
    async close() {
      await app.close();
      await connection.close();
    },
  };
}
