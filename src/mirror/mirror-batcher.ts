import type { MirrorEvent } from './events';

export interface MirrorBatcherOptions {
  /** Sends one batch of a job's events (to Supabase, else to the job's mirror workflow: direct-first-sender.ts). */
  send: (jobId: string, events: MirrorEvent[]) => Promise<void>;
  /** How long events may wait to share a send. Log lines must reach the portal within about a second. */
  intervalMs?: number;
  /** A batch this large goes out at once. */
  maxEvents?: number;
}

export interface MirrorBatcher {
  /** Queues events for the job; resolves once the batch carrying them was sent (rejects if it failed). */
  emit(jobId: string, events: MirrorEvent[]): Promise<void>;
  /** Sends everything queued now (worker shutdown). */
  flush(): Promise<void>;
}

interface Pending {
  events: MirrorEvent[];
  waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }>;
  timer?: NodeJS.Timeout;
}

/**
 * Coalesces a worker's mirror events per job into one send per interval instead of one per log line: one
 * request for many lines. Batches of one job go out one after another, in order. Events still waiting when a
 * worker dies are lost with its session; that row restarts, and its outcome is mirrored by the job workflow,
 * not by these lines.
 */
export function createMirrorBatcher(opts: MirrorBatcherOptions): MirrorBatcher {
  const intervalMs = opts.intervalMs ?? 500;
  const maxEvents = opts.maxEvents ?? 100;
  const pending = new Map<string, Pending>();
  /** The last send of each job: the next one waits for it, so batches arrive in order. */
  const inFlight = new Map<string, Promise<void>>();

  function sendNow(jobId: string): Promise<void> {
    const batch = pending.get(jobId);
    if (!batch) return inFlight.get(jobId) ?? Promise.resolve();
    pending.delete(jobId);
    if (batch.timer) clearTimeout(batch.timer);
    const previous = inFlight.get(jobId) ?? Promise.resolve();
    const sent = previous
      .catch(() => undefined)
      .then(() => opts.send(jobId, batch.events))
      .then(
        () => batch.waiters.forEach((w) => w.resolve()),
        (err: unknown) => batch.waiters.forEach((w) => w.reject(err)),
      )
      .finally(() => {
        if (inFlight.get(jobId) === sent) inFlight.delete(jobId);
      });
    inFlight.set(jobId, sent);
    return sent;
  }

  return {
    emit(jobId, events) {
      return new Promise<void>((resolve, reject) => {
        let batch = pending.get(jobId);
        if (!batch) {
          batch = { events: [], waiters: [] };
          pending.set(jobId, batch);
          batch.timer = setTimeout(() => void sendNow(jobId), intervalMs);
        }
        batch.events.push(...events);
        batch.waiters.push({ resolve, reject });
        if (batch.events.length >= maxEvents) void sendNow(jobId);
      });
    },
    async flush() {
      await Promise.all([...pending.keys()].map((jobId) => sendNow(jobId)));
      await Promise.all([...inFlight.values()]);
    },
  };
}
