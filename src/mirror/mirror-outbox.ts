import type { Client } from '@temporalio/client';
import { orchestrationQueue } from '../temporal/task-queues';
import { mirrorEventsSignal, mirrorWorkflowId } from '../workflows/definitions';
import type { jobMirror } from '../workflows/job-mirror';
import type { MirrorEvent } from './events';

/**
 * How a worker hands events to a job's durable outbox, its mirror workflow. With start: events that come
 * after that workflow ended (it ends shortly after the job) get a short run of their own instead of being
 * lost; it applies them and ends.
 */
export function mirrorOutbox(client: Client, baseTaskQueue: string): (jobId: string, events: MirrorEvent[]) => Promise<void> {
  return async (jobId, events) => {
    await client.workflow.signalWithStart<typeof jobMirror, [MirrorEvent[]]>('jobMirror', {
      workflowId: mirrorWorkflowId(jobId),
      taskQueue: orchestrationQueue(baseTaskQueue),
      args: [jobId, [], true],
      signal: mirrorEventsSignal,
      signalArgs: [events],
    });
  };
}
