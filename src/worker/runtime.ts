import { DefaultLogger, LogLevel, Runtime } from '@temporalio/worker';
import type { Logger } from '../logging/logger';
import { sdkPrometheusMetricsOptions } from '../ops/metrics';

let installed = false;

const LEVELS: Record<string, LogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
  silent: 'ERROR',
};

/** A failed step is an ordinary test outcome that our own logs report; the SDK warns about each one. */
const ROUTINE_SDK_MESSAGES = new Set(['Activity failed', 'No workflows registered, not polling for workflow tasks']);

/** Routes the SDK's own logs through pino at our level. The Runtime is process-wide and installs once. */
export function installRuntime(logger: Logger, opts: { sdkMetricsAddress?: string } = {}): void {
  if (installed) return;
  installed = true;
  const level = LEVELS[logger.level] ?? 'INFO';
  Runtime.install({
    // src/worker.ts owns SIGTERM/SIGINT: it drains sessions before stopping workflows and steps. The SDK's
    // default handlers would stop every worker at once and strand the rows still running here.
    shutdownSignals: [],
    ...(opts.sdkMetricsAddress ? { telemetryOptions: { metrics: sdkPrometheusMetricsOptions(opts.sdkMetricsAddress) } } : {}),
    logger: new DefaultLogger(level, (entry) => {
      const routine = ROUTINE_SDK_MESSAGES.has(entry.message);
      const fn = routine
        ? 'debug'
        : entry.level === 'ERROR'
          ? 'error'
          : entry.level === 'WARN'
            ? 'warn'
            : entry.level === 'INFO'
              ? 'info'
              : 'debug';
      logger[fn]({ sdk: entry.meta }, entry.message);
    }),
  });
}
