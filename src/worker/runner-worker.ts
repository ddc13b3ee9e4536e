import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, WorkflowBundleOption } from '@temporalio/worker';
import { createMirrorActivities } from '../activities/mirror-activities';
import { createRowActivities } from '../activities/row-activities';
import { ensureCleanupSchedule } from './cleanup-schedule';
import { SessionRegistry } from '../browser/session-registry';
import { hostPolicyFromEnv, type Env } from '../config/env';
import type { Logger } from '../logging/logger';
import { resolveToolPaths } from '../support/tools';
import { temporalConnectionOptions } from '../temporal/connection';
import { assertRunSearchAttributes } from '../temporal/search-attribute-check';
import { temporalDataConverter } from '../temporal/payload-encryption';
import { orchestrationQueue, sessionsQueue, workerQueue } from '../temporal/task-queues';
import { startRunnerHealthReporter } from '../mirror/runner-health';
import { installRuntime } from './runtime';
import { createSessionSlotSupplier } from './session-slot-supplier';
import { orchestrationActivities } from './orchestration-activities';
import type { WorkerMetrics } from '../ops/metrics';
import type { MemoryGuard } from '../ops/memory-guard';
import { processTracing } from '../ops/tracing';
import { createWorkerServices } from './worker-services';
import { RunEventLog } from '../results/run-events';
import { StepFeed, stepRunEvent } from './step-feed';

export interface RunnerWorkerOptions {
  env: Env;
  address: string;
  logger: Logger;
  /** Pre-built workflow bundle (tests, benchmarks); else workflows are bundled from source at start. */
  workflowBundle?: WorkflowBundleOption;
}

export interface RunnerWorker {
  workerId: string;
  maxSessions: number;
  sessions: SessionRegistry;
  metrics: WorkerMetrics;
  /** Every step attempt this worker runs, as it happens. */
  stepFeed: StepFeed;
  /** The daily retention Schedule's id (absent: CLEANUP_SCHEDULE=off, or the server refused it). */
  cleanupSchedule?: string;
  /** Present when MEMORY_HIGH_WATERMARK_MB is set. */
  memoryGuard?: MemoryGuard;
  /** Polling all three queues and the server answered its last health check. */
  isReady(): { ready: boolean; reason?: string };
  /** Resolves when every Temporal worker of this process has stopped. */
  done: Promise<void>;
  /** Stop taking rows, let in-flight rows finish (up to SHUTDOWN_GRACE_MS), close the browser. */
  shutdown(): Promise<void>;
  readonly draining: boolean;
}

/**
 * One worker process = three Temporal workers on one connection:
 * - orchestration queue: workflows, prepareJob, results files, the mirror outbox's writes (no browser);
 * - sessions queue: runRowAttempt, one task slot per browser session (MAX_CONCURRENT_SESSIONS), so a full
 *   worker takes no new row and the row goes to another replica;
 * - this worker's own queue: uploads of the screenshots only it has on disk (the mirror outbox's fallback).
 */
