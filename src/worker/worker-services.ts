import type { Client } from '@temporalio/client';
import type { SessionRegistry } from '../browser/session-registry';
import type { Env } from '../config/env';
import type { Logger } from '../logging/logger';
import { mirrorOutbox } from '../mirror/mirror-outbox';
import { supabasePortalJobs, type PortalJobs } from '../mirror/portal-jobs';
import { NO_MIRROR, type MirrorSink } from '../mirror/sink';
import { createSupabaseClient } from '../mirror/supabase-client';
import { SupabaseStore } from '../mirror/supabase-store';
import type { ArtifactStore } from '../artifacts/artifact-store';
import { LocalArtifactStore } from '../artifacts/local-store';
import { SupabaseArtifactStore } from '../artifacts/supabase-artifact-store';
import { ExpiredStorage } from '../artifacts/expired-storage';
import { createWorkerMirrorSink } from '../mirror/worker-sink';
import { MemoryGuard } from '../ops/memory-guard';
import { startJobWatch } from '../ops/job-watch';
import { createWorkerMetrics, sdkMetricsUrlFor, WorkerMetrics } from '../ops/metrics';

export interface WorkerServices {
  metrics: WorkerMetrics;
  memoryGuard?: MemoryGuard;
  /** Present when SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY are set. */
  supabase?: { store: SupabaseStore; portalJobs: PortalJobs };
  /** Where traces and videos go: ARTIFACT_DIR, and Supabase Storage too when the mirror is on. */
  artifacts: ArtifactStore;
  /** Retention of Storage objects and their mirror rows (mirror on). */
  expiredStorage?: ExpiredStorage;
  /** Where this worker's activities send mirror events (NO_MIRROR when Supabase is off). */
  mirror: MirrorSink;
  /** Sends what the mirror still holds (on shutdown). */
  flushMirror(): Promise<void>;
  /** Publishes job and outbox gauges from Temporal's visibility (JOB_WATCH_INTERVAL_MS; off at 0). */
  jobWatch?: { stop(): void };
}

/** What a worker's activities share besides the browser: metrics, the memory guard, the Supabase mirror. */
export function createWorkerServices(
  env: Env,
  sessions: SessionRegistry,
  client: Client,
  log: Logger,
  sdkMetricsAddress?: string,
): WorkerServices {
  const memoryGuard = env.MEMORY_HIGH_WATERMARK_MB
    ? new MemoryGuard({ highWatermarkMb: env.MEMORY_HIGH_WATERMARK_MB, sampleMs: env.MEMORY_SAMPLE_MS, measure: env.MEMORY_MEASURE })
    : undefined;
  const metrics = createWorkerMetrics(
    {
      activeSessions: () => sessions.activeSessions,
      maxSessions: env.MAX_CONCURRENT_SESSIONS,
      browserRelaunches: () => sessions.stats().browser.relaunches,
      memory: memoryGuard && { lastSampleMb: () => memoryGuard.lastSample?.totalMb, highWatermarkMb: () => memoryGuard.highWatermarkMb },
    },
    { sdkMetricsUrl: sdkMetricsAddress ? sdkMetricsUrlFor(sdkMetricsAddress) : undefined },
  );
  const jobWatch = env.JOB_WATCH_INTERVAL_MS
    ? startJobWatch({ client, intervalMs: env.JOB_WATCH_INTERVAL_MS, record: metrics.recordJobWatch, logger: log })
    : undefined;
  const localArtifacts = new LocalArtifactStore(env.ARTIFACT_DIR);
  if (!env.SUPABASE_URL || !env.SUPABASE_SERVICE_ROLE_KEY) {
    log.info('Supabase mirror off (set SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY to mirror progress)');
    return { metrics, memoryGuard, artifacts: localArtifacts, mirror: NO_MIRROR, flushMirror: () => Promise.resolve(), jobWatch };
  }
  const db = createSupabaseClient({ url: env.SUPABASE_URL, serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY });
  const store = new SupabaseStore(db, env.SUPABASE_SCREENSHOT_BUCKET);
  const outbox = mirrorOutbox(client, env.TEMPORAL_TASK_QUEUE);
  const sink = createWorkerMirrorSink({
    store,
    outbox: async (jobId, events) => {
      await outbox(jobId, events);
      metrics.recordOutboxEvents(events.length);
    },
    logger: log,
  });
  return {
    metrics,
    memoryGuard,
    supabase: { store, portalJobs: supabasePortalJobs(db) },
    artifacts: new SupabaseArtifactStore(localArtifacts, db, env.SUPABASE_ARTIFACT_BUCKET),
    expiredStorage: new ExpiredStorage(db),
    mirror: sink,
    flushMirror: () => sink.flush(),
    jobWatch,
  };
}
