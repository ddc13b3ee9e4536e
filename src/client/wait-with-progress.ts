import type { JobSummary } from '../workflows/types';
import type { ExecutionClient } from './execution-client';
import { progressLine } from './format-summary';

/** Awaits a job's summary; on a TTY, redraws a progress bar from the `progress` query meanwhile. */
export async function waitWithProgress(client: ExecutionClient, jobId: string, showBar: boolean): Promise<JobSummary> {
  const result = client.getResult(jobId);
  if (!showBar) return result;
  let finished = false;
  void result.finally(() => (finished = true)).catch(() => undefined);
  while (!finished) {
    try {
      process.stderr.write(`\r${progressLine(await client.getProgress(jobId))}`);
    } catch {
      // The job may not have answered its first query yet.
    }
    await Promise.race([result.catch(() => undefined), new Promise((r) => setTimeout(r, 500))]);
  }
  process.stderr.write('\n');
  return result;
}