export async function startRunnerWorker(opts: RunnerWorkerOptions): Promise<RunnerWorker> {
  const { env, logger } = opts;
  const workerId = env.WORKER_ID;
  const sdkMetricsAddress = env.TEMPORAL_SDK_METRICS_PORT ? `127.0.0.1:${env.TEMPORAL_SDK_METRICS_PORT}` : undefined;
  installRuntime(logger, { sdkMetricsAddress });
  const connectionOptions = temporalConnectionOptions(env, opts.address);
  const connection = await NativeConnection.connect(connectionOptions);
  const clientConnection = await Connection.connect(connectionOptions);
  // Before any poller starts: a namespace without the jobs' search attributes fails every job, so say how to fix it.
  await assertRunSearchAttributes(clientConnection, env.TEMPORAL_NAMESPACE).catch(async (err) => {
    await probeConnection.close();
    await clientConnection.close();
    await connection.close();
    throw err;
  });
  const dataConverter = temporalDataConverter(env);
  const tracing = processTracing(env);
  const client = new Client({
    connection: clientConnection,
    namespace: env.TEMPORAL_NAMESPACE,
    dataConverter,
    interceptors: tracing?.clientInterceptors,
  });
  const { chromium, chromiumHeadlessShell } = resolveToolPaths();
  const sessions = new SessionRegistry({
    chromiumBuilds: { chromium: env.CHROMIUM_PATH ?? chromium, headlessShell: env.CHROMIUM_HEADLESS_SHELL_PATH ?? chromiumHeadlessShell },
    security: { hostPolicy: hostPolicyFromEnv(env) },
  });
  const base = env.TEMPORAL_TASK_QUEUE;
  const ownQueue = workerQueue(base, workerId);
  const log = logger.child({ workerId });
  const { metrics, memoryGuard, supabase, artifacts, expiredStorage, mirror, flushMirror, jobWatch } = createWorkerServices(
    env,
    sessions,
    client,
    log,
    sdkMetricsAddress,
  );
  memoryGuard?.start();
  const mirrorActivities = createMirrorActivities({ store: supabase?.store });
  const stepFeed = new StepFeed();
  const runEvents = new RunEventLog(resolve(env.RESULTS_DIR));
  stepFeed.subscribe((n) => void runEvents.append(n.jobId, stepRunEvent(n)));
  const startedAt = Date.now();

  const common = {
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    identity: workerId,
    shutdownGraceTime: env.SHUTDOWN_GRACE_MS,
    dataConverter,
    ...tracing?.workerOptions(opts.workflowBundle),
  };
  const orchestration = await Worker.create({
    ...common,
    taskQueue: orchestrationQueue(base),
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: resolve(__dirname, '../workflows/index.ts') }),
    activities: orchestrationActivities(env, { supabase, mirrorActivities, expiredStorage, metrics, logger: log }),
  });
  const holders = await Worker.create({
    ...common,
    taskQueue: sessionsQueue(base),
    // One slot per session, withheld while memory is high: how a worker says "no more rows" to Temporal.
    tuner: {
      activityTaskSlotSupplier: createSessionSlotSupplier(env.MAX_CONCURRENT_SESSIONS, memoryGuard),
      workflowTaskSlotSupplier: { type: 'fixed-size', numSlots: 1 },
      localActivityTaskSlotSupplier: { type: 'fixed-size', numSlots: 1 },
      nexusTaskSlotSupplier: { type: 'fixed-size', numSlots: 1 },
    },
    // A cancel reaches a running row with the answer to its next heartbeat: this bounds how late that is
    // (the default, 80% of the heartbeat timeout, would leave a cancelled row's page open for 12 s).
    maxHeartbeatThrottleInterval: '1s',
    activities: createRowActivities({
      sessions,
      workerId,
      mirror,
      workerTaskQueue: ownQueue,
      metrics,
      feed: stepFeed,
      runEvents,
      screenshotDir: resolve(env.SCREENSHOT_DIR),
      artifacts: {
        store: artifacts,
        workDir: join(resolve(env.ARTIFACT_DIR), '.work'),
        ffmpegPath: env.FFMPEG_PATH ?? resolveToolPaths().ffmpeg,
      },
      logger: log,
    }),
  });
  const uploads = await Worker.create({
    ...common,
    taskQueue: ownQueue,
    activities: mirrorActivities,
  });

  let draining = false;
  const holdersDone = holders.run();
  const orchestrationDone = orchestration.run();
  const uploadsDone = uploads.run();
  // Draining order matters: the rows this worker holds still need workflow tasks (when it is the last worker)
  // and their screenshots uploaded, so orchestration and uploads keep running until every session is closed.
  void holdersDone.finally(() => {
    if (orchestration.getState() === 'RUNNING') orchestration.shutdown();
    if (uploads.getState() === 'RUNNING') uploads.shutdown();
  });
  // /ready needs to know the server answers, which a polling worker does not tell. Its own connection, without
  // the client's retries: a retry still waiting when the worker closes would fire into a closed channel.
  const probeConnection = Connection.lazy({ ...connectionOptions, interceptors: [] });
  let serverReachable = true;
  const probe = setInterval(() => {
    probeConnection.healthService.check({}).then(
      () => (serverReachable = true),
      () => (serverReachable = false),
    );
  }, 5000);
  const health = supabase
    ? startRunnerHealthReporter(
        supabase.store,
        env.RUNNER_HEALTH_INTERVAL_MS,
        () => ({
          workerId,
          activeSessions: sessions.activeSessions,
          maxSessions: env.MAX_CONCURRENT_SESSIONS,
          sessionsExecuted: sessions.stats().sessionsOpened,
          failures: sessions.stats().sessionsLost,
          draining,
          startedAt,
        }),
        log,
      )
    : undefined;
  const done = Promise.all([holdersDone, orchestrationDone, uploadsDone]).then(async () => {
    clearInterval(probe);
    health?.stop();
    await health?.beat(); // the last word: draining, no sessions
    memoryGuard?.stop();
    jobWatch?.stop();
    await flushMirror().catch((err) => log.warn({ err: (err as Error).message }, 'last mirror events not sent'));
    await sessions.closeAll();
    await runEvents.close();
    await tracing?.flush().catch((err) => log.warn({ err: (err as Error).message }, 'last spans not exported'));
    await probeConnection.close();
    await clientConnection.close();
    await connection.close();
  });
  log.info({ taskQueue: base, ownQueue, maxSessions: env.MAX_CONCURRENT_SESSIONS }, 'worker started');
  const cleanupSchedule = await ensureCleanupSchedule(client, env, log);

  return {
    workerId,
    maxSessions: env.MAX_CONCURRENT_SESSIONS,
    sessions,
    metrics,
    stepFeed,
    memoryGuard,
    cleanupSchedule,
    isReady() {
      if (draining) return { ready: false, reason: 'draining: shutting down, taking no new rows' };
      if (![orchestration, holders, uploads].every((w) => w.getState() === 'RUNNING'))
        return { ready: false, reason: 'not polling Temporal' };
      if (!serverReachable) return { ready: false, reason: 'Temporal server unreachable' };
      return { ready: true };
    },
    done,
    get draining() {
      return draining;
    },
    async shutdown() {
      if (!draining) {
        draining = true;
        log.info({ activeSessions: sessions.activeSessions }, 'draining: no new rows; waiting for in-flight rows');
        if (holders.getState() === 'RUNNING') holders.shutdown();
      }
      await done;
      log.info('worker stopped');
    },
  };
}
