/**
 * What a run produced: per step, per row. Pure types, shared by the browser layer that produces them, the
 * workflows that carry them and the client that reads them.
 */
import type { StepErrorType } from '../browser/errors';
import type { StepType } from '../recording/types';

export type StepStatus = 'passed' | 'failed' | 'skipped';
export type RowStatus = 'passed' | 'failed' | 'cancelled';

export interface StepResult {
  index: number;
  type: StepType;
  status: StepStatus;
  /** The last attempt's duration, think time excluded. */
  durationMs: number;
  attempts: number;
  /** The selector alternative that matched, as recorded (placeholders intact). */
  selectorUsed?: string;
  /** True when that alternative was not the first one. */
  healed?: boolean;
  screenshot?: string;
}

export interface RowError {
  stepIndex: number;
  type: StepErrorType | 'Cancelled' | 'SessionRestartsExhausted' | 'InternalError';
  message: string;
}

/** A file kept for one attempt of a row (src/artifacts). */
export interface ArtifactRef {
  kind: 'trace' | 'video';
  /** The row's session attempt that produced it (0 first). */
  attempt: number;
  /** Path on the worker that kept it (ARTIFACT_DIR). */
  location: string;
  bytes: number;
  /** Object path in SUPABASE_ARTIFACT_BUCKET when the mirror is on. */
  storagePath?: string;
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
  /** Traces and videos kept for this row (config trace / video). */
  artifacts?: ArtifactRef[];
  /**
   * Passed, but only after a retried step, a healed selector or a session restart: it may fail next time.
   */
  flaky?: boolean;
}
