import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Logger } from '../logging/logger';
import { InputError } from '../recording/input-error';
import type { ExecutionInput, PreparedJob, RowResult } from '../workflows/types';
import { prepareExecution, PrepareLimits } from './prepare-execution';
import { writeResultsPart } from './results-files';
import type { WorkerMetrics } from '../ops/metrics';

export interface JobActivityDeps {
  limits: PrepareLimits;
  resultsDir: string;
  logger: Logger;
  metrics?: Pick<WorkerMetrics, 'recordRow'>;
}

/** Job-level activities: run on the orchestration queue, need no browser. */
export function createJobActivities(deps: JobActivityDeps) {
  return {
    async prepareJob(input: ExecutionInput): Promise<PreparedJob> {
      try {
        const job = prepareExecution(input, deps.limits);
        deps.logger.info({ jobId: input.jobId, rows: job.rows.length, steps: job.flow.steps.length }, 'job prepared');
        return job;
      } catch (err) {
        if (err instanceof InputError) {
          throw ApplicationFailure.create({ type: 'InputError', message: err.message, nonRetryable: true, details: [err.issues] });
        }
        throw err;
      }
    },

    async writeResults(input: { jobId: string; part: number; results: RowResult[] }): Promise<{ location: string }> {
      const location = await writeResultsPart(deps.resultsDir, input.jobId, input.part, input.results);
      // Counted here, where each finished row passes exactly once (a retried batch rewrites the same part).
      if (Context.current().info.attempt === 1) for (const r of input.results) deps.metrics?.recordRow(r.status);
      return { location };
    },
  };
}
