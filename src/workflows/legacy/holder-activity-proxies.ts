/**
 * FROZEN with row-run-holder-and-steps.ts: the activity options the row workflow used before session leases.
 * Do not edit: the options are part of the commands that history generations 01 to 03 recorded.
 */
import { ActivityCancellationType, RetryPolicy, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { sessionsQueue } from '../../temporal/task-queues';
import type { HolderActivities, StepActivities } from './holder-protocol';

/** Retries per error type are decided by the activity (src/activities/step-retry.ts); this is the ceiling. */
const STEP_RETRY: RetryPolicy = {
  maximumAttempts: 3,
  initialInterval: '300ms',
  backoffCoefficient: 2,
  maximumInterval: '5s',
  nonRetryableErrorTypes: ['AssertionFailed', 'InvalidStep', 'SessionLost'],
};
/** Headroom over the step's own timeout for think time, screenshots and the round trip. */
const STEP_ACTIVITY_MARGIN_MS = 15_000;
/** A step waiting this long for its worker means the worker is gone: restart the row elsewhere. */
const STEP_SCHEDULE_TO_START = '20s';

export function holderActivities(heartbeatTimeoutMs: number) {
  return proxyActivities<HolderActivities>({
    taskQueue: sessionsQueue(workflowInfo().taskQueue),
    // Runs on the shared queue: its task slot is the session, so MAX_CONCURRENT_SESSIONS bounds a worker.
    startToCloseTimeout: '6h',
    heartbeatTimeout: heartbeatTimeoutMs,
    // Restarts are the row's decision (counted in sessionRestarts), never a silent server-side retry.
    retry: { maximumAttempts: 1 },
    // The row closes the session itself (releaseSession); waiting for the holder's acknowledgement would
    // stall on a dead worker.
    cancellationType: ActivityCancellationType.TRY_CANCEL,
  });
}

export function stepActivities(taskQueue: string, stepTimeoutMs: number, thinkMs: number) {
  return proxyActivities<StepActivities>({
    taskQueue,
    scheduleToStartTimeout: STEP_SCHEDULE_TO_START,
    startToCloseTimeout: stepTimeoutMs + thinkMs + STEP_ACTIVITY_MARGIN_MS,
    heartbeatTimeout: '10s',
    retry: STEP_RETRY,
    // On cancel the row closes the browser context right away; the activity unwinds on its own.
    cancellationType: ActivityCancellationType.TRY_CANCEL,
  });
}

export function releaseActivities(taskQueue: string) {
  return proxyActivities<StepActivities>({
    taskQueue,
    scheduleToStartTimeout: '10s',
    // Closing a context takes milliseconds; no heartbeat needed.
    startToCloseTimeout: '15s',
    retry: { maximumAttempts: 2, initialInterval: '200ms' },
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
}
