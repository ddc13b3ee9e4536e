import { ActivityCancellationType, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { mirrorEventsSignal } from './definitions';
import type { createMirrorActivities } from '../activities/mirror-activities';
import type { MirrorEvent, ScreenshotEvent } from '../mirror/events';

type MirrorActivities = ReturnType<typeof createMirrorActivities>;

const { applyMirrorBatch } = proxyActivities<MirrorActivities>({
  // A batch is a few HTTP requests; no heartbeat, a hung request is cut by the timeout and retried.
  startToCloseTimeout: '30s',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  // Supabase may be down for a long while: keep trying (the events wait here, durably) rather than lose them.
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s' }, // no maximumAttempts: unlimited
});

const uploadOn = (taskQueue: string) =>
  proxyActivities<MirrorActivities>({
    taskQueue,
    startToCloseTimeout: '1m',
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    // The file lives on that worker: if the worker is gone for an hour, so is the screenshot.
    scheduleToCloseTimeout: '1h',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
  }).uploadScreenshot;

const BATCH = 200;
/** Late events (a step's log signal racing the job's end) still land if they arrive this soon after it. */
const STRAGGLER_WAIT = '3s';

/**
 * The durable outbox of one job's Supabase mirror. The job signals its events here and never waits; workers
 * send theirs here when a direct write to Supabase fails. This workflow applies them in arrival order through
 * an activity that retries until Supabase answers.
 * `jobEnded`: started by a worker's late events after the job's own run of this workflow ended (signal with
 * start): apply them and end.
 */
export async function jobMirror(jobId: string, carried: MirrorEvent[] = [], jobEnded = false): Promise<void> {
  const queue: MirrorEvent[] = [...carried];
  setHandler(mirrorEventsSignal, (events) => void queue.push(...events));
  const uploads: Promise<void>[] = [];
  let ended = jobEnded;

  for (;;) {
    if (!(await condition(() => queue.length > 0, ended ? STRAGGLER_WAIT : '24h'))) {
      if (ended) break;
      continue;
    }
    const batch = queue.splice(0, BATCH);
    const writes = batch.filter((e) => e.kind !== 'screenshot' && e.kind !== 'end');
    if (writes.length > 0) await applyMirrorBatch(writes);
    for (const shot of batch.filter((e): e is ScreenshotEvent => e.kind === 'screenshot')) {
      uploads.push(uploadOn(shot.workerTaskQueue)(shot).catch(() => undefined));
    }
    if (batch.some((e) => e.kind === 'end')) ended = true;
    if (!ended && workflowInfo().continueAsNewSuggested) {
      await Promise.all(uploads);
      await continueAsNew<typeof jobMirror>(jobId, queue);
    }
  }
  await Promise.all(uploads);
}
