import { resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, WorkflowBundleOption } from '@temporalio/worker';
import { createJobActivities } from '../activities/job-activities';
import { createSessionHolderActivities } from '../activities/session-holder-activities';
import { SessionRegistry } from '../activities/session-registry';
import { createStepActivities } from '../activities/step-activities';
import type { Env } from '../config/env';
import type { Logger } from '../logging/logger';
import { resolveToolPaths } from '../support/tools';
import { temporalConnectionOptions } from '../temporal/connection';
import { temporalDataConverter } from '../temporal/payload-encryption';
import { orchestrationQueue, sessionsQueue, workerQueue } from '../temporal/task-queues';
import { sessionReadySignal } from '../workflows/definitions';
import { createMirrorActivities } from '../activities/mirror-activities';
import { startRunnerHealthReporter } from '../mirror/runner-health';
import { secretColumnMatcher } from '../recording/secrets';
import { installRuntime } from './runtime';
import { createSessionSlotSupplier } from './session-slot-supplier';
import type { WorkerMetrics } from '../ops/metrics';
import type { MemoryGuard } from '../ops/memory-guard';
import { createWorkerServices } from './worker-services';

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
 * - orchestration queue: workflows and prepareJob (no browser);
 * - sessions queue: holdSession, with MAX_CONCURRENT_SESSIONS task slots, so a full worker takes no new row;
 * - this worker's own queue: the steps of the sessions it holds.
 */
export async function startRunnerWorker(opts: RunnerWorkerOptions): Promise<RunnerWorker> {
  const { env, logger } = opts;
  const workerId = env.WORKER_ID;
  const sdkMetricsAddress = env.TEMPORAL_SDK_METRICS_PORT ? `127.0.0.1:${env.TEMPORAL_SDK_METRICS_PORT}` : undefined;
  installRuntime(logger, { sdkMetricsAddress });
  const connectionOptions = temporalConnectionOptions(env, opts.address);
  const connection = await NativeConnection.connect(connectionOptions);
  const clientConnection = await Connection.connect(connectionOptions);
  const dataConverter = temporalDataConverter(env);
  const client = new Client({ connection: clientConnection, namespace: env.TEMPORAL_NAMESPACE, dataConverter });
  const { chromium } = resolveToolPaths();
  const sessions = new SessionRegistry({ executablePath: env.CHROMIUM_PATH ?? chromium });
  const base = env.TEMPORAL_TASK_QUEUE;
  const ownQueue = workerQueue(base, workerId);
  const log = logger.child({ workerId });
  const { metrics, memoryGuard, mirror, emitMirror, flushMirror } = createWorkerServices(env, sessions, client, log, sdkMetricsAddress);
  memoryGuard?.start();
  const mirrorActivities = createMirrorActivities({ mirror, logger: log });
  const startedAt = Date.now();

  const common = {
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    identity: workerId,
    shutdownGraceTime: env.SHUTDOWN_GRACE_MS,
    dataConverter,
  };
  const orchestration = await Worker.create({
    ...common,
    taskQueue: orchestrationQueue(base),
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: resolve(__dirname, '../workflows/index.ts') }),
    activities: {
      ...mirrorActivities,
      ...createJobActivities({
        mirror,
        limits: {
          isSecretColumn: secretColumnMatcher(env.SECRET_COLUMNS),
          maxRowsPerJob: env.MAX_ROWS_PER_JOB,
          maxSessionRestarts: env.MAX_SESSION_RESTARTS,
          sessionHeartbeatTimeoutMs: env.SESSION_HEARTBEAT_TIMEOUT_MS,
        },
        resultsDir: resolve(env.RESULTS_DIR),
        logger: log,
        metrics,
      }),
    },
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
    activities: createSessionHolderActivities({
      sessions,
      workerId,
      workerTaskQueue: ownQueue,
      logger: log,
      metrics,
      emitMirror,
      signalSessionReady: (workflowId, runId, ready) => client.workflow.getHandle(workflowId, runId).signal(sessionReadySignal, ready),
    }),
  });
  const steps = await Worker.create({
    ...common,
    taskQueue: ownQueue,
    // A step and a release may overlap per session; never the bottleneck.
    maxConcurrentActivityTaskExecutions: env.MAX_CONCURRENT_SESSIONS * 4,
    activities: {
      ...mirrorActivities,
      ...createStepActivities({
        sessions,
        emitMirror,
        workerTaskQueue: ownQueue,
        screenshotDir: resolve(env.SCREENSHOT_DIR),
        logger: log,
        metrics,
      }),
    },
  });

  let draining = false;
  const holdersDone = holders.run();
  const orchestrationDone = orchestration.run();
  const stepsDone = steps.run();
  // Draining order matters: the rows this worker holds still need workflow tasks and their steps, so
  // orchestration and steps keep running until every held session has been given back.
  void holdersDone.finally(() => {
    if (orchestration.getState() === 'RUNNING') orchestration.shutdown();
    if (steps.getState() === 'RUNNING') steps.shutdown();
  });
  // /ready needs to know the server answers, which a polling worker does not tell.
  let serverReachable = true;
  const probe = setInterval(() => {
    clientConnection.healthService.check({}).then(
      () => (serverReachable = true),
      () => (serverReachable = false),
    );
  }, 5000);
  const health = mirror
    ? startRunnerHealthReporter(
        mirror,
        env.RUNNER_HEALTH_INTERVAL_MS,
        () => ({
          workerId,
          activeSessions: sessions.activeSessions,
          maxSessions: env.MAX_CONCURRENT_SESSIONS,
          sessionsExecuted: sessions.sessionsExecuted,
          failures: sessions.sessionsLost,
          draining,
          startedAt,
        }),
        log,
      )
    : undefined;
  const done = Promise.all([holdersDone, orchestrationDone, stepsDone]).then(async () => {
    clearInterval(probe);
    health?.stop();
    await health?.beat(); // the last word: draining, no sessions
    memoryGuard?.stop();
    await flushMirror().catch((err) => log.warn({ err: (err as Error).message }, 'last mirror events not sent'));
    await sessions.closeAll();
    await clientConnection.close();
    await connection.close();
  });
  log.info({ taskQueue: base, ownQueue, maxSessions: env.MAX_CONCURRENT_SESSIONS }, 'worker started');

  return {
    workerId,
    maxSessions: env.MAX_CONCURRENT_SESSIONS,
    sessions,
    metrics,
    memoryGuard,
    isReady() {
      if (draining) return { ready: false, reason: 'draining: shutting down, taking no new rows' };
      if (![orchestration, holders, steps].every((w) => w.getState() === 'RUNNING'))
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
