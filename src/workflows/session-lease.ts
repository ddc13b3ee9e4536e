import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  TimeoutFailure,
  isCancellation,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { createRowActivities } from '../activities/row-activities';
import { MAX_STEP_ATTEMPTS, retryDelayMs } from '../browser/errors';
import { maskRow } from '../recording/secrets';
import { stepTimeoutMs, thinkTimeMs } from '../recording/timing';
import { sessionsQueue } from '../temporal/task-queues';
import { describeError } from './failures';
import type { RowAttemptProgress, RowAttemptResult, RowRunInput } from './types';

/**
 * A session lease, seen from the row: one activity on the shared sessions queue, whose task slot is the
 * browser session (MAX_CONCURRENT_SESSIONS per worker). The worker that takes it opens the session, runs
 * every step there, closes it and returns the results. How a lease can end is all here, so the row's own
 * control flow is a loop over attempts.
 */
export type LeaseOutcome =
  /** Every step ran, or one failed for good: `result.error` says which. */
  | { ended: 'finished'; result: RowAttemptResult }
  /** The worker or its browser died: the row may restart on another session. */
  | { ended: 'lost'; message: string; stepIndex: number }
  /** The row was cancelled; `result` is absent when no worker had started it (or its worker was gone). */
  | { ended: 'cancelled'; result?: RowAttemptResult }
  /** Something that is neither the page's nor the worker's fault (a bug, a misconfigured worker). */
  | { ended: 'error'; message: string };

type RowActivities = ReturnType<typeof createRowActivities>;

/** Room for the session to open, screenshots, and closing, on top of the steps' own budgets. */
const ATTEMPT_OVERHEAD_MS = 60_000;
/** Per step: a failure screenshot (a full page can be slow) on top of its attempts. */
const STEP_OVERHEAD_MS = 15_000;

/**
 * The longest an attempt can legitimately take: every step failing as often as any type allows. A safety
 * net only: a dead worker is noticed by its heartbeat long before.
 */
export function attemptBudgetMs(input: RowRunInput): number {
  const { config } = input;
  let total = ATTEMPT_OVERHEAD_MS;
  for (const step of input.steps) {
    const perAttempt = stepTimeoutMs(step, { flowTimeoutMs: input.flowTimeoutMs, jobStepTimeoutMs: config.stepTimeoutMs });
    total += thinkTimeMs(step, config.timingMode, config.speedMultiplier) + perAttempt * MAX_STEP_ATTEMPTS + STEP_OVERHEAD_MS;
    for (let attempt = 1; attempt < MAX_STEP_ATTEMPTS; attempt++) total += retryDelayMs(attempt);
  }
  return total;
}

function leaseActivity(input: RowRunInput, attempt: number) {
  return proxyActivities<RowActivities>({
    taskQueue: sessionsQueue(workflowInfo().taskQueue),
    // No schedule-to-start limit: waiting for a free session is how rows queue.
    startToCloseTimeout: attemptBudgetMs(input),
    // A worker that dies with the page stops heartbeating: this is how soon the row notices.
    heartbeatTimeout: input.config.sessionHeartbeatTimeoutMs,
    // Restarts are the row's decision (counted in sessionRestarts), never a silent server-side retry.
    retry: { maximumAttempts: 1 },
    // A cancelled attempt closes its page and still returns the steps it finished.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    summary: `row ${input.row}, session ${attempt + 1}: ${input.steps.length} step(s)`,
    // A free session slot goes to the most urgent waiting row, shared fairly between owners.
    ...(input.priority ? { priority: input.priority } : {}),
  }).runRowAttempt;
}

export async function runOnSessionLease(input: RowRunInput, attempt: number): Promise<LeaseOutcome> {
  const secret = new Set(input.secretColumns ?? []);
  try {
    const result = await leaseActivity(
      input,
      attempt,
    )({
      jobId: input.jobId,
      row: input.row,
      attempt,
      steps: input.steps,
      values: input.values,
      flowTimeoutMs: input.flowTimeoutMs,
      config: input.config,
      secretColumns: input.secretColumns ?? [],
      ...(input.mirror ? { mirror: { valuesMasked: maskRow(input.values, (c) => secret.has(c)) } } : {}),
    });
    return result.cancelledAt === undefined ? { ended: 'finished', result } : { ended: 'cancelled', result };
  } catch (err) {
    if (isCancellation(err) || CancellationScope.current().consideredCancelled) return { ended: 'cancelled' };
    const cause = err instanceof ActivityFailure ? err.cause : err;
    if (cause instanceof TimeoutFailure) {
      const progress = cause.lastHeartbeatDetails as RowAttemptProgress | undefined;
      return {
        ended: 'lost',
        message: `worker holding the session stopped responding (${cause.timeoutType} timeout)`,
        stepIndex: progress?.stepIndex ?? 0,
      };
    }
    if (cause instanceof ApplicationFailure && cause.type === 'SessionLost') {
      const progress = cause.details?.[0] as RowAttemptProgress | undefined;
      return { ended: 'lost', message: cause.message, stepIndex: progress?.stepIndex ?? 0 };
    }
    return { ended: 'error', message: `could not run the row on a browser session: ${describeError(err)}` };
  }
}
