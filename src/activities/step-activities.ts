import { join } from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { StepError } from '../browser/errors';
import { executeStep } from '../browser/step-engine';
import type { Logger } from '../logging/logger';
import { applyTemplate } from '../recording/templating';
import { redactRowValues, selectorAsRecorded } from '../recording/redact';
import type { StepFailureDetails, StepRunInput, StepRunOutput } from '../workflows/types';
import type { HeldSession, SessionRegistry } from './session-registry';
import { isFinalAttempt } from './step-retry';
import type { WorkerMetrics } from '../ops/metrics';
import type { LogEvent, MirrorEvent } from '../mirror/events';

export interface StepActivityDeps {
  sessions: SessionRegistry;
  /**
   * Mirrors events (batched; written to Supabase directly, else through the job's mirror workflow: see
   * worker-services.ts). Absent when the mirror is off.
   */
  emitMirror?: (jobId: string, events: MirrorEvent[]) => Promise<void>;
  /** This worker's own queue, where a screenshot can later be read for upload. */
  workerTaskQueue?: string;
  metrics?: Pick<WorkerMetrics, 'recordStep'>;
  screenshotDir: string;
  logger: Logger;
}

function toStepError(err: unknown): StepError {
  if (err instanceof StepError) return err;
  return new StepError('InvalidStep', err instanceof Error ? err.message : String(err));
}

/** Activities that need the row's page, so they run on the worker-specific queue of the worker holding it. */
export function createStepActivities(deps: StepActivityDeps) {
  const screenshotPath = (input: StepRunInput, suffix: string) =>
    join(deps.screenshotDir, input.jobId, `row-${input.row}-step-${input.stepIndex}-${suffix}.png`);

  /** Log lines never hold a step up: they are queued and not waited for (the portal orders them by id and time). */
  function emitLog(
    input: StepRunInput,
    attempt: number,
    fields: Pick<LogEvent, 'event'> & Partial<LogEvent>,
    extra: MirrorEvent[] = [],
  ): Promise<void> {
    if (!deps.emitMirror || input.mirror === false) return Promise.resolve();
    // (Returned for tests and callers that want to wait; runStep never does.)
    const log: LogEvent = {
      kind: 'log',
      jobId: input.jobId,
      row: input.row,
      sessionAttempt: input.sessionAttempt,
      stepIndex: input.stepIndex,
      attempt,
      stepType: input.step.type,
      occurredAt: Date.now(),
      ...fields,
    };
    return deps
      .emitMirror(input.jobId, [log, ...extra])
      .catch((err) => deps.logger.warn({ err: (err as Error).message }, 'mirror: log lines not sent'));
  }

  const screenshotEvent = (input: StepRunInput, localPath: string | undefined): MirrorEvent[] =>
    localPath && deps.workerTaskQueue
      ? [
          {
            kind: 'screenshot',
            jobId: input.jobId,
            row: input.row,
            stepIndex: input.stepIndex,
            localPath,
            workerTaskQueue: deps.workerTaskQueue,
          },
        ]
      : [];

  async function screenshot(held: HeldSession, path: string): Promise<string | undefined> {
    try {
      return await held.session.screenshot(path);
    } catch (err) {
      deps.logger.warn({ err: (err as Error).message }, 'screenshot failed');
      return undefined;
    }
  }

  return {
    async runStep(input: StepRunInput): Promise<StepRunOutput> {
      const ctx = Context.current();
      const attempt = ctx.info.attempt;
      const held = deps.sessions.get(input.sessionId);
      if (!held || held.session.isLost) {
        throw ApplicationFailure.create({
          type: 'SessionLost',
          message: `session ${input.sessionId} is not open on this worker`,
          nonRetryable: true,
        });
      }
      const log = deps.logger.child({ jobId: input.jobId, row: input.row, step: input.stepIndex, type: input.step.type, attempt });
      // Navigations and waits can be long: keep Temporal told that this worker is alive.
      const heartbeat = setInterval(() => ctx.heartbeat(), 1000);
      let started = Date.now();
      try {
        // Think time belongs to the recording's pacing, not to the step's measured duration.
        if (input.thinkTimeMs > 0) await ctx.sleep(input.thinkTimeMs);
        started = Date.now();
        void emitLog(input, attempt, { event: 'started' });
        const step = applyTemplate(input.step, held.values, held.defaults);
        const outcome = await executeStep(held.session, step, {
          timeoutMs: input.timeoutMs,
          signal: ctx.cancellationSignal,
          heartbeat: () => ctx.heartbeat(),
        });
        const shot = input.screenshots === 'every-step' ? await screenshot(held, screenshotPath(input, 'after')) : undefined;
        deps.metrics?.recordStep(input.step.type, 'passed', Date.now() - started);
        const selectorUsed = selectorAsRecorded(input.step, step, outcome.selectorUsed);
        log.debug({ selectorUsed, healed: outcome.healed }, 'step passed');
        void emitLog(
          input,
          attempt,
          { event: 'passed', durationMs: Date.now() - started, selectorUsed, healed: outcome.healed },
          screenshotEvent(input, shot),
        );
        const released = input.closeSession === 'whenDone';
        if (released) await deps.sessions.release(input.sessionId);
        return {
          attempt,
          durationMs: Date.now() - started,
          ...(released ? { released } : {}),
          ...(selectorUsed !== undefined ? { selectorUsed, healed: outcome.healed ?? false } : {}),
          ...(shot ? { screenshot: shot } : {}),
        };
      } catch (err) {
        if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason ?? err;
        const stepError = toStepError(err);
        // Results and logs carry the recording's placeholders, never the row's values.
        const message = redactRowValues(stepError.message, held.values);
        const final = isFinalAttempt(stepError.type, attempt);
        const details: StepFailureDetails = { attempt, durationMs: Date.now() - started };
        deps.metrics?.recordStep(input.step.type, 'failed', details.durationMs);
        if (final && input.screenshots !== 'off' && stepError.type !== 'SessionLost') {
          details.screenshot = await screenshot(held, screenshotPath(input, 'failure'));
        }
        log.info({ errorType: stepError.type, final, msg: message }, 'step failed');
        void emitLog(
          input,
          attempt,
          { event: 'failed', durationMs: details.durationMs, message },
          screenshotEvent(input, details.screenshot),
        );
        if (final && input.closeSession && stepError.type !== 'SessionLost') {
          await deps.sessions.release(input.sessionId);
          details.released = true;
        }
        throw ApplicationFailure.create({ type: stepError.type, message, nonRetryable: final, details: [details] });
      } finally {
        clearInterval(heartbeat);
      }
    },

    async releaseSession(input: { sessionId: string }): Promise<void> {
      await deps.sessions.release(input.sessionId);
    },
  };
}
