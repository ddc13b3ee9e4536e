import { CancellationScope, getExternalWorkflowHandle } from '@temporalio/workflow';
import { NO_MIRROR, type MirrorSink } from '../mirror/sink';
import { mirrorEventsSignal, mirrorWorkflowId } from './definitions';

/**
 * The workflow side of the mirror: events go to the job's outbox workflow (jobMirror) as a signal, which
 * costs a Temporal round trip, never a Supabase one. Non-cancellable so a cancelled job still reports how it
 * ended; a missing outbox is not the caller's problem.
 */
const OUTBOX: MirrorSink = {
  emit(jobId, events) {
    if (events.length === 0) return Promise.resolve();
    return CancellationScope.nonCancellable(() =>
      getExternalWorkflowHandle(mirrorWorkflowId(jobId)).signal(mirrorEventsSignal, events),
    ).catch(() => undefined);
  },
};

export function workflowMirrorSink(options: { mirrored: boolean }): MirrorSink {
  return options.mirrored ? OUTBOX : NO_MIRROR;
}
