import { hostname } from 'node:os';
import type { Logger } from '../logging/logger';
import type { SupabaseStore } from './supabase-store';

export interface RunnerSnapshot {
  workerId: string;
  activeSessions: number;
  maxSessions: number;
  sessionsExecuted: number;
  failures: number;
  draining: boolean;
  startedAt: number;
}

/**
 * Upserts this worker's runner_health row on an interval, outside Temporal: it describes the process, so a
 * missed beat is itself the signal (the portal alerts on a stale last_heartbeat).
 */
export function startRunnerHealthReporter(
  store: SupabaseStore,
  intervalMs: number,
  snapshot: () => RunnerSnapshot,
  logger: Logger,
): { beat(): Promise<void>; stop(): void } {
  let failingSince: number | undefined;
  const beat = async () => {
    const s = snapshot();
    try {
      await store.upsertRunnerHealth({
        worker_id: s.workerId,
        hostname: hostname(),
        last_heartbeat: new Date().toISOString(),
        active_sessions: s.activeSessions,
        max_sessions: s.maxSessions,
        sessions_executed: s.sessionsExecuted,
        failures: s.failures,
        uptime_seconds: Math.round((Date.now() - s.startedAt) / 1000),
        draining: s.draining,
        started_at: new Date(s.startedAt).toISOString(),
      });
      if (failingSince) logger.info('runner_health: Supabase reachable again');
      failingSince = undefined;
    } catch (err) {
      if (!failingSince) logger.warn({ err: (err as Error).message }, 'runner_health: Supabase unreachable; will keep trying');
      failingSince ??= Date.now();
    }
  };
  void beat();
  const timer = setInterval(() => void beat(), intervalMs);
  timer.unref();
  return { beat, stop: () => clearInterval(timer) };
}
