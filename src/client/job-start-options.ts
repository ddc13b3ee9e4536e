/**
 * How a job's workflow is started, wherever it is started from (the library, the Runs API): its id and queue,
 * idempotent on the jobId, its listing in visibility, the job watch's deadline and its task-queue priority.
 */
import type { WorkflowStartOptions } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { JOB_DEADLINE_MEMO } from '../ops/job-watch';
import { orchestrationQueue } from '../temporal/task-queues';
import { executionWorkflowId } from '../workflows/definitions';
import type { executionJob } from '../workflows/execution-job';
import { taskQueuePriority } from '../workflows/priority';
import type { ExecutionInput, PreparedJob } from '../workflows/types';
import { runListing } from './run-listing';

export function jobStartOptions(
  input: ExecutionInput,
  prepared: PreparedJob | undefined,
  opts: { taskQueueBase: string; memo?: Record<string, unknown> },
): WorkflowStartOptions<typeof executionJob> {
  return {
    workflowId: executionWorkflowId(input.jobId),
    taskQueue: orchestrationQueue(opts.taskQueueBase),
    args: [input],
    // A second start of the same jobId (a retry, a concurrent create) attaches to the first.
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    memo: {
      ...opts.memo,
      // The job watch's deadline (src/ops/job-watch.ts): a job still running past it is alerted on.
      ...(prepared?.config.jobTimeoutMs ? { [JOB_DEADLINE_MEMO]: Date.now() + prepared.config.jobTimeoutMs } : {}),
    },
    ...runListing(input, prepared),
    // The job's workflow tasks and prepareJob; its rows and their sessions get it from the workflow.
    priority: prepared ? taskQueuePriority(prepared.config, input.origin) : undefined,
  };
}
