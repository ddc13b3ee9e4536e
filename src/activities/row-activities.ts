import { join } from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { contextOptionsFor } from '../browser/device-emulation';
import { endsSession, StepError } from '../browser/errors';
import { runRow, type RowPlan, type StepAttempt } from '../browser/run-row';
import type { SessionRegistry } from '../browser/session-registry';
import type { Logger } from '../logging/logger';
import { stepAttemptEvents } from '../mirror/events';
import type { MirrorSink } from '../mirror/sink';
import type { WorkerMetrics } from '../ops/metrics';
import { startStepSpan, type StepSpan } from '../ops/tracing';
import type { RunEventLog } from '../results/run-events';
import type { StepFeed } from '../worker/step-feed';
import { startAttemptArtifacts, type AttemptArtifacts, type RowArtifactDeps } from './row-artifacts';
import type { RowAttemptInput, RowAttemptProgress, RowAttemptResult } from '../workflows/types';

export interface RowActivityDeps {
  sessions: SessionRegistry;
  workerId: string;
  /** The worker side of the mirror (NO_MIRROR when Supabase is off). */
  mirror: MirrorSink;
  /** This worker's own queue, where a screenshot can later be read for upload. */
  workerTaskQueue: string;
  metrics?: Pick<WorkerMetrics, 'recordStep' | 'recordSessionRestart'>;
  /** Every step attempt, as it happens (live views). */
  feed?: Pick<StepFeed, 'publish'>;
  /** The job's live event file (the Runs API's event stream): row attempts starting and ending. */
  runEvents?: Pick<RunEventLog, 'append'>;
  screenshotDir: string;
  /** Traces and videos (config trace / video); absent: none recorded. */
  artifacts?: RowArtifactDeps;
  logger: Logger;
  /** How often a running attempt tells Temporal it is alive (and how far it got). */
  heartbeatIntervalMs?: number;
}

/** Details of a SessionLost failure: how far the attempt got, for the row's report. */
const sessionLost = (message: string, progress: RowAttemptProgress) =>
  ApplicationFailure.create({ type: 'SessionLost', message, nonRetryable: true, details: [progress] });

/**
 * The worker side of a session lease: runRowAttempt takes a task slot of the shared sessions queue (one slot
 * per browser session), opens the session, runs every step of the row there, closes it and returns the
 * results. It heartbeats while it runs: a worker that dies stops, and the row restarts elsewhere.
 */
