/**
 * What an executionJob carries from one run to the next (continue-as-new), and the pure bookkeeping over it.
 * The workflow result must stay small whatever the row count, so full per-row results go to results files
 * (written in batches by an activity) and the state keeps counters plus a capped list of detailed rows.
 */
import type { JobSummary, PreparedJob, RowResult } from './types';

/** Jobs up to this many rows report every row in the summary; larger ones report failures only. */
export const SUMMARY_ALL_ROWS_LIMIT = 100;
/** At most this many failed/cancelled rows are detailed in a large job's summary. */
export const SUMMARY_FAILED_ROWS_CAP = 100;
/** Row results are persisted in batches of this size (one activity call each). */
export const RESULTS_BATCH_SIZE = 100;

export interface JobCounters {
  /** `flaky` counts passed rows marked flaky (absent in state carried by runs from before it existed). */
  rows: { passed: number; failed: number; cancelled: number; flaky?: number };
  steps: { passed: number; failed: number; skipped: number };
}

export interface JobState {
  job: PreparedJob;
  /** The next row number (1-based) to start. */
  nextRow: number;
  startedAt: number;
  /** How many runs (continue-as-new generations) came before this one. */
  run: number;
  counters: JobCounters;
  /** Rows detailed in the summary (all of them for small jobs, else failed ones up to the cap). */
  detailed: RowResult[];
  detailedTruncated: boolean;
  /** Finished rows not yet written to the results files. */
  unwritten: RowResult[];
  partsWritten: number;
  resultsLocation?: string;
  stopReason?: string;
}

export function initialState(job: PreparedJob, startedAt: number): JobState {
  return {
    job,
    nextRow: 1,
    startedAt,
    run: 0,
    counters: { rows: { passed: 0, failed: 0, cancelled: 0 }, steps: { passed: 0, failed: 0, skipped: 0 } },
    detailed: [],
    detailedTruncated: false,
    unwritten: [],
    partsWritten: 0,
  };
}

/** Counts a finished row once and queues it for the results files. */
export function recordRow(state: JobState, result: RowResult): void {
  const stepsPerRow = state.job.flow.steps.length;
  state.counters.rows[result.status]++;
  if (result.flaky) state.counters.rows.flaky = (state.counters.rows.flaky ?? 0) + 1;
  let passed = 0;
  let failed = 0;
  for (const s of result.steps) {
    if (s.status === 'passed') passed++;
    else if (s.status === 'failed') failed++;
  }
  state.counters.steps.passed += passed;
  state.counters.steps.failed += failed;
  // Steps never reported (a row that never started) are skipped too.
  state.counters.steps.skipped += stepsPerRow - passed - failed;
  state.unwritten.push(result);
  if (state.job.rows.length <= SUMMARY_ALL_ROWS_LIMIT) {
    state.detailed.push(result);
  } else if (result.status !== 'passed') {
    if (state.detailed.length < SUMMARY_FAILED_ROWS_CAP) state.detailed.push(result);
    else state.detailedTruncated = true;
  }
}

export function jobStatus(state: JobState): JobSummary['status'] {
  const { rows } = state.counters;
  if (state.stopReason) return 'cancelled';
  return rows.failed > 0 ? 'failed' : rows.cancelled > 0 ? 'cancelled' : 'passed';
}

export function summarize(state: JobState, jobId: string, workflowId: string, now: number): JobSummary {
  const total = state.job.rows.length;
  return {
    jobId,
    workflowId,
    status: jobStatus(state),
    ...(state.stopReason ? { reason: state.stopReason } : {}),
    rows: { total, ...state.counters.rows, flaky: state.counters.rows.flaky ?? 0 },
    steps: { total: total * state.job.flow.steps.length, ...state.counters.steps },
    durationMs: now - state.startedAt,
    results: [...state.detailed].sort((a, b) => a.row - b.row),
    ...(total > SUMMARY_ALL_ROWS_LIMIT ? { resultsTruncated: true } : {}),
    ...(state.detailedTruncated ? { failedRowsOmitted: true } : {}),
    ...(state.resultsLocation ? { resultsLocation: state.resultsLocation } : {}),
    ...(state.job.rerunOf ? { rerunOf: state.job.rerunOf } : {}),
  };
}
