import { readFile } from 'node:fs/promises';
import type { SupabaseClient } from '@supabase/supabase-js';
import { JobEvent, LogEvent, logId, MirrorEvent, RowEvent, rowId, RowsQueuedEvent, ScreenshotEvent, screenshotStoragePath } from './events';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
/** Drop undefined so an upsert never overwrites a column it does not mean to set. */
const defined = <T extends Record<string, unknown>>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

function jobRow(e: JobEvent) {
  return defined({
    id: e.jobId,
    status: e.status,
    workflow_id: e.workflowId,
    run_id: e.runId,
    rows_total: e.rowsTotal,
    steps_total: e.stepsTotal,
    rows_passed: e.counters?.rows.passed,
    rows_failed: e.counters?.rows.failed,
    rows_cancelled: e.counters?.rows.cancelled,
    steps_passed: e.counters?.steps.passed,
    steps_failed: e.counters?.steps.failed,
    steps_skipped: e.counters?.steps.skipped,
    started_at: iso(e.startedAt),
    completed_at: iso(e.completedAt),
    duration_ms: e.durationMs,
    error_message: e.errorMessage,
    results_location: e.resultsLocation,
  });
}

function rowRow(e: RowEvent) {
  return defined({
    id: rowId(e.jobId, e.row),
    job_id: e.jobId,
    row_index: e.row,
    status: e.status,
    worker_id: e.workerId,
    session_restarts: e.sessionRestarts,
    duration_ms: e.durationMs,
    error_message: e.errorMessage,
    error_step_index: e.errorStepIndex,
    error_type: e.errorType,
    started_at: iso(e.startedAt),
    completed_at: iso(e.completedAt),
    values_masked: e.valuesMasked,
  });
}

function logRow(e: LogEvent) {
  return {
    id: logId(e),
    job_id: e.jobId,
    row_index: e.row,
    session_attempt: e.sessionAttempt,
    step_index: e.stepIndex,
    attempt: e.attempt,
    step_type: e.stepType,
    event: e.event,
    duration_ms: e.durationMs ?? null,
    selector_used: e.selectorUsed ?? null,
    healed: e.healed ?? null,
    message: e.message ?? null,
    occurred_at: new Date(e.occurredAt).toISOString(),
  };
}

/**
 * Writes mirror events (and the files they name) to Supabase with supabase-js. Every write is an upsert on a deterministic id, so a
 * batch that Temporal retries after a partial failure lands exactly once. Throws on any error: the
 * activity's retry policy is what makes the mirror durable.
 */
export class SupabaseStore {
  constructor(
    private readonly db: SupabaseClient,
    private readonly screenshotBucket: string,
  ) {}

  async apply(events: MirrorEvent[]): Promise<void> {
    // Consecutive events of one kind go in one request; order across kinds is kept (a job exists before its rows).
    let i = 0;
    while (i < events.length) {
      const kind = events[i].kind;
      let j = i;
      while (j < events.length && events[j].kind === kind) j++;
      await this.applyGroup(events.slice(i, j));
      i = j;
    }
  }

  private async applyGroup(group: MirrorEvent[]): Promise<void> {
    switch (group[0].kind) {
      case 'job':
        // One request per event: counters only move forward, and the status guard drops a late regression.
        for (const e of group as JobEvent[]) await this.check(this.db.from('execution_jobs').upsert(jobRow(e), { onConflict: 'id' }));
        return;
      case 'rowsQueued':
        for (const e of group as RowsQueuedEvent[]) {
          for (let k = 0; k < e.rows.length; k += 500) {
            const chunk = e.rows.slice(k, k + 500).map((r) => ({
              id: rowId(e.jobId, r.row),
              job_id: e.jobId,
              row_index: r.row,
              status: 'queued',
              values_masked: r.valuesMasked,
            }));
            // Never overwrite a row that already moved on (a retried batch after rows started).
            await this.check(this.db.from('execution_rows').upsert(chunk, { onConflict: 'id', ignoreDuplicates: true }));
          }
        }
        return;
      case 'row':
        for (const e of group as RowEvent[]) await this.check(this.db.from('execution_rows').upsert(rowRow(e), { onConflict: 'id' }));
        return;
      case 'log':
        await this.check(
          this.db.from('execution_logs').upsert((group as LogEvent[]).map(logRow), { onConflict: 'id', ignoreDuplicates: true }),
        );
        return;
      case 'screenshot':
      case 'end':
        return; // screenshots go through uploadScreenshot on the worker that has the file
    }
  }

  /** Events of this worker's own activities: written, and the screenshots it holds uploaded. */
  async applyWithUploads(events: MirrorEvent[]): Promise<void> {
    await this.apply(events);
    for (const e of events) if (e.kind === 'screenshot') await this.uploadScreenshot(e);
  }

  async uploadScreenshot(e: ScreenshotEvent): Promise<void> {
    const path = screenshotStoragePath(e);
    const body = await readFile(e.localPath);
    let { error } = await this.db.storage.from(this.screenshotBucket).upload(path, body, { contentType: 'image/png', upsert: true });
    if (error && /bucket not found/i.test(error.message)) {
      // First screenshot of this deployment: create the (private) bucket rather than demand a manual step.
      await this.db.storage.createBucket(this.screenshotBucket, { public: false });
      ({ error } = await this.db.storage.from(this.screenshotBucket).upload(path, body, { contentType: 'image/png', upsert: true }));
    }
    if (error) throw new Error(`screenshot upload failed: ${error.message}`);
    await this.check(
      this.db.from('execution_screenshots').upsert(
        {
          id: `${e.jobId}:${e.row}:${e.stepIndex}`,
          job_id: e.jobId,
          row_index: e.row,
          step_index: e.stepIndex,
          bucket: this.screenshotBucket,
          storage_path: path,
        },
        { onConflict: 'id' },
      ),
    );
  }

  async upsertRunnerHealth(row: Record<string, unknown>): Promise<void> {
    await this.check(this.db.from('runner_health').upsert(row, { onConflict: 'worker_id' }));
  }

  private async check(request: PromiseLike<{ error: { message: string; code?: string } | null }>): Promise<void> {
    const { error } = await request;
    if (error) throw new Error(`Supabase: ${error.message}${error.code ? ` (${error.code})` : ''}`);
  }
}
