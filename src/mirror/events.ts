/**
 * What the mirror writes to Supabase, as events. Workflows and step activities emit them (signals to the
 * job's mirror workflow); the mirror workflow applies them in order through an activity that Temporal retries
 * until Supabase answers. Every event maps to rows with deterministic ids, so re-applying is harmless.
 */
export type MirrorJobStatus = 'queued' | 'running' | 'passed' | 'failed' | 'cancelled';

export interface JobEvent {
  kind: 'job';
  jobId: string;
  status: MirrorJobStatus;
  workflowId?: string;
  runId?: string;
  rowsTotal?: number;
  stepsTotal?: number;
  counters?: {
    rows: { passed: number; failed: number; cancelled: number };
    steps: { passed: number; failed: number; skipped: number };
  };
  startedAt?: number;
  completedAt?: number;
  durationMs?: number;
  errorMessage?: string;
  resultsLocation?: string;
}

/** All rows, once, as queued: the portal sees the whole job at once. */
export interface RowsQueuedEvent {
  kind: 'rowsQueued';
  jobId: string;
  rows: Array<{ row: number; valuesMasked: Record<string, string> }>;
}

export interface RowEvent {
  kind: 'row';
  jobId: string;
  row: number;
  status: MirrorJobStatus;
  workerId?: string;
  sessionRestarts?: number;
  durationMs?: number;
  errorMessage?: string;
  errorStepIndex?: number;
  errorType?: string;
  startedAt?: number;
  completedAt?: number;
}

export interface LogEvent {
  kind: 'log';
  jobId: string;
  row: number;
  sessionAttempt: number;
  stepIndex: number;
  attempt: number;
  stepType: string;
  event: 'started' | 'passed' | 'failed';
  durationMs?: number;
  selectorUsed?: string;
  healed?: boolean;
  message?: string;
  occurredAt: number;
}

export interface ScreenshotEvent {
  kind: 'screenshot';
  jobId: string;
  row: number;
  stepIndex: number;
  /** File on the worker that took it; uploaded by an activity on that worker's own queue. */
  localPath: string;
  workerTaskQueue: string;
}

/** The job is over: once everything before it is written, the mirror workflow ends. */
export interface EndEvent {
  kind: 'end';
  jobId: string;
}

export type MirrorEvent = JobEvent | RowsQueuedEvent | RowEvent | LogEvent | ScreenshotEvent | EndEvent;

export const logId = (e: LogEvent): string => `${e.jobId}:${e.row}:${e.sessionAttempt}:${e.stepIndex}:${e.attempt}:${e.event}`;
export const rowId = (jobId: string, row: number): string => `${jobId}:${row}`;
export const screenshotStoragePath = (e: ScreenshotEvent): string => `${e.jobId}/row-${e.row}-step-${e.stepIndex}.png`;
