import type { Logger } from '../logging/logger';
import { createDirectFirstSender } from './direct-first-sender';
import { createMirrorBatcher } from './mirror-batcher';
import type { MirrorSink } from './sink';
import type { SupabaseStore } from './supabase-store';

export interface WorkerMirrorSink extends MirrorSink {
  /** Sends what is still queued (worker shutdown). */
  flush(): Promise<void>;
}

/**
 * The worker side of the mirror: what happens on this worker (a row's session opening, its step log lines,
 * screenshots) is coalesced per job (mirror-batcher.ts), written to Supabase directly, and handed to the job's
 * outbox workflow only when that write fails (direct-first-sender.ts).
 */
export function createWorkerMirrorSink(options: {
  store: SupabaseStore;
  outbox: (jobId: string, events: Parameters<MirrorSink['emit']>[1]) => Promise<void>;
  logger: Logger;
}): WorkerMirrorSink {
  const batcher = createMirrorBatcher({
    send: createDirectFirstSender({
      write: (events) => options.store.applyWithUploads(events),
      toOutbox: options.outbox,
      logger: options.logger,
    }),
  });
  return { emit: batcher.emit, flush: batcher.flush };
}
