/**
 * Builds the health server's callbacks from the parts of a running worker. Kept separate from the server so
 * the policy (what counts as degraded, when a worker is not ready) is readable in one place:
 * - degraded (503 on /health, so liveness restarts the pod) only when the browser cannot be launched: a
 *   worker that cannot open sessions is useless, while a draining or busy one is healthy;
 * - not ready while starting or draining. Memory above the watermark is reported but does not unready the
 *   pod (the slot supplier already stops new sessions; unready pods only slow rolling updates down).
 */
import type { HealthReport, ReadyReport } from './health-server';
import type { MemoryGuard } from './memory-guard';

export interface WorkerHealthSource {
  workerId: string;
  maxSessions: number;
  activeSessions(): number;
  draining(): boolean;
  /** connected: a browser process is up (false before the first session is normal: browsers launch lazily). */
  browser(): { connected: boolean; relaunches: number; launchError?: string };
  /** True once the Temporal workers poll; default always true. */
  started?(): boolean;
  memoryGuard?: Pick<MemoryGuard, 'lastSample' | 'highWatermarkMb' | 'enabled' | 'isHigh'>;
  /** Process start, ms since epoch; default when createWorkerHealth is called. */
  startedAt?: number;
}

const MB = 1024 * 1024;
const round1 = (n: number) => Math.round(n * 10) / 10;

export function createWorkerHealth(src: WorkerHealthSource): { health(): HealthReport; ready(): ReadyReport } {
  const startedAt = src.startedAt ?? Date.now();
  return {
    health() {
      const browser = src.browser();
      const mem = process.memoryUsage();
      const sample = src.memoryGuard?.lastSample;
      const reasons: string[] = [];
      if (browser.launchError) reasons.push(`browser cannot be launched: ${browser.launchError}`);
      const report: HealthReport = {
        status: reasons.length === 0 ? 'ok' : 'degraded',
        ...(reasons.length > 0 ? { reasons } : {}),
        workerId: src.workerId,
        activeSessions: src.activeSessions(),
        maxSessions: src.maxSessions,
        draining: src.draining(),
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
        memory: {
          rssMb: round1(mem.rss / MB),
          heapUsedMb: round1(mem.heapUsed / MB),
          ...(sample && sample.source === 'proc' ? { browserRssMb: sample.childrenMb } : {}),
          ...(src.memoryGuard?.enabled
            ? { highWatermarkMb: src.memoryGuard.highWatermarkMb, aboveWatermark: src.memoryGuard.isHigh() }
            : {}),
        },
        browser: { connected: browser.connected, relaunches: browser.relaunches },
      };
      return report;
    },
    ready() {
      if (src.started && !src.started()) return { ready: false, reason: 'starting: not polling Temporal yet' };
      if (src.draining()) return { ready: false, reason: 'draining: shutting down, taking no new rows' };
      return { ready: true };
    },
  };
}
