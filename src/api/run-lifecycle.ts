/**
 * Cancel, soft delete and retry of a run.
 * - Cancel: a Temporal cancel; the job cancels its running rows, and what they finished is kept.
 * - Delete: a running job marks itself Deleted (signal) and is cancelled; a finished one, whose search
 *   attributes can no longer change, has its execution deleted from Temporal (asynchronously: a marker in
 *   RESULTS_DIR/.deleted hides it meanwhile). Either way it leaves every list
 *   and answers 404, and its results, events and screenshots are released once it has stopped.
 * - Retry: a new run with the recording, CSV and options of the original (read from its first execution's
 *   input, which Temporal keeps encrypted); `rows: 'failed'` keeps only the CSV rows that failed.
 */
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import type { Env } from '../config/env';
import { parseCsv } from '../recording/csv';
import { markDeletedSignal } from '../workflows/definitions';
import type { ExecutionInput } from '../workflows/types';
import type { Principal } from './auth';
import { ApiError } from './errors';
import { markDeleted } from './deleted-runs';
import { rowResults } from './run-rows';
import type { OwnedRun, RunService } from './run-service';
import { RUN_MEMO, runIdOf, type RunMemo } from './run-view';
import type { CreateRunBody } from './schemas';

const finished = (run: OwnedRun) => run.description.status.name !== 'RUNNING';

export async function cancelRun(run: OwnedRun): Promise<void> {
  if (finished(run)) {
    throw new ApiError(
      'INVALID_RUN_STATUS',
      `Run ${runIdOf(run.description.workflowId)} has already finished; only a queued or running run can be cancelled`,
    );
  }
  await run.handle.cancel();
}

export async function deleteRun(client: Client, env: Env, run: OwnedRun): Promise<void> {
  const id = runIdOf(run.description.workflowId);
  // Its files on this host: results, screenshots, traces and videos (each kept under a folder named by the job).
  const release = () =>
    Promise.all(
      [env.RESULTS_DIR, env.SCREENSHOT_DIR, env.ARTIFACT_DIR].map((dir) => rm(join(resolve(dir), id), { recursive: true, force: true })),
    );
  // Temporal deletes a closed execution asynchronously: until it is gone, this marker hides it.
  await markDeleted(env.RESULTS_DIR, id);
  if (!finished(run)) {
    await run.handle.signal(markDeletedSignal);
    await run.handle.cancel();
    void run.handle
      .result()
      .then(release, release)
      .catch(() => undefined);
    return;
  }
  await client.workflowService.deleteWorkflowExecution({
    namespace: env.TEMPORAL_NAMESPACE,
    workflowExecution: { workflowId: run.description.workflowId },
  });
  await release();
}

/** The first execution's input: the one continue-as-new did not strip the recording and CSV from. */
async function originalInput(client: Client, run: OwnedRun): Promise<ExecutionInput> {
  const firstRunId = run.description.raw.workflowExecutionInfo?.firstRunId || run.description.runId;
  const history = await client.workflow.getHandle(run.description.workflowId, firstRunId).fetchHistory();
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  return decodeFromPayloadsAtIndex<ExecutionInput>(client.options.loadedDataConverter, 0, started?.input?.payloads);
}

function csvOfRows(csv: string, keep: Set<number>): string {
  const { headers, rows } = parseCsv(csv, { maxRows: Number.MAX_SAFE_INTEGER });
  const cell = (v: string | undefined) => `"${(v ?? '').replace(/"/g, '""')}"`;
  const lines = rows.filter((_, i) => keep.has(i + 1)).map((values) => headers.map((h) => cell(values[h])).join(','));
  return [headers.map(cell).join(','), ...lines].join('\n') + '\n';
}

export async function retryRun(service: RunService, client: Client, env: Env, principal: Principal, run: OwnedRun, rows: 'all' | 'failed') {
  const id = runIdOf(run.description.workflowId);
  if (!finished(run)) throw new ApiError('INVALID_RUN_STATUS', `Run ${id} is still running; retry it once it has finished`);
  const input = await originalInput(client, run);
  let csv = input.csv;
  if (rows === 'failed') {
    const summary = await run.handle.result().catch(() => undefined);
    const failed = new Set(
      (await rowResults(env.RESULTS_DIR, id, summary?.results)).filter((r) => r.status === 'failed').map((r) => r.row),
    );
    if (failed.size === 0) throw new ApiError('INVALID_RUN_STATUS', `Run ${id} has no failed rows to retry`);
    if (csv !== undefined) csv = csvOfRows(csv, failed);
  }
  const memo = (run.description.memo?.[RUN_MEMO] ?? {}) as RunMemo;
  const recordingId = input.origin?.recordingId;
  const body: CreateRunBody = {
    recording: input.recording as CreateRunBody['recording'],
    options: memo.options,
  };
  const created = await service.create(principal, body, { retryOf: id, csv, recordingIdShown: recordingId });
  return created.run;
}
