import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Logger } from '../logging/logger';
import type { PortalJobs } from '../mirror/portal-jobs';
import type { SupabaseStore } from '../mirror/supabase-store';
import type { WorkerMetrics } from '../ops/metrics';
import { InputError } from '../recording/input-error';
import { validateJob, type PrepareLimits } from '../recording/validate-job';
import { writeRerunLink, writeResultsPart } from '../results/files';
import { startRunEvents } from '../results/run-events';
import type { ExecutionInput, PreparedJob, RowResult } from '../workflows/types';

export interface JobActivityDeps {
  limits: PrepareLimits;
  resultsDir: string;
  logger: Logger;
  metrics?: Pick<WorkerMetrics, 'recordRow'>;
  /** NOTIFY_WEBHOOK_URL: where jobs with no notify target of their own report their end. */
  defaultNotifyUrl?: string;
  /** Present when the worker mirrors to Supabase. */
  supabase?: { store: SupabaseStore; portalJobs: PortalJobs };
}

/** Job-level activities: run on the orchestration queue, need no browser. */
export function createJobActivities(deps: JobActivityDeps) {
  const limits = { ...deps.limits, mirror: deps.supabase !== undefined };
  return {
    /**
     * Validates the job. A portal job arrives as its jobId alone: recording, CSV and config are then read
     * from Supabase, and a bad one is marked failed there with the reason, before any browser starts.
     */
    async prepareJob(input: ExecutionInput): Promise<PreparedJob> {
      const portal = input.recording === undefined && input.csv === undefined;
      try {
        if (portal && !deps.supabase) {
          throw new InputError(`Job ${input.jobId} has no recording, and Supabase is not configured to load it from (SUPABASE_URL)`);
        }
        const stored = portal && deps.supabase ? await deps.supabase.portalJobs.load(input.jobId) : undefined;
        const job: PreparedJob = {
          ...validateJob(stored ? { ...input, ...stored } : input, limits),
          ...(input.rerunOf ? { rerunOf: input.rerunOf } : {}),
          ...(stored ? { recordingId: stored.recordingId } : {}),
        };
        if (input.rerunOf) await writeRerunLink(deps.resultsDir, input.rerunOf.jobId, { jobId: input.jobId, rows: input.rerunOf.rows });
        if (!job.config.notify && deps.defaultNotifyUrl)
          job.config.notify = { url: deps.defaultNotifyUrl, format: 'json', events: ['ended'] };
        await startRunEvents(deps.resultsDir, input.jobId, job.rows.length);
        deps.logger.info({ jobId: input.jobId, rows: job.rows.length, steps: job.flow.steps.length, portal }, 'job prepared');
        return job;
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        if (portal && deps.supabase) {
          await deps.supabase.store.apply([
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
