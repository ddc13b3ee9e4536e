/**
 * The Runs API server (fastify): bearer auth on /api/v1/runs* and /api/v1/schedules*, one error shape, routes per resource. New
 * resources (screenshots, artifacts) go in their own src/api/routes/<resource>.ts
 * and register in `registerRoutes`; under /api/v1/runs they are authenticated and can scope to the owner with
 * `ctx.runs.owned(principalOf(request), id)`.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Client, Connection } from '@temporalio/client';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Env } from '../config/env';
import type { Logger } from '../logging/logger';
import { createAuthenticator, parseApiTokens } from './auth';
import { Capacity } from './capacity';
import type { ApiContext } from './context';
import { errorBody, installErrorHandler } from './errors';
import { createJwtVerifier } from './jwt';
import { openApiDocument } from './openapi';
import { supabaseRecordings } from './recordings';
import { RunEventHub } from './run-event-hub';
import { runView } from './run-view';
import { RunService } from './run-service';
import { runArtifactRoutes } from './routes/run-artifacts';
import { runEventRoutes } from './routes/run-events';
import { runReportRoutes } from './routes/run-reports';
import { runRowRoutes } from './routes/run-rows';
import { runRoutes } from './routes/runs';
import { scheduleRoutes } from './routes/schedules';

export interface ApiServerOptions {
  env: Env;
  client: Client;
  logger: Logger;
  supabase?: SupabaseClient;
}

function registerRoutes(app: FastifyInstance, ctx: ApiContext): void {
  runRoutes(app, ctx);
  runRowRoutes(app, ctx);
  runEventRoutes(app, ctx);
  runReportRoutes(app, ctx);
  runArtifactRoutes(app, ctx);
  scheduleRoutes(app, ctx);
}

export async function buildApiServer(opts: ApiServerOptions): Promise<{ app: FastifyInstance; ctx: ApiContext }> {
  const { env, client, logger } = opts;
  const jwt =
    env.SUPABASE_JWT_SECRET || env.SUPABASE_JWKS_URL
      ? createJwtVerifier({ secret: env.SUPABASE_JWT_SECRET, jwksUrl: env.SUPABASE_JWKS_URL })
      : undefined;
  const authenticate = createAuthenticator({ apiTokens: parseApiTokens(env.API_TOKENS), jwt });
  const capacity = new Capacity(client, {
    maxActiveRuns: env.API_MAX_ACTIVE_RUNS,
    maxActiveRunsPerOwner: env.API_MAX_ACTIVE_RUNS_PER_OWNER,
    retryAfterS: env.API_RETRY_AFTER_S,
  });
  const runs = new RunService({ client, env, recordings: supabaseRecordings(opts.supabase), capacity });
  const hub = new RunEventHub({
    resultsDir: env.RESULTS_DIR,
    async closedView(runId) {
      const handle = client.workflow.getHandle(`execution-${runId}`);
      const description = await handle.describe();
      if (description.status.name === 'RUNNING') return undefined;
      return runView(description, await runs.detail({ handle: handle as never, description }));
    },
  });
  const ctx: ApiContext = { env, client, runs, hub, authenticate, logger, keepAliveMs: env.API_SSE_KEEPALIVE_MS };
  // Fastify's own request log would carry the Authorization header's neighbours; ours logs no header at all.
  const app = Fastify({ logger: false, bodyLimit: 4 * 1024 * 1024 });
  installErrorHandler(app, logger);
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/v1/runs') && !request.url.startsWith('/api/v1/schedules')) return;
    (request as unknown as { principal: unknown }).principal = await authenticate(request);
  });
  app.addHook('onResponse', async (request, reply) => {
    logger.debug(
      { method: request.method, route: request.routeOptions.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'api request',
    );
  });
  app.get('/health', async (_request, reply) => {
    const reachable = await (client.connection as Connection).healthService.check({}).then(
      () => true,
      () => false,
    );
    if (!reachable) return reply.status(503).send(errorBody('QUEUE_UNAVAILABLE', 'Temporal cannot be reached'));
    return { status: 'ok' };
  });
  app.get('/api/v1/openapi.json', async () => openApiDocument());
  registerRoutes(app, ctx);
  app.addHook('onClose', async () => hub.close());
  return { app, ctx };
}
