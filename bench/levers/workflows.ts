/**
 * The three ways a row could drive its steps through Temporal, and the one built run under a job as the system
 * does, with the step itself reduced to nothing, so that only Temporal's own cost per step remains
 * (bench/levers/run.ts). See docs/row-pipeline.md.
 */
import { executeChild, patched, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type * as activities from './activities';

const regular = proxyActivities<typeof activities>({ startToCloseTimeout: '1m', heartbeatTimeout: '10s', retry: { maximumAttempts: 3 } });
const local = proxyLocalActivities<typeof activities>({ startToCloseTimeout: '1m', retry: { maximumAttempts: 3 } });

/** Before: one activity per step (the row's session on a worker-specific queue). */
export async function activityPerStep(steps: number): Promise<number> {
  for (let i = 0; i < steps; i++) await regular.step(i);
  return steps;
}

/** Lever (b): the row on its session's worker, each step a local activity in that process. */
export async function localActivityPerStep(steps: number): Promise<number> {
  for (let i = 0; i < steps; i++) await local.step(i);
  return steps;
}

/** Lever (a), as built: one activity runs every step and heartbeats each step's result. */
export async function oneActivityPerRow(steps: number): Promise<number> {
  return regular.allSteps(steps);
}

/** Lever (a) as the system runs it: one child workflow per row under a job, one activity per child. */
export async function childRowsUnderJob(rows: number, concurrency: number, steps: number): Promise<number> {
  return runChildren('oneActivityPerRow', rows, concurrency, steps);
}

/** The same with the `patched()` check every new row makes (a marker and a TemporalChangeVersion upsert). */
export async function patchedChildRowsUnderJob(rows: number, concurrency: number, steps: number): Promise<number> {
  return runChildren('patchedOneActivityPerRow', rows, concurrency, steps);
}

export async function patchedOneActivityPerRow(steps: number): Promise<number> {
  if (!patched('levers-row-patch')) return 0;
  return regular.allSteps(steps);
}

async function runChildren(row: 'oneActivityPerRow' | 'patchedOneActivityPerRow', rows: number, concurrency: number, steps: number) {
  let next = 0;
  const lane = async () => {
    while (next < rows) {
      const n = next++;
      await executeChild(row, { workflowId: `${workflowInfo().workflowId}-row-${n}`, args: [steps] });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return rows;
}
