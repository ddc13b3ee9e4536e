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
import { orchestrationQueue, sessionsQueue, workerQueue } from '../temporal/task-queues';
import { sessionReadySignal } from '../workflows/definitions';
import { installRuntime } from './runtime';

export interface RunnerWorkerOptions {
  env: Env;
  address: string;
  logger: Logger;
  /** Pre-built workflow bundle (tests, benchmarks); else workflows are bundled from source at start. */
  workflowBundle?: WorkflowBundleOption;
}

export interface RunnerWorker {
  workerId: string;
  sessions: SessionRegistry;
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
  installRuntime(logger);
  const connectionOptions = temporalConnectionOptions(env, opts.address);
  const connection = await NativeConnection.connect(connectionOptions);
  const clientConnection = await Connection.connect(connectionOptions);
  const client = new Client({ connection: clientConnection, namespace: env.TEMPORAL_NAMESPACE });
  const { chromium } = resolveToolPaths();
  const sessions = new SessionRegistry({ executablePath: env.CHROMIUM_PATH ?? chromium });
  const base = env.TEMPORAL_TASK_QUEUE;
  const ownQueue = workerQueue(base, workerId);
  const log = logger.child({ workerId });

  const common = { connection, namespace: env.TEMPORAL_NAMESPACE, identity: workerId, shutdownGraceTime: env.SHUTDOWN_GRACE_MS };
  const orchestration = await Worker.create({
    ...common,
    taskQueue: orchestrationQueue(base),
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: resolve(__dirname, '../workflows/index.ts') }),
    activities: createJobActivities({
      limits: {
        maxRowsPerJob: env.MAX_ROWS_PER_JOB,
        maxSessionRestarts: env.MAX_SESSION_RESTARTS,
        sessionHeartbeatTimeoutMs: env.SESSION_HEARTBEAT_TIMEOUT_MS,
      },
      resultsDir: resolve(env.RESULTS_DIR),
      logger: log,
    }),
  });
  const holders = await Worker.create({
    ...common,
    taskQueue: sessionsQueue(base),
    maxConcurrentActivityTaskExecutions: env.MAX_CONCURRENT_SESSIONS,
    activities: createSessionHolderActivities({
      sessions,
      workerId,
      workerTaskQueue: ownQueue,
      logger: log,
      signalSessionReady: (workflowId, runId, ready) => client.workflow.getHandle(workflowId, runId).signal(sessionReadySignal, ready),
    }),
  });
  const steps = await Worker.create({
    ...common,
    taskQueue: ownQueue,
    // A step and a release may overlap per session; never the bottleneck.
    maxConcurrentActivityTaskExecutions: env.MAX_CONCURRENT_SESSIONS * 4,
    activities: createStepActivities({
      sessions,
      screenshotDir: resolve(env.SCREENSHOT_DIR),
      logger: log,
    }),
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
  const done = Promise.all([holdersDone, orchestrationDone, stepsDone]).then(async () => {
    await sessions.closeAll();
    await clientConnection.close();
    await connection.close();
  });
  log.info({ taskQueue: base, ownQueue, maxSessions: env.MAX_CONCURRENT_SESSIONS }, 'worker started');

  return {
    workerId,
    sessions,
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
