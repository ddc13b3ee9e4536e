import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Logger } from '../logging/logger';
import type { SupabaseMirror } from '../mirror/supabase-mirror';
import type { WorkerMetrics } from '../ops/metrics';
import { InputError } from '../recording/input-error';
import type { ExecutionInput, PreparedJob, RowResult } from '../workflows/types';
import { prepareExecution, PrepareLimits } from './prepare-execution';
import { loadPortalJob } from './portal-job';
import { writeResultsPart } from './results-files';

export interface JobActivityDeps {
  limits: PrepareLimits;
  resultsDir: string;
  logger: Logger;
  metrics?: Pick<WorkerMetrics, 'recordRow'>;
  mirror?: SupabaseMirror;
}

/** Job-level activities: run on the orchestration queue, need no browser. */
export function createJobActivities(deps: JobActivityDeps) {
  const limits = { ...deps.limits, mirror: deps.mirror !== undefined };
  return {
    /**
     * Validates the job. A portal job arrives as its jobId alone: recording, CSV and config are then read
     * from Supabase, and a bad one is marked failed there with the reason, before any browser starts.
     */
    async prepareJob(input: ExecutionInput): Promise<PreparedJob> {
      const portal = input.recording === undefined && input.csv === undefined;
      try {
        const full = portal ? { ...input, ...(await loadPortalJob(deps.mirror, input.jobId)) } : input;
        const job = prepareExecution(full, limits);
        deps.logger.info({ jobId: input.jobId, rows: job.rows.length, steps: job.flow.steps.length, portal }, 'job prepared');
        return job;
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        if (portal && deps.mirror) {
          await deps.mirror.apply([
            { kind: 'job', jobId: input.jobId, status: 'failed', errorMessage: err.message, completedAt: Date.now() },
          ]);
        }
        throw ApplicationFailure.create({ type: 'InputError', message: err.message, nonRetryable: true, details: [err.issues] });
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
