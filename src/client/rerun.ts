import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { parseCsv } from '../recording/csv';
import { InputError } from '../recording/input-error';
import { executionWorkflowId } from '../workflows/definitions';
import type { ExecutionInput } from '../workflows/types';
import type { ExecutionClient } from './execution-client';

const quoteCsv = (v: string) => (/[",\r\n]|^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** The header and the given rows (1-based, in the original's numbering) of a CSV, as CSV text. */
export function csvWithRows(csv: string, rows: number[]): string {
  const parsed = parseCsv(csv, { maxRows: Number.MAX_SAFE_INTEGER });
  const lines = [parsed.headers.map(quoteCsv).join(',')];
  for (const n of rows) lines.push(parsed.headers.map((h) => quoteCsv(parsed.rows[n - 1]?.[h] ?? '')).join(','));
  return lines.join('\n') + '\n';
}

/**
 * What the job was started with: the input of its first run (later runs, after continue-as-new, carry no
 * recording), decoded with the client's payload codec.
 */
async function originalInput(ec: ExecutionClient, jobId: string): Promise<ExecutionInput> {
  const workflowId = executionWorkflowId(jobId);
  let first: { runId: string; startTime: Date } | undefined;
  for await (const run of ec.client.workflow.list({ query: `WorkflowId = '${workflowId.replace(/'/g, "\\'")}'` })) {
    if (!first || run.startTime < first.startTime) first = { runId: run.runId, startTime: run.startTime };
  }
  const history = await ec.client.workflow.getHandle(workflowId, first?.runId).fetchHistory();
  const payloads = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads;
  return decodeFromPayloadsAtIndex<ExecutionInput>(ec.client.options.loadedDataConverter, 0, payloads);
}

/**
 * The input of a new job running only the failed rows of `jobId`: same recording and config, the CSV values of
 * those rows, linked to the original (`rerunOf`).
 */
export async function rerunFailedInput(ec: ExecutionClient, jobId: string, newJobId: string): Promise<ExecutionInput> {
  const rows = await ec.getAllRowResults(jobId);
  const failed = rows.filter((r) => r.status === 'failed').map((r) => r.row);
  if (failed.length === 0) throw new InputError(`Job ${jobId} has no failed rows to rerun`);
  const input = await originalInput(ec, jobId);
  if (input.recording === undefined) {
    throw new InputError(`Job ${jobId} is a portal job (recording in Supabase): rerun it from the portal`);
  }
  return {
    jobId: newJobId,
    recording: input.recording,
    // Without a CSV the job was one row: running it again needs no values.
    csv: input.csv === undefined ? undefined : csvWithRows(input.csv, failed),
    config: input.config,
    rerunOf: { jobId, rows: failed },
  };
}
