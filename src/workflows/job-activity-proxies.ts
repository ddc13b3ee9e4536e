import type { ActivityOptions, Priority } from '@temporalio/common';
import { ActivityCancellationType, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { createJobActivities } from '../activities/job-activities';

const jobActivityOptions = {
  // Short, local work (parse, write a file): no heartbeat; a minute covers a 10,000-row CSV on a slow disk.
  startToCloseTimeout: '1m',
  // Always run to completion: they are called from non-cancellable scopes or before any row starts.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  // Invalid input never gets better on retry; a worker crash mid-parse or a full disk might.
  retry: { maximumAttempts: 5, initialInterval: '1s', maximumInterval: '30s', nonRetryableErrorTypes: ['InputError'] },
} satisfies ActivityOptions;
type JobActivities = ReturnType<typeof createJobActivities>;
// prepareJob runs before the job's config is known: it has the priority the job was started with.
export const { prepareJob } = proxyActivities<JobActivities>(jobActivityOptions);
// The same work in the process that runs the job's workflow task (PREPARE_JOB_LOCALLY_PATCH): no task queue between.
export const { prepareJob: prepareJobLocally } = proxyLocalActivities<JobActivities>(jobActivityOptions);
export const resultWriter = (priority?: Priority) =>
  proxyActivities<JobActivities>({ ...jobActivityOptions, ...(priority ? { priority } : {}) }).writeResults;
