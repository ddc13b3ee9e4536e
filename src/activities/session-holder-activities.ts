import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Logger } from '../logging/logger';
import type { HoldSessionInput, SessionReady } from '../workflows/types';
import type { SessionRegistry } from './session-registry';
import type { WorkerMetrics } from '../ops/metrics';
import type { MirrorEvent } from '../mirror/events';

export interface SessionHolderDeps {
  sessions: SessionRegistry;
  workerId: string;
  /** The queue only this worker polls; steps of the sessions it holds go there. */
  workerTaskQueue: string;
  /** Tells the row workflow where its session lives (a Temporal signal in production). */
  signalSessionReady: (workflowId: string, runId: string, ready: SessionReady) => Promise<void>;
  logger: Logger;
  metrics?: Pick<WorkerMetrics, 'recordSessionRestart'>;
  heartbeatIntervalMs?: number;
  /** Mirrors events from this worker (see StepActivityDeps.emitMirror); absent when the mirror is off. */
  emitMirror?: (jobId: string, events: MirrorEvent[]) => Promise<void>;
}

/**
 * holdSession occupies one task slot of the shared sessions queue for the whole life of a row's browser
 * session. That slot is the per-worker session bound, and the activity's heartbeat is how Temporal notices a
 * worker that died with its pages.
 */
export function createSessionHolderActivities(deps: SessionHolderDeps) {
  const heartbeatEvery = deps.heartbeatIntervalMs ?? 1000;
  return {
    async holdSession(input: HoldSessionInput): Promise<{ sessionId: string }> {
      const ctx = Context.current();
      const log = deps.logger.child({ jobId: input.jobId, row: input.row, workflowId: input.workflowId, attempt: input.attempt });
      if (input.attempt > 0) deps.metrics?.recordSessionRestart();
      const held = await deps.sessions.open(input);
      const { session } = held;
      const heartbeat = setInterval(() => ctx.heartbeat(), heartbeatEvery);
      try {
        ctx.heartbeat();
        await deps.signalSessionReady(input.workflowId, input.runId, {
          attempt: input.attempt,
          sessionId: session.id,
          taskQueue: deps.workerTaskQueue,
          workerId: deps.workerId,
        });
        log.info({ sessionId: session.id }, 'session opened');
        if (deps.emitMirror && input.valuesMasked) {
          // From here rather than from the row workflow: a worker's write costs no Temporal signal (and no
          // workflow task on either side), and it never holds the row up.
          void deps
            .emitMirror(input.jobId, [
              {
                kind: 'row',
                jobId: input.jobId,
                row: input.row,
                status: 'running',
                workerId: deps.workerId,
                sessionRestarts: input.attempt,
                startedAt: Date.now(),
                valuesMasked: input.valuesMasked,
              },
            ])
            .catch((err) => log.warn({ err: (err as Error).message }, 'mirror: row running event not sent'));
        }
        let released = false;
        const lost = new Promise<'lost'>((resolve) => {
          const check = setInterval(() => !released && session.isLost && (clearInterval(check), resolve('lost')), 250);
          held.released.then(() => ((released = true), clearInterval(check)));
        });
        const cancelled = new Promise<'cancelled'>((resolve) => {
          if (ctx.cancellationSignal.aborted) resolve('cancelled');
          ctx.cancellationSignal.addEventListener('abort', () => resolve('cancelled'));
        });
        const why = await Promise.race([held.released.then(() => 'released' as const), lost, cancelled]);
        if (why === 'lost') {
          throw ApplicationFailure.create({
            type: 'SessionLost',
            message: 'the browser holding this session closed or crashed',
            nonRetryable: true,
          });
        }
        if (why === 'cancelled') {
          // Either the row gave up on this session (it ignores the outcome) or this worker is shutting down past
          // its grace period: for the row that is a lost session, to be restarted on another worker.
          throw ApplicationFailure.create({
            type: 'SessionLost',
            message: `session closed: ${String(ctx.cancellationSignal.reason ?? 'cancelled')}`,
            nonRetryable: true,
          });
        }
        log.info({ sessionId: session.id }, 'session released');
        return { sessionId: session.id };
      } finally {
        clearInterval(heartbeat);
        await deps.sessions.release(session.id);
      }
    },
  };
}
