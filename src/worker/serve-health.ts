import type { Env } from '../config/env';
import type { Logger } from '../logging/logger';
import { HealthServer, startHealthServer } from '../ops/health-server';
import { createWorkerHealth } from '../ops/worker-health';
import type { RunnerWorker } from './runner-worker';

/** /health, /ready and /metrics of one worker process (HEALTH_PORT). */
export function serveWorkerHealth(
  worker: RunnerWorker,
  env: Pick<Env, 'HEALTH_PORT' | 'HEALTH_HOST'>,
  logger?: Logger,
): Promise<HealthServer> {
  const { health } = createWorkerHealth({
    workerId: worker.workerId,
    maxSessions: worker.maxSessions,
    activeSessions: () => worker.sessions.activeSessions,
    draining: () => worker.draining,
    browser: () => worker.sessions.stats().browser,
    memoryGuard: worker.memoryGuard,
  });
  worker.metrics.observeReadiness(() => worker.isReady().ready);
  return startHealthServer({
    port: env.HEALTH_PORT,
    host: env.HEALTH_HOST,
    logger,
    health,
    ready: () => worker.isReady(),
    metrics: () => worker.metrics.render(),
    metricsContentType: worker.metrics.contentType,
  });
}
