/**
 * What no single worker sees from its own activities: jobs that outlive their timeout and mirror outboxes that
 * are not draining. Every JOB_WATCH_INTERVAL_MS the worker asks Temporal's visibility store (two list queries)
 * and publishes the counts as gauges; every replica publishes the same numbers, so alerts take max().
 *
 * A job's deadline is the `jobDeadline` memo (epoch ms) that ExecutionClient sets when the job has a
 * jobTimeoutMs; jobs without one (and portal jobs, whose config the worker loads) have no deadline here.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { Logger } from '../logging/logger';
import type { JobWatchSample } from './metrics';

/** Memo key of a job's deadline (epoch ms), set at start from config.jobTimeoutMs. */
export const JOB_DEADLINE_MEMO = 'jobDeadline';
const EXECUTION_PREFIX = 'execution-';
const MIRROR_PREFIX = 'mirror-';
const MIN_LOOK_DEADLINE_MS = 10_000;

async function listRunning(client: Client, workflowType: string): Promise<WorkflowExecutionInfo[]> {
  const found: WorkflowExecutionInfo[] = [];
  for await (const info of client.workflow.list({ query: `WorkflowType = '${workflowType}' AND ExecutionStatus = 'Running'` }))
    found.push(info);
  return found;
}

/** One look at the namespace. */
export async function sampleJobs(client: Client, now = Date.now()): Promise<JobWatchSample> {
  const [jobs, mirrors] = await Promise.all([listRunning(client, 'executionJob'), listRunning(client, 'jobMirror')]);
  const runningJobIds = new Set(jobs.map((j) => j.workflowId.slice(EXECUTION_PREFIX.length)));
  const deadline = (j: WorkflowExecutionInfo) => Number(j.memo?.[JOB_DEADLINE_MEMO] ?? Infinity);
  return {
    jobsRunning: jobs.length,
    jobsOverTimeout: jobs.filter((j) => deadline(j) < now).length,
    outboxBacklog: mirrors.filter((m) => !runningJobIds.has(m.workflowId.slice(MIRROR_PREFIX.length))).length,
  };
}

export function startJobWatch(opts: { client: Client; intervalMs: number; record: (sample: JobWatchSample) => void; logger: Logger }): {
  stop(): void;
} {
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      // A look that hangs (a frontend gone mid-call) must not freeze the gauges at an old count.
      const deadline = Date.now() + Math.max(opts.intervalMs, MIN_LOOK_DEADLINE_MS);
      opts.record(await opts.client.withDeadline(deadline, () => sampleJobs(opts.client)));
    } catch (err) {
      opts.logger.debug({ err: (err as Error).message }, 'job watch: visibility query failed');
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), opts.intervalMs);
  timer.unref();
  void tick();
  return { stop: () => clearInterval(timer) };
}