export function createRowActivities(deps: RowActivityDeps) {
  const heartbeatEvery = deps.heartbeatIntervalMs ?? 500;
  return {
    async runRowAttempt(input: RowAttemptInput): Promise<RowAttemptResult> {
      const ctx = Context.current();
      const { config } = input;
      const place = { jobId: input.jobId, row: input.row, sessionAttempt: input.attempt };
      const log = deps.logger.child({ ...place, workflowId: ctx.info.workflowExecution?.workflowId });
      if (input.attempt > 0) deps.metrics?.recordSessionRestart();

      const lease = await deps.sessions.lease({
        browser: config.browser,
        headless: config.headless,
        ...contextOptionsFor(input.steps, config.viewport),
        holder: { jobId: input.jobId, row: input.row, attempt: input.attempt },
        signal: ctx.cancellationSignal,
      });
      const progress: RowAttemptProgress = { stepIndex: 0, stepsPassed: 0 };
      ctx.heartbeat(progress);
      // Core sends at most one heartbeat per throttle interval (1 s, runner-worker.ts): this only keeps it fed.
      const heartbeat = setInterval(() => ctx.heartbeat(progress), heartbeatEvery);
      let artifacts: AttemptArtifacts | undefined;
      const rowEvent = (status: 'running' | 'passed' | 'failed' | 'cancelled' | 'restarting', error?: string) =>
        deps.runEvents?.append(input.jobId, {
          type: 'row',
          row: input.row,
          status,
          sessionAttempt: input.attempt,
          at: Date.now(),
          ...(error ? { error } : {}),
        });
      // The end of an attempt is on disk before the workflow hears of it: a stream that sees the job closed has
      // read every event of it.
      try {
        log.info({ sessionId: lease.session.id }, 'session opened');
        void rowEvent('running');
        if (input.mirror) {
          void deps.mirror
            .emit(input.jobId, [
              {
                kind: 'row',
                jobId: input.jobId,
                row: input.row,
                status: 'running',
                workerId: deps.workerId,
                sessionRestarts: input.attempt,
                startedAt: Date.now(),
                valuesMasked: input.mirror.valuesMasked,
              },
            ])
            .catch((err) => log.warn({ err: (err as Error).message }, 'mirror: row running event not sent'));
        }
        const secretValues = input.secretColumns.map((column) => input.values[column]).filter((v): v is string => Boolean(v));
        artifacts = await startAttemptArtifacts(
          deps.artifacts,
          lease.session,
          { ...place, attempt: input.attempt, config, secretValues },
          log,
        );
        let span: StepSpan | undefined;
        const onAttempt = (a: StepAttempt) => {
          const at = Date.now();
          artifacts?.onAttempt(a);
          progress.stepIndex = a.stepIndex;
          if (a.event === 'started') {
            span = startStepSpan(`step:${a.step.type}`, {
              'recorder.job_id': input.jobId,
              'recorder.row': input.row,
              'recorder.step_index': a.stepIndex,
              'recorder.attempt': a.attempt,
            });
          } else span?.end({ errorType: a.errorType });
          if (a.event === 'passed') progress.stepsPassed++;
          if (a.event !== 'started') deps.metrics?.recordStep(a.step.type, a.event, a.durationMs ?? 0);
          if (a.event === 'passed')
            log.debug({ step: a.stepIndex, type: a.step.type, selectorUsed: a.selectorUsed, healed: a.healed }, 'step passed');
          if (a.event === 'failed')
            log.info({ step: a.stepIndex, type: a.step.type, errorType: a.errorType, final: a.final, msg: a.message }, 'step failed');
          const { step, screenshot, ...attempt } = a;
          deps.feed?.publish({ ...place, ...attempt, stepType: step.type, at });
          if (input.mirror) {
            const events = stepAttemptEvents(place, { ...a, stepType: a.step.type }, deps.workerTaskQueue, at);
            void deps.mirror
              .emit(input.jobId, events)
              .catch((err) => log.warn({ err: (err as Error).message }, 'mirror: log lines not sent'));
          }
        };
        const plan: RowPlan = {
          steps: input.steps,
          values: input.values,
          secretValues,
          defaults: config.defaults,
          timeouts: { flowTimeoutMs: input.flowTimeoutMs, jobStepTimeoutMs: config.stepTimeoutMs },
          timing: { mode: config.timingMode, speedMultiplier: config.speedMultiplier },
          screenshots: config.screenshots,
          screenshotPath: (stepIndex, kind) => join(deps.screenshotDir, input.jobId, `row-${input.row}-step-${stepIndex}-${kind}.png`),
        };
        const outcome = await runRow(lease.session, plan, { signal: lease.signal, onAttempt });

        if (outcome.stoppedAt !== undefined) {
          const reason = lease.signal.reason;
          // Lost under the row, or this worker is shutting down past its grace: either way another worker
          // must take the row over.
          if (reason instanceof StepError && reason.type === 'SessionLost') {
            await rowEvent('restarting', reason.message);
            throw sessionLost(reason.message, progress);
          }
          if (ctx.cancellationDetails?.workerShutdown) {
            await rowEvent('restarting', 'the worker holding this session shut down');
            throw sessionLost('the worker holding this session shut down', progress);
          }
          log.info({ step: outcome.stoppedAt }, 'row cancelled: session closed');
          await rowEvent('cancelled');
          return { workerId: deps.workerId, steps: outcome.steps, cancelledAt: outcome.stoppedAt };
        }
        if (outcome.error && endsSession(outcome.error.type)) {
          await rowEvent('restarting', outcome.error.message);
          throw sessionLost(outcome.error.message, progress);
        }
        await rowEvent(outcome.error ? 'failed' : 'passed', outcome.error?.message);
        const kept = await artifacts.finish({ failed: outcome.error !== undefined });
        artifacts = undefined;
        return {
          workerId: deps.workerId,
          steps: outcome.steps,
          ...(kept.length ? { artifacts: kept } : {}),
          ...(outcome.error ? { error: outcome.error } : {}),
          ...(outcome.screenshot ? { screenshot: outcome.screenshot } : {}),
        };
      } finally {
        // A cancelled or lost attempt keeps nothing (its session may be gone); the files are removed.
        await artifacts?.discard();
        clearInterval(heartbeat);
        await lease.release();
        log.info({ sessionId: lease.session.id }, 'session closed');
      }
    },
  };
}
