/**
 * What a job notification says. Built in the workflow from counters and row errors (never CSV values), posted
 * by the deliverNotification activity. Pure types.
 */
import type { NotifyTarget } from '../config/job-config';
import type { JobStatus } from './types';

export type NotificationEventType = 'job.started' | 'job.ended' | 'row.failed';

export interface FailingRow {
  row: number;
  stepIndex: number;
  stepType?: string;
  errorType: string;
  message: string;
}

export interface NotificationBody {
  /** The same on every redelivery of this event: receivers deduplicate by it (also sent as X-Event-Id). */
  eventId: string;
  event: NotificationEventType;
  jobId: string;
  workflowId: string;
  runId: string;
  status: 'running' | JobStatus;
  reason?: string;
  rows: { total: number; passed: number; failed: number; cancelled: number };
  steps: { passed: number; failed: number; skipped: number };
  durationMs?: number;
  /** At most MAX_FAILING_ROWS, first failures first. */
  failingRows: FailingRow[];
  triggeredBy?: string;
  scheduleId?: string;
}

export interface NotificationDeliveryInput {
  target: NotifyTarget;
  body: NotificationBody;
}

export interface NotificationOutcome {
  eventId: string;
  delivered: boolean;
  attempts: number;
  lastStatus?: number;
  lastError?: string;
}
