/**
 * Inputs and results of the two workflows. Pure types: imported by workflow code, activities and the client.
 */
import type { JobConfig, JobConfigInput } from '../config/job-config';
import type { StepErrorType } from '../browser/errors';
import type { RowValues, Step, StepType, UserFlow } from '../recording/types';

export interface ExecutionInput {
  jobId: string;
  /**
   * Chrome DevTools Recorder JSON (object or text). Validated by the prepareJob activity. Absent together
   * with csv: a portal job, loaded from Supabase (execution_jobs + recordings) by its jobId.
   */
  recording?: unknown;
  /** CSV text, header first. Absent: the recording runs once with no row values. */
  csv?: string;
  config?: JobConfigInput;
}

/** What prepareJob hands the workflow after validation. */
export interface PreparedJob {
  flow: UserFlow;
  rows: RowValues[];
  config: JobConfig;
  /** The worker has Supabase configured: the job mirrors its progress there. */
  mirror: boolean;
  /** CSV columns masked wherever values are mirrored (SECRET_COLUMNS). */
  secretColumns: string[];
}

export type StepStatus = 'passed' | 'failed' | 'skipped';
export type RowStatus = 'passed' | 'failed' | 'cancelled';
export type JobStatus = 'passed' | 'failed' | 'cancelled';

export interface StepResult {
  index: number;
  type: StepType;
  status: StepStatus;
  durationMs: number;
  attempts: number;
  selectorUsed?: string;
  healed?: boolean;
  screenshot?: string;
}

export interface RowError {
  stepIndex: number;
  type: StepErrorType | 'Cancelled' | 'SessionRestartsExhausted' | 'InternalError';
  message: string;
}

export interface RowResult {
  /** 1-based data row number (the CSV line minus the header). */
  row: number;
  status: RowStatus;
  durationMs: number;
  sessionRestarts: number;
  workerId?: string;
  error?: RowError;
  screenshot?: string;
  steps: StepResult[];
}

export interface RowRunInput {
  jobId: string;
  row: number;
  steps: Step[];
  /** Row values; templated into steps on the worker that holds the session. */
  values: RowValues;
  /** The recording's own default timeout. */
  flowTimeoutMs?: number;
  config: JobConfig;
  mirror: boolean;
  /** CSV columns masked when the row's values are mirrored (absent in rows started before it existed). */
  secretColumns?: string[];
}

export interface JobSummary {
  jobId: string;
  workflowId: string;
  status: JobStatus;
  /** Why the job stopped early (cancel request, jobTimeoutMs). */
  reason?: string;
  rows: { total: number; passed: number; failed: number; cancelled: number };
  steps: { total: number; passed: number; failed: number; skipped: number };
  durationMs: number;
  /** Every row for jobs up to 100 rows; for larger jobs the failed/cancelled rows (capped). */
  results: RowResult[];
  /** True when `results` lists failures only: every row's result is in the results files. */
  resultsTruncated?: boolean;
  /** True when more failed rows exist than `results` details. */
  failedRowsOmitted?: boolean;
  /** Directory of JSON Lines files with one result per row (see readRowResults). */
  resultsLocation?: string;
}

export interface JobProgress {
  jobId: string;
  status: 'running' | JobStatus;
  rows: { total: number; started: number; running: number; passed: number; failed: number; cancelled: number };
  steps: { passed: number; failed: number; skipped: number };
}

/** Sent by holdSession once the browser context is open, naming the queue that reaches that worker. */
export interface SessionReady {
  /** Which attempt of the row this session belongs to (stale signals from an earlier attempt are ignored). */
  attempt: number;
  sessionId: string;
  taskQueue: string;
  workerId: string;
}

export interface StepRunInput {
  sessionId: string;
  /** Which session of the row (0, then 1 after a restart...): part of each mirrored log line's id. */
  sessionAttempt: number;
  jobId: string;
  row: number;
  stepIndex: number;
  step: Step;
  timeoutMs: number;
  thinkTimeMs: number;
  screenshots: JobConfig['screenshots'];
  /**
   * When the activity closes the session itself, saving the row a releaseSession round trip: 'whenDone' (the
   * row's last step: once it passes or fails for good), 'onFinalFailure' (a failure with no retry left ends the
   * row). Absent (rows started before this option existed): never.
   */
  closeSession?: 'whenDone' | 'onFinalFailure';
  /** The job mirrors to Supabase: the step's log lines go there. Absent (older rows): whenever the worker can. */
  mirror?: boolean;
}

export interface StepRunOutput {
  attempt: number;
  durationMs: number;
  /** The activity closed the session (see StepRunInput.closeSession): the row need not release it. */
  released?: boolean;
  selectorUsed?: string;
  healed?: boolean;
  screenshot?: string;
}

/** Carried in a failed step's ApplicationFailure details. */
export interface StepFailureDetails {
  attempt: number;
  durationMs: number;
  /** The failure was final and the activity closed the session. */
  released?: boolean;
  screenshot?: string;
}

export interface HoldSessionInput {
  /** The rowRun execution to signal once the session is open. */
  workflowId: string;
  runId: string;
  attempt: number;
  jobId: string;
  row: number;
  values: RowValues;
  defaults: Record<string, string>;
  browser: JobConfig['browser'];
  headless: boolean;
  viewport: JobConfig['viewport'];
  /**
   * Present when the job mirrors to Supabase: the row's values with secrets masked, sent with the row's
   * `running` event once the session is open.
   */
  valuesMasked?: RowValues;
}
