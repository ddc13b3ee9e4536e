import { ApplicationFailure } from '@temporalio/activity';
import type { Logger } from '../logging/logger';
import { InputError } from '../recording/input-error';
import type { ExecutionInput, PreparedJob } from '../workflows/types';
import { prepareExecution, PrepareLimits } from './prepare-execution';

export interface JobActivityDeps {
  limits: PrepareLimits;
  logger: Logger;
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
  };
}
