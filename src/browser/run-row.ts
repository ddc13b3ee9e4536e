import type { RowValues, Step } from '../recording/types';
import { applyTemplate } from '../recording/templating';
import { redactRowValues, selectorAsRecorded } from '../recording/redact';
import { stepTimeoutMs, thinkTimeMs, type StepTimeoutSources, type TimingMode } from '../recording/timing';
import type { RowError, StepResult } from '../results/types';
import { attemptsFor, endsSession, retryDelayMs, StepError, type StepErrorType } from './errors';
import { toStepError } from './error-mapping';
import type { BrowserSession } from './session';
import { executeStep } from './step-engine';
import { sleep } from './wait';

/**
 * Runs a row's steps, in order, on one browser session: templating each step with the row's values,
 * pacing it, attempting it as often as its error type allows (errors.ts), taking screenshots, and telling a
 * listener about every attempt. The first step that fails for good ends the row; so does the signal.
 */

export type ScreenshotMode = 'off' | 'on-failure' | 'every-step';

export interface RowPlan {
  /** As recorded: placeholders are filled in per attempt, and results report the recorded selectors. */
  steps: Step[];
  values: RowValues;
  /** Values of the row's secret columns: masked in every screenshot. */
  secretValues: string[];
  defaults: Record<string, string>;
  timeouts: StepTimeoutSources;
  timing: { mode: TimingMode; speedMultiplier: number };
  screenshots: ScreenshotMode;
  /** Where a step's screenshot goes ('after' a passed step in every-step mode, or the final 'failure'). */
  screenshotPath(stepIndex: number, kind: 'after' | 'failure'): string;
}

export interface StepAttempt {
  stepIndex: number;
  step: Step;
  attempt: number;
  event: 'started' | 'passed' | 'failed';
  durationMs?: number;
  selectorUsed?: string;
  healed?: boolean;
  errorType?: StepErrorType;
  /** With row values rewritten to their {{column}} placeholders. */
  message?: string;
  /** A failed attempt after which the step is not attempted again. */
  final?: boolean;
  screenshot?: string;
}

export interface RowRunOptions {
  /** Stops the row between or inside steps (cancel, lost session); the outcome then has `stoppedAt`. */
  signal: AbortSignal;
  onAttempt?: (attempt: StepAttempt) => void;
}

export interface RowRunOutcome {
  /** One result per step of the recording: passed, failed, or skipped (never reached). */
  steps: StepResult[];
  error?: RowError & { type: StepErrorType };
  screenshot?: string;
  /** The signal aborted while this step was pending: it and the rest are reported skipped. */
  stoppedAt?: number;
}

type StepEnd = { result: StepResult; error?: RowRunOutcome['error'] } | { stopped: true };

export async function runRow(session: BrowserSession, plan: RowPlan, options: RowRunOptions): Promise<RowRunOutcome> {
  const done: StepResult[] = [];
  const skippedFrom = (from: number): StepResult[] =>
    plan.steps.slice(from).map((s, i) => ({ index: from + i, type: s.type, status: 'skipped', durationMs: 0, attempts: 0 }));

  for (let index = 0; index < plan.steps.length; index++) {
    const end = await runStep(session, plan, index, options);
    if ('stopped' in end) return { steps: [...done, ...skippedFrom(index)], stoppedAt: index };
    done.push(end.result);
    if (end.error) return { steps: [...done, ...skippedFrom(index + 1)], error: end.error, screenshot: end.result.screenshot };
  }
  return { steps: done };
}

async function runStep(session: BrowserSession, plan: RowPlan, index: number, options: RowRunOptions): Promise<StepEnd> {
  const { signal } = options;
  const recorded = plan.steps[index];
  const timeoutMs = stepTimeoutMs(recorded, plan.timeouts);
  const report = (attempt: Omit<StepAttempt, 'stepIndex' | 'step'>) =>
    options.onAttempt?.({ stepIndex: index, step: recorded, ...attempt });

  for (let attempt = 1; ; attempt++) {
    let started = Date.now();
    try {
      // Think time belongs to the recording's pacing; a retry waits out the backoff instead.
      const pause = attempt === 1 ? thinkTimeMs(recorded, plan.timing.mode, plan.timing.speedMultiplier) : retryDelayMs(attempt - 1);
      if (pause > 0) await sleep(pause, signal);
      started = Date.now();
      report({ attempt, event: 'started' });
      const step = applyTemplate(recorded, plan.values, plan.defaults);
      const outcome = await executeStep(session, step, { timeoutMs, signal });
      const screenshot = plan.screenshots === 'every-step' ? await screenshotOrNothing(session, plan, index, 'after') : undefined;
      const selectorUsed = selectorAsRecorded(recorded, step, outcome.selectorUsed);
      const durationMs = Date.now() - started;
      report({ attempt, event: 'passed', durationMs, selectorUsed, healed: outcome.healed, screenshot });
      return {
        result: {
          index,
          type: recorded.type,
          status: 'passed',
          durationMs,
          attempts: attempt,
          ...(selectorUsed !== undefined ? { selectorUsed, healed: outcome.healed ?? false } : {}),
          ...(screenshot ? { screenshot } : {}),
        },
      };
    } catch (err) {
      if (signal.aborted) return { stopped: true };
      const error = err instanceof StepError ? err : toStepError(err);
      // Results and logs carry the recording's placeholders, never the row's values.
      const message = redactRowValues(error.message, plan.values);
      const final = attempt >= attemptsFor(error.type);
      const durationMs = Date.now() - started;
      const screenshot =
        final && plan.screenshots !== 'off' && !endsSession(error.type)
          ? await screenshotOrNothing(session, plan, index, 'failure')
          : undefined;
      report({ attempt, event: 'failed', durationMs, errorType: error.type, message, final, screenshot });
      if (final) {
        return {
          result: { index, type: recorded.type, status: 'failed', durationMs, attempts: attempt, ...(screenshot ? { screenshot } : {}) },
          error: { stepIndex: index, type: error.type, message },
        };
      }
    }
  }
}

/** A screenshot is evidence, not the verdict: failing to take one must not change the row's outcome. */
async function screenshotOrNothing(
  session: BrowserSession,
  plan: RowPlan,
  stepIndex: number,
  kind: 'after' | 'failure',
): Promise<string | undefined> {
  try {
    return await session.screenshot(plan.screenshotPath(stepIndex, kind), { secretValues: plan.secretValues });
  } catch {
    return undefined;
  }
}
