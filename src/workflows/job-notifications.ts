import { CancellationScope, ParentClosePolicy, patched, startChild, workflowInfo } from '@temporalio/workflow';
import type { NotifyTarget } from '../config/job-config';
import type { Step } from '../recording/types';
import { notificationDelivery } from './notification-delivery';
import type { FailingRow, NotificationBody, NotificationEventType } from './notification-types';
import { NOTIFICATIONS_PATCH } from './patches';
import type { ExecutionInput, JobProgress, JobSummary, RowResult } from './types';

/** A notification lists at most this many failing rows; the results files have them all. */
const MAX_FAILING_ROWS = 20;

export interface JobNotifications {
  started(progress: JobProgress): Promise<void>;
  rowFailed(result: RowResult, progress: JobProgress): Promise<void>;
  ended(summary: JobSummary, progress: JobProgress): Promise<void>;
  /** Every child start issued so far has been answered (before the run continues as new or ends). */
  drain(): Promise<void>;
}

const NONE: JobNotifications = {
  started: async () => undefined,
  rowFailed: async () => undefined,
  ended: async () => undefined,
  drain: async () => undefined,
};

function failingRow(result: RowResult, steps: Step[]): FailingRow {
  const error = result.error ?? { stepIndex: 0, type: 'InternalError', message: 'failed' };
  const step = steps[error.stepIndex];
  return {
    row: result.row,
    stepIndex: error.stepIndex,
    ...(step ? { stepType: step.type } : {}),
    errorType: error.type,
    message: error.message,
  };
}

/**
 * The job's notify target, as one abandoned child workflow per event (notificationDelivery): starting it
 * costs the job one round trip; delivering, retrying for up to a day, or failing costs it nothing.
 * A job with no target, or recorded before notifications existed, sends none.
 */
export function jobNotifications(input: ExecutionInput, target: NotifyTarget | undefined, steps: Step[]): JobNotifications {
  if (!target || !patched(NOTIFICATIONS_PATCH)) return NONE;
  const { workflowId } = workflowInfo();
  const wanted = new Set(target.events);
  const pending: Promise<void>[] = [];
  const send = (
    event: NotificationEventType,
    key: string,
    body: Omit<NotificationBody, 'eventId' | 'event' | 'jobId' | 'workflowId' | 'runId'>,
  ) => {
    const started = start(event, key, body);
    pending.push(started);
    return started;
  };
  const start = async (
    event: NotificationEventType,
    key: string,
    body: Omit<NotificationBody, 'eventId' | 'event' | 'jobId' | 'workflowId' | 'runId'>,
  ) => {
    const eventId = `${workflowId}/${key}`;
    const full: NotificationBody = {
      eventId,
      event,
      jobId: input.jobId,
      workflowId,
      runId: workflowInfo().firstExecutionRunId,
      ...body,
      ...(input.origin?.triggeredBy ? { triggeredBy: input.origin.triggeredBy } : {}),
      ...(input.origin?.scheduleId ? { scheduleId: input.origin.scheduleId } : {}),
    };
    await CancellationScope.nonCancellable(() =>
      startChild(notificationDelivery, {
        workflowId: `notify-${input.jobId}-${key}`,
        args: [{ target, body: full }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      }),
    ).catch(() => undefined); // already started (a reset job re-sending): the first delivery stands
  };
  const counters = (p: JobProgress) => ({
    rows: { total: p.rows.total, passed: p.rows.passed, failed: p.rows.failed, cancelled: p.rows.cancelled },
    steps: { ...p.steps },
  });
  const drain = async () => {
    while (pending.length > 0) await Promise.all(pending.splice(0));
  };
  return {
    drain,
    started: async (p) =>
      wanted.has('started') ? send('job.started', 'started', { status: 'running', ...counters(p), failingRows: [] }) : undefined,
    rowFailed: async (result, p) =>
      wanted.has('rowFailed')
        ? send('row.failed', `row-${result.row}-failed`, { status: 'running', ...counters(p), failingRows: [failingRow(result, steps)] })
        : undefined,
    ended: async (summary, p) => {
      if (wanted.has('ended'))
        void send('job.ended', 'ended', {
          status: summary.status,
          ...(summary.reason ? { reason: summary.reason } : {}),
          ...counters(p),
          durationMs: summary.durationMs,
          failingRows: summary.results
            .filter((r) => r.status === 'failed')
            .slice(0, MAX_FAILING_ROWS)
            .map((r) => failingRow(r, steps)),
        });
      await drain();
    },
  };
}
