import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Env } from '../config/env';
import type { Logger } from '../logging/logger';
import { orchestrationQueue } from '../temporal/task-queues';
import type { artifactCleanup } from '../workflows/artifact-cleanup';
import type { CleanupInput } from '../workflows/types';

export const cleanupScheduleId = (taskQueue: string): string => `artifact-cleanup-${taskQueue}`;

/**
 * The daily retention run: one Temporal Schedule per deployment (task queue), created by whichever worker starts
 * first and brought up to date with this worker's retention settings by the others (visible under Schedules in
 * the Web UI). A server that refuses it is logged, not fatal: rows still run.
 */
export async function ensureCleanupSchedule(client: Client, env: Env, log: Logger): Promise<string | undefined> {
  if (env.CLEANUP_SCHEDULE === 'off') return undefined;
  const scheduleId = cleanupScheduleId(env.TEMPORAL_TASK_QUEUE);
  const input: CleanupInput = { artifactRetentionDays: env.ARTIFACT_RETENTION_DAYS, resultsRetentionDays: env.RESULTS_RETENTION_DAYS };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'artifactCleanup',
    workflowId: `artifact-cleanup-${env.TEMPORAL_TASK_QUEUE}`,
    taskQueue: orchestrationQueue(env.TEMPORAL_TASK_QUEUE),
    args: [input] as Parameters<typeof artifactCleanup>,
  };
  try {
    try {
      await client.schedule.create({
        scheduleId,
        spec: { intervals: [{ every: '1d' }] },
        action,
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1d' },
      });
      log.info({ scheduleId, ...input }, 'cleanup schedule created');
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, action }));
    }
    return scheduleId;
  } catch (err) {
    log.warn({ scheduleId, err: (err as Error).message }, 'cleanup schedule not created: expired artifacts stay until it is');
    return undefined;
  }
}
