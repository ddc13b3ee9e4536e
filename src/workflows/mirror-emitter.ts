import { CancellationScope, getExternalWorkflowHandle } from '@temporalio/workflow';
import type { MirrorEvent } from '../mirror/events';
import { mirrorEventsSignal, mirrorWorkflowId } from './definitions';

/**
 * Hands events to the job's mirror workflow. A signal costs a Temporal round trip, never a Supabase one.
 * Non-cancellable so a cancelled row still reports how it ended; a missing mirror is not the row's problem.
 */
export function emitMirror(enabled: boolean, jobId: string, events: MirrorEvent[]): Promise<void> {
  if (!enabled || events.length === 0) return Promise.resolve();
  return CancellationScope.nonCancellable(() =>
    getExternalWorkflowHandle(mirrorWorkflowId(jobId)).signal(mirrorEventsSignal, events),
  ).catch(() => undefined);
}
