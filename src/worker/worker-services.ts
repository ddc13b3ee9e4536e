import type { Client } from '@temporalio/client';
import type { SessionRegistry } from '../activities/session-registry';
import type { Env } from '../config/env';
import type { Logger } from '../logging/logger';
import type { MirrorEvent } from '../mirror/events';
import { createDirectFirstSender } from '../mirror/direct-first-sender';
import { createMirrorBatcher, type MirrorBatcher } from '../mirror/mirror-batcher';
import { mirrorOutbox } from '../mirror/mirror-outbox';
import { createSupabaseClient, SupabaseMirror } from '../mirror/supabase-mirror';
import { MemoryGuard } from '../ops/memory-guard';
import { createWorkerMetrics, sdkMetricsUrlFor, WorkerMetrics } from '../ops/metrics';

export interface WorkerServices {
  metrics: WorkerMetrics;
  memoryGuard?: MemoryGuard;
  mirror?: SupabaseMirror;
  /**
   * Mirrors events of this worker's activities: batched (mirror-batcher.ts), written to Supabase directly, else
   * handed to the job's mirror workflow (direct-first-sender.ts). Undefined when the mirror is off.
   */
  emitMirror?: (jobId: string, events: MirrorEvent[]) => Promise<void>;
  /** Sends what emitMirror still holds (on shutdown). */
  flushMirror: () => Promise<void>;
}

/** What a worker's activities share besides the browser: metrics, the memory guard, the Supabase mirror. */
export function createWorkerServices(
  env: Env,
  sessions: SessionRegistry,
  client: Client,
  log: Logger,
  sdkMetricsAddress?: string,
): WorkerServices {
  const metrics = createWorkerMetrics(
    {
      activeSessions: () => sessions.activeSessions,
      maxSessions: env.MAX_CONCURRENT_SESSIONS,
      browserRelaunches: () => sessions.browserRelaunches,
    },
    { sdkMetricsUrl: sdkMetricsAddress ? sdkMetricsUrlFor(sdkMetricsAddress) : undefined },
  );
  const memoryGuard = env.MEMORY_HIGH_WATERMARK_MB
    ? new MemoryGuard({ highWatermarkMb: env.MEMORY_HIGH_WATERMARK_MB, sampleMs: env.MEMORY_SAMPLE_MS, measure: env.MEMORY_MEASURE })
    : undefined;
  const mirror =
    env.SUPABASE_URL && env.SUPABASE_SERVICE_ROLE_KEY
      ? new SupabaseMirror(
          createSupabaseClient({ url: env.SUPABASE_URL, serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY }),
          env.SUPABASE_SCREENSHOT_BUCKET,
        )
      : undefined;
  if (!mirror) log.info('Supabase mirror off (set SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY to mirror progress)');
  const batcher: MirrorBatcher | undefined = mirror
    ? createMirrorBatcher({
        send: createDirectFirstSender({
          write: (events) => mirror.applyWithUploads(events),
          toOutbox: mirrorOutbox(client, env.TEMPORAL_TASK_QUEUE),
          logger: log,
        }),
      })
    : undefined;
  return { metrics, memoryGuard, mirror, emitMirror: batcher?.emit, flushMirror: async () => batcher?.flush() };
}
