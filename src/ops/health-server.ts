/**
 * The worker's HTTP face for orchestrators and Prometheus: /health (liveness: is this process able to run
 * rows at all), /ready (readiness: is it taking new rows) and /metrics. Plain fastify, no request logging.
 */
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import type { Logger } from 'pino';

export interface HealthReport {
  /** 'degraded' answers 503: e.g. the browser cannot be (re)launched. */
  status: 'ok' | 'degraded';
  /** Why the status is degraded, when it is. */
  reasons?: string[];
  workerId: string;
  activeSessions: number;
  maxSessions: number;
  draining: boolean;
  uptimeSeconds: number;
  memory: {
    rssMb: number;
    heapUsedMb: number;
    /** RSS of the browser processes (children of this process), when measured. */
    browserRssMb?: number;
    /** Set when a memory watermark is configured: above it the worker takes no new sessions. */
    highWatermarkMb?: number;
    aboveWatermark?: boolean;
  };
  browser: { connected: boolean; relaunches: number };
}

export interface ReadyReport {
  ready: boolean;
  reason?: string;
}

export interface HealthServerOptions {
  /** 0 picks a free port (see the returned port). */
  port: number;
  /** Default 0.0.0.0 (probes come from outside the container). */
  host?: string;
  logger?: Logger;
  health: () => HealthReport;
  ready: () => ReadyReport;
  metrics: () => Promise<string>;
  metricsContentType: string;
}

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/** Probes hit these every few seconds: per-request lines (and unknown routes) stay at debug. */
class QuietLogController extends LogController {
  constructor() {
    super({ disableRequestLogging: true });
  }
  override routeNotFound(request: Parameters<LogController['routeNotFound']>[0]): void {
    request.log.debug(`route ${request.method} ${request.url} not found`);
  }
}

export async function startHealthServer(opts: HealthServerOptions): Promise<HealthServer> {
  const log = opts.logger?.child({ component: 'health-server' });
  // Fastify's own info lines ("Server listening at", request lines) are noise at info; they show at debug.
  const fastifyLog = log?.child({}, { level: log.isLevelEnabled('debug') ? log.level : 'warn' });
  const app = Fastify({
    ...(fastifyLog ? { loggerInstance: fastifyLog as unknown as FastifyBaseLogger } : { logger: false }),
    logController: new QuietLogController(),
    // Probes must never queue behind a slow client.
    requestTimeout: 10_000,
    forceCloseConnections: true,
  });

  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('cache-control', 'no-store');
    return payload;
  });

  app.get('/health', async (_req, reply) => {
    let report: HealthReport;
    try {
      report = opts.health();
    } catch (err) {
      log?.warn({ err }, 'health check failed');
      return reply.code(503).send({ status: 'degraded', reasons: [`health check failed: ${errorMessage(err)}`] });
    }
    return reply.code(report.status === 'ok' ? 200 : 503).send(report);
  });

  app.get('/ready', async (_req, reply) => {
    let report: ReadyReport;
    try {
      report = opts.ready();
    } catch (err) {
      report = { ready: false, reason: `readiness check failed: ${errorMessage(err)}` };
    }
    const body: ReadyReport = report.ready ? { ready: true } : { ready: false, reason: report.reason ?? 'not ready' };
    return reply.code(report.ready ? 200 : 503).send(body);
  });

  app.get('/metrics', async (_req, reply) => {
    try {
      const text = await opts.metrics();
      return reply.code(200).header('content-type', opts.metricsContentType).send(text);
    } catch (err) {
      log?.warn({ err }, 'metrics rendering failed');
      return reply
        .code(500)
        .header('content-type', 'text/plain; charset=utf-8')
        .send(`# metrics unavailable: ${errorMessage(err)}\n`);
    }
  });

  await app.listen({ port: opts.port, host: opts.host ?? '0.0.0.0' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  log?.info({ port }, 'health server listening (/health, /ready, /metrics)');

  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= app.close();
      return closing;
    },
  };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
