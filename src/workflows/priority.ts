import type { Priority } from '@temporalio/common';
import type { JobConfig } from '../config/job-config';
import type { ExecutionOrigin } from './types';

/**
 * The Temporal task-queue priority a job's workflows and activities carry: its priority (1 most urgent),
 * and the fairness key its session slots are shared by (the job's own key, else its owner). Pure: used by
 * the workflows and by the client that starts the job or its schedule.
 */
export function taskQueuePriority(
  config: Pick<JobConfig, 'priority' | 'fairnessKey' | 'fairnessWeight'>,
  origin?: ExecutionOrigin,
): Priority {
  const fairnessKey = config.fairnessKey ?? origin?.ownerId;
  return {
    priorityKey: config.priority,
    ...(fairnessKey ? { fairnessKey } : {}),
    ...(fairnessKey && config.fairnessWeight !== undefined ? { fairnessWeight: config.fairnessWeight } : {}),
  };
}
