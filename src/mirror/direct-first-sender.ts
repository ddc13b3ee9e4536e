import type { Logger } from '../logging/logger';
import type { MirrorEvent } from './events';

export interface DirectFirstSenderOptions {
  /** Writes events straight to Supabase from this worker (supabase-js). */
  write: (events: MirrorEvent[]) => Promise<void>;
  /** Hands events to the job's durable outbox (the mirror workflow), which retries them until Supabase answers. */
  toOutbox: (jobId: string, events: MirrorEvent[]) => Promise<void>;
  /** A direct write slower than this goes to the outbox (it may still land: writes are idempotent). */
  writeTimeoutMs?: number;
  /** After a failed direct write, events go straight to the outbox for this long before Supabase is tried again. */
  retryDirectAfterMs?: number;
  logger: Logger;
  now?: () => number;
}

/**
 * Sends a worker's mirror events (step logs, a row's session opening, screenshots) to Supabase directly, and
 * to the job's mirror workflow only when that fails. The direct write costs one HTTP request and no Temporal
 * work at all, which on a busy worker is the difference between a mirror that slows every step and one that
 * does not (BENCHMARKS.md). Durability is unchanged: whatever Supabase does not accept goes to the outbox,
 * which Temporal retries until Supabase is back, and ids are deterministic, so a write that both landed late
 * and went to the outbox is still stored once. While Supabase is failing, events skip the direct attempt for
 * `retryDirectAfterMs`, so an outage costs one timeout, not one per batch.
 */
export function createDirectFirstSender(opts: DirectFirstSenderOptions): (jobId: string, events: MirrorEvent[]) => Promise<void> {
  const timeoutMs = opts.writeTimeoutMs ?? 5000;
  const retryAfterMs = opts.retryDirectAfterMs ?? 10_000;
  const now = opts.now ?? Date.now;
  let directAgainAt = 0;

  async function writeWithin(events: MirrorEvent[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([opts.write(events), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  return async (jobId, events) => {
    if (now() >= directAgainAt) {
      try {
        await writeWithin(events);
        return;
      } catch (err) {
        directAgainAt = now() + retryAfterMs;
        opts.logger.warn(
          { jobId, events: events.length, err: (err as Error).message },
          "Supabase write failed: events go to the job's mirror workflow, which retries them",
        );
      }
    }
    await opts.toOutbox(jobId, events);
  };
}
