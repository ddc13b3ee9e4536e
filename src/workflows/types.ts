/**
 * Inputs and results of the workflows and of the activity that runs a row. Pure types: imported by workflow
 * code, activities and the client.
 */
import type { Priority } from '@temporalio/common';
import type { JobConfig, JobConfigInput } from '../config/job-config';
import type { RowValues, Step, UserFlow } from '../recording/types';
import type { ArtifactRef, RowError, RowResult, StepResult } from '../results/types';

export type { RowError, RowResult, RowStatus, StepResult, StepStatus } from '../results/types';

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
  /** This job reruns rows of another (`rerun <jobId> --failed`): its row n is `rows[n - 1]` there. */
  rerunOf?: RerunLink;
  /**
   * Who or what started the job: shown as search attributes (OwnerId, TriggeredBy, RecordingId); `ownerId` is
   * the default fairness key.
   */
  origin?: ExecutionOrigin;
}

export interface ExecutionOrigin {
  ownerId?: string;
  triggeredBy?: 'api' | 'cli' | 'portal' | 'schedule';
  recordingId?: string;
  scheduleId?: string;
}

export interface RerunLink {
  jobId: string;
  /** Row numbers in the original job, in the order this job runs them. */
  rows: number[];
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
  rerunOf?: RerunLink;
  /** A portal job: the recording Supabase holds it with, known only once loaded (RecordingId search attribute). */
  recordingId?: string;
}

export type JobStatus = 'passed' | 'failed' | 'cancelled';

export interface JobSummary {
  jobId: string;
  workflowId: string;
  status: JobStatus;
  /** Why the job stopped early (cancel request, jobTimeoutMs). */
  reason?: string;
  /** `flaky`: passed rows that needed a retried step, a healed selector or a session restart (also in `passed`). */
  rows: { total: number; passed: number; failed: number; cancelled: number; flaky: number };
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
  /** The job whose failed rows this one reran. */
  rerunOf?: RerunLink;
  /** Jobs that reran this one's failed rows (added by ExecutionClient.getResult from the results directory). */
  reruns?: RerunLink[];
}

export interface JobProgress {
  jobId: string;
  status: 'running' | JobStatus;
  rows: { total: number; started: number; running: number; passed: number; failed: number; cancelled: number };
  steps: { passed: number; failed: number; skipped: number };
}

/** One CSV row's child workflow. (Rows of every generation take this input.) */
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
  /** CSV columns masked when the row's values are mirrored. */
  secretColumns?: string[];
  /** The job's task-queue priority, set on the row's session activities (absent in rows started before it). */
  priority?: Priority;
}

/** One attempt of a row: lease a session on some worker and run every step there. */
export interface RowAttemptInput {
  jobId: string;
  row: number;
  /** 0 for the row's first session, 1 after one restart, ... */
  attempt: number;
  steps: Step[];
  values: RowValues;
  flowTimeoutMs?: number;
  config: JobConfig;
  /** CSV columns whose values never show: masked in screenshots (and in the mirror). */
  secretColumns: string[];
  /** Present when the job mirrors to Supabase: the row's values with secret columns masked. */
  mirror?: { valuesMasked: RowValues };
}

export interface RowAttemptResult {
  workerId: string;
  /** Every step of the recording: passed, failed, or skipped (not reached). */
  steps: StepResult[];
  error?: RowError;
  screenshot?: string;
  /** Traces and videos this attempt kept. */
  artifacts?: ArtifactRef[];
  /** The row was cancelled while this step was pending; the session was closed at once. */
  cancelledAt?: number;
}

/** What an attempt tells Temporal as it goes (heartbeat details): shown in the Web UI, read after a timeout. */
export interface RowAttemptProgress {
  /** The step running now (or the last one that ran). */
  stepIndex: number;
  stepsPassed: number;
}

/** The cleanup schedule's input: retention in days (ARTIFACT_RETENTION_DAYS, RESULTS_RETENTION_DAYS). */
export interface CleanupInput {
  artifactRetentionDays: number;
  resultsRetentionDays: number;
}

/** Anything written before these times (ms since the epoch) is expired. */
export interface CleanupCutoffs {
  artifactsBefore: number;
  resultsBefore: number;
}

/** What one cleanup run removed. */
export interface CleanupReport {
  /** Trace, video and screenshot files (ARTIFACT_DIR, SCREENSHOT_DIR). */
  localFiles: number;
  localBytes: number;
  /** Job directories of results files (RESULTS_DIR). */
  resultJobs: number;
  /** Storage objects and their execution_artifacts / execution_screenshots rows (mirror on). */
  storageObjects: number;
  mirrorRows: number;
}
