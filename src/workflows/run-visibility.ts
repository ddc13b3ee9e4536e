/**
 * What a job shows Temporal visibility while it runs: search attributes kept current (upserts, behind
 * RUN_SEARCH_ATTRIBUTES_PATCH: each is a workflow command) and the Web UI's current details (no command).
 */
import { patched, setCurrentDetails, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { markDeletedSignal } from './definitions';
import type { JobCounters } from './job-state';
import { RUN_SEARCH_ATTRIBUTES_PATCH } from './patches';
import { DELETED, RECORDING_ID, RECORDING_TITLE, ROWS_FAILED, ROWS_TOTAL, RUN_STATUS, type RunStatus } from './search-attributes';

export interface RunVisibility {
  /** A row ended: RowsFailed follows the failed-row count, and the details the counters. */
  rowsChanged(counters: JobCounters, rowsStarted: number): void;
  /** The job ended (or a run of it starts): RunStatus. */
  status(status: RunStatus): void;
}

/**
 * `recordingId`: a portal job's, known once prepareJob has loaded it (others set it when they start). It comes from
 * prepareJob's recorded result, so a history recorded without it replays the same upsert.
 */
export function runVisibility(opts: {
  title: string;
  rowsTotal: number;
  rowsFailed: number;
  stepsPerRow: number;
  recordingId?: string;
}): RunVisibility {
  const findable = patched(RUN_SEARCH_ATTRIBUTES_PATCH);
  let failedShown = opts.rowsFailed;
  if (findable) {
    upsertSearchAttributes([
      { key: RUN_STATUS, value: 'running' },
      { key: RECORDING_TITLE, value: opts.title },
      { key: ROWS_TOTAL, value: opts.rowsTotal },
      { key: ROWS_FAILED, value: opts.rowsFailed },
      ...(opts.recordingId ? [{ key: RECORDING_ID, value: opts.recordingId }] : []),
    ]);
    setHandler(markDeletedSignal, () => upsertSearchAttributes([{ key: DELETED, value: true }]));
  }
  const details = (counters: JobCounters, rowsStarted: number, status: RunStatus) => {
    const { passed, failed, cancelled } = counters.rows;
    const s = counters.steps;
    setCurrentDetails(
      [
        `**${status}** — ${opts.title}`,
        `rows: ${passed + failed + cancelled}/${opts.rowsTotal} done (${passed} passed, ${failed} failed, ${cancelled} cancelled), ${rowsStarted} started`,
        `steps: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped of ${opts.rowsTotal * opts.stepsPerRow}`,
      ].join('\n\n'),
    );
  };
  let last: { counters: JobCounters; started: number } | undefined;
  return {
    rowsChanged(counters, rowsStarted) {
      last = { counters, started: rowsStarted };
      details(counters, rowsStarted, 'running');
      if (findable && counters.rows.failed !== failedShown) {
        failedShown = counters.rows.failed;
        upsertSearchAttributes([{ key: ROWS_FAILED, value: failedShown }]);
      }
    },
    status(status) {
      if (last) details(last.counters, last.started, status);
      if (findable) upsertSearchAttributes([{ key: RUN_STATUS, value: status }]);
    },
  };
}

/** prepareJob refused the job: it ends failed, and says so where operators filter. */
export function showPrepareFailed(): void {
  if (patched(RUN_SEARCH_ATTRIBUTES_PATCH)) upsertSearchAttributes([{ key: RUN_STATUS, value: 'failed' }]);
}
