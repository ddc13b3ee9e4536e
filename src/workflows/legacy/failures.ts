/** FROZEN: how legacy/row-run-holder-and-steps.ts read its activities' failures and what an attempt ended as. Kept for replay only. */
import { ActivityFailure, ApplicationFailure, TimeoutFailure, isCancellation } from '@temporalio/workflow';
import type { StepErrorType } from '../../browser/errors';
import { describeError } from '../failures';
import type { RowError, StepResult } from '../../results/types';
import type { StepFailureDetails } from './holder-protocol';

export type StepFailure =
  | { kind: 'cancelled' }
  /** The worker holding the page is gone or its browser died: the row must restart elsewhere. */
  | { kind: 'sessionLost'; message: string }
  | { kind: 'failed'; type: StepErrorType; message: string; details?: StepFailureDetails };

const STEP_ERROR_TYPES = new Set<string>([
  'ElementNotFound',
  'StepTimeout',
  'NavigationError',
  'AssertionFailed',
  'InvalidStep',
  'SessionLost',
]);

/** Turns whatever a runStep call rejected with into what the row should do about it. */
export function classifyStepFailure(err: unknown): StepFailure {
  if (isCancellation(err)) return { kind: 'cancelled' };
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type && STEP_ERROR_TYPES.has(cause.type)) {
    if (cause.type === 'SessionLost') return { kind: 'sessionLost', message: cause.message };
    return {
      kind: 'failed',
      type: cause.type as StepErrorType,
      message: cause.message,
      details: cause.details?.[0] as StepFailureDetails | undefined,
    };
  }
  if (cause instanceof TimeoutFailure) {
    // No worker picked the step up, or the one running it stopped heartbeating: it is gone with the page.
    if (cause.timeoutType === 'SCHEDULE_TO_START' || cause.timeoutType === 'HEARTBEAT') {
      return { kind: 'sessionLost', message: `worker holding the session stopped responding (${cause.timeoutType} timeout)` };
    }
    return { kind: 'failed', type: 'StepTimeout', message: 'step exceeded its activity time limit' };
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return { kind: 'failed', type: 'InvalidStep', message: `unexpected step error: ${message}` };
}

/** Only a silent worker or a dead browser means "session lost"; anything else is a real error of the row. */
export function classifyHolderFailure(err: unknown): { kind: 'sessionLost' | 'error'; message: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof TimeoutFailure) {
    return { kind: 'sessionLost', message: `worker holding the session stopped responding (${cause.timeoutType} timeout)` };
  }
  if (cause instanceof ApplicationFailure && cause.type === 'SessionLost') return { kind: 'sessionLost', message: cause.message };
  return { kind: 'error', message: `could not hold a browser session: ${describeError(err)}` };
}

export type AttemptOutcome =
  | { kind: 'finished'; steps: StepResult[]; error?: RowError; screenshot?: string; workerId?: string }
  | { kind: 'cancelled'; steps: StepResult[]; stepIndex: number; workerId?: string }
  | { kind: 'sessionLost'; steps: StepResult[]; message: string; stepIndex: number };

/** A holder that failed: its worker or browser died (restart the row), or something is misconfigured (fail it). */
export function holderOutcome(err: unknown, steps: StepResult[], stepIndex: number): AttemptOutcome {
  const failure = classifyHolderFailure(err);
  if (failure.kind === 'sessionLost') return { kind: 'sessionLost', steps, message: failure.message, stepIndex };
  return { kind: 'finished', steps, error: { stepIndex, type: 'InternalError', message: failure.message } };
}
