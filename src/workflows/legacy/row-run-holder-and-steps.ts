/**
 * FROZEN: the row workflow as it ran before session leases, kept so that rows started by it (history
 * generations 01 to 03 in test/fixtures/histories) still replay. A holder activity kept the session open on
 * some worker and signalled the row where it was; each step was an activity of its own on that worker's
 * queue. Do not edit: any change to the commands it issues breaks those histories. Its activity options are in
 * holder-activity-proxies.ts.
 */
import { CancellationScope, condition, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { DEFAULT_STEP_TIMEOUT_MS, thinkTimeMs } from '../../recording/timing';
import type { Step } from '../../recording/types';
import { maskRow } from '../../recording/secrets';
import { rowEndEvent } from '../../mirror/events';
import type { RowResult, StepResult } from '../../results/types';
import type { RowRunInput } from '../types';
import { workflowMirrorSink } from '../mirror-sink';
import { MIRROR_ROW_EVENTS_PATCH } from '../patches';
import { classifyStepFailure, holderOutcome, type AttemptOutcome } from './failures';
import { holderActivities, releaseActivities, stepActivities } from './holder-activity-proxies';
import { sessionReadySignal, type SessionReady, type StepRunInput } from './holder-protocol';

function stepTimeout(step: Step, input: RowRunInput): number {
  return step.timeout ?? input.flowTimeoutMs ?? input.config.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
}

const skipped = (steps: Step[], from: number): StepResult[] =>
  steps.slice(from).map((s, i) => ({ index: from + i, type: s.type, status: 'skipped', durationMs: 0, attempts: 0 }));

/**
 * One CSV row: obtain a browser session on some worker, run every step there, always release the session.
 * A lost session (worker or browser died) restarts the row from its first step on whichever worker is free.
 */
export async function rowRunWithHolderAndSteps(input: RowRunInput): Promise<RowResult> {
  const signalsMirror = input.mirror && !patched(MIRROR_ROW_EVENTS_PATCH);
  const result = await runRow(input, signalsMirror);
  if (signalsMirror) await workflowMirrorSink({ mirrored: true }).emit(input.jobId, [rowEndEvent(input.jobId, result, Date.now())]);
  return result;
}

async function runRow(input: RowRunInput, signalsMirror: boolean): Promise<RowResult> {
  const started = Date.now();
  let attempt = 0;
  let session: SessionReady | undefined;
  setHandler(sessionReadySignal, (ready) => {
    if (ready.attempt === attempt) session = ready;
  });

  let sessionRestarts = 0;
  for (;;) {
    session = undefined;
    const outcome = await runAttempt(input, attempt, () => session, signalsMirror);
    if (outcome.kind === 'sessionLost' && sessionRestarts < input.config.maxSessionRestarts) {
      sessionRestarts++;
      attempt++;
      continue;
    }
    const durationMs = Date.now() - started;
    const base = { row: input.row, durationMs, sessionRestarts };
    switch (outcome.kind) {
      case 'finished':
        return {
          ...base,
          status: outcome.error ? 'failed' : 'passed',
          workerId: outcome.workerId,
          error: outcome.error,
          screenshot: outcome.screenshot,
          steps: outcome.steps,
        };
      case 'cancelled':
        return {
          ...base,
          status: 'cancelled',
          workerId: outcome.workerId,
          error: { stepIndex: outcome.stepIndex, type: 'Cancelled', message: 'row cancelled' },
          steps: outcome.steps,
        };
      case 'sessionLost':
        return {
          ...base,
          status: 'failed',
          error: {
            stepIndex: outcome.stepIndex,
            type: 'SessionRestartsExhausted',
            message: `session lost ${sessionRestarts + 1} time(s), restart limit ${input.config.maxSessionRestarts} reached: ${outcome.message}`,
          },
          steps: outcome.steps,
        };
    }
  }
}

async function runAttempt(
  input: RowRunInput,
  attempt: number,
  currentSession: () => SessionReady | undefined,
  signalsMirror: boolean,
): Promise<AttemptOutcome> {
  const { workflowId, runId } = workflowInfo();
  const { config } = input;
  const secretColumns = input.secretColumns ?? [];
  // The holder must outlive a cancel of the row: the row releases the session itself (closing the page at
  // once) instead of waiting for the holder to hear about the cancel through its next heartbeat. So it runs
  // in a scope shielded from the row's cancellation, which the row cancels explicitly when it must.
  const shield = new CancellationScope({ cancellable: false });
  let holderScope!: CancellationScope;
  let holderError: unknown;
  let holderFailed!: () => void;
  const holderFailure = new Promise<void>((resolve) => (holderFailed = resolve));
  const holder = shield
    .run(() => {
      holderScope = new CancellationScope();
      return holderScope.run(() =>
        holderActivities(config.sessionHeartbeatTimeoutMs).holdSession({
          workflowId,
          runId,
          attempt,
          jobId: input.jobId,
          row: input.row,
          values: input.values,
          defaults: config.defaults,
          browser: config.browser,
          headless: config.headless,
          viewport: config.viewport,
          ...(input.mirror && !signalsMirror ? { valuesMasked: maskRow(input.values, (c) => secretColumns.includes(c)) } : {}),
        }),
      );
    })
    .then(
      () => undefined,
      (err) => {
        holderError = err;
        holderFailed();
      },
    );

  const steps: StepResult[] = [];
  try {
    await condition(() => currentSession() !== undefined || holderError !== undefined);
  } catch {
    // Cancelled while waiting for a session. If one opened meanwhile, give it back; else withdraw the request.
    const opened = currentSession();
    await release(opened);
    if (!opened) holderScope.cancel();
    return { kind: 'cancelled', steps: skipped(input.steps, 0), stepIndex: 0, workerId: opened?.workerId };
  }
  const session = currentSession();
  if (!session) return holderOutcome(holderError, steps, 0);
  void workflowMirrorSink({ mirrored: signalsMirror }).emit(input.jobId, [
    {
      kind: 'row',
      jobId: input.jobId,
      row: input.row,
      status: 'running',
      workerId: session.workerId,
      sessionRestarts: attempt,
      startedAt: Date.now(),
    },
  ]);

  // Set when a runStep closed the session itself; then the holder completes without a releaseSession call.
  // Driven by the activity's result, not by a code path: histories from before StepRunInput.closeSession
  // (no `released` in results) replay into the releaseSession call they recorded (test/replay, 01-initial).
  let closedByStep = false;

  /** Gives the session back: closes the page now and lets the holder complete. Runs even when cancelled. */
  async function release(opened: SessionReady | undefined): Promise<void> {
    await CancellationScope.nonCancellable(async () => {
      if (!opened || holderError !== undefined) return;
      try {
        if (!closedByStep) await releaseActivities(opened.taskQueue).releaseSession({ sessionId: opened.sessionId });
        await holder;
      } catch {
        // The worker is unreachable: its holder times out on its own and the page dies with the worker.
        holderScope.cancel();
      }
    });
  }

  let outcome: AttemptOutcome | undefined;
  for (let index = 0; index < input.steps.length && !outcome; index++) {
    const step = input.steps[index];
    const timeoutMs = stepTimeout(step, input);
    const thinkMs = thinkTimeMs(step, config.timingMode, config.speedMultiplier);
    const stepInput: StepRunInput = {
      sessionId: session.sessionId,
      sessionAttempt: attempt,
      jobId: input.jobId,
      row: input.row,
      stepIndex: index,
      step,
      timeoutMs,
      thinkTimeMs: thinkMs,
      screenshots: config.screenshots,
      closeSession: index === input.steps.length - 1 ? 'whenDone' : 'onFinalFailure',
      mirror: input.mirror,
    };
    const stepScope = new CancellationScope();
    const run = stepScope.run(() => stepActivities(session.taskQueue, timeoutMs, thinkMs).runStep(stepInput));
    const settled = await Promise.race([
      run.then(
        (ok) => ({ ok }) as const,
        (err: unknown) => ({ err }) as const,
      ),
      holderFailure.then(() => ({ lost: true }) as const),
    ]);
    if ('lost' in settled) {
      stepScope.cancel();
      outcome = holderOutcome(holderError, steps, index);
    } else if ('ok' in settled) {
      const r = settled.ok;
      closedByStep = r.released === true;
      steps.push({
        index,
        type: step.type,
        status: 'passed',
        durationMs: r.durationMs,
        attempts: r.attempt,
        selectorUsed: r.selectorUsed,
        healed: r.healed,
        screenshot: r.screenshot,
      });
    } else {
      const failure = classifyStepFailure(settled.err);
      if (failure.kind === 'cancelled' || CancellationScope.current().consideredCancelled) {
        outcome = { kind: 'cancelled', steps: [...steps, ...skipped(input.steps, index)], stepIndex: index, workerId: session.workerId };
      } else if (failure.kind === 'sessionLost') {
        outcome = { kind: 'sessionLost', steps, message: failure.message, stepIndex: index };
      } else {
        closedByStep = failure.details?.released === true;
        steps.push({
          index,
          type: step.type,
          status: 'failed',
          durationMs: failure.details?.durationMs ?? 0,
          attempts: failure.details?.attempt ?? 1,
          screenshot: failure.details?.screenshot,
        });
        outcome = {
          kind: 'finished',
          steps: [...steps, ...skipped(input.steps, index + 1)],
          error: { stepIndex: index, type: failure.type, message: failure.message },
          screenshot: failure.details?.screenshot,
          workerId: session.workerId,
        };
      }
    }
  }

  await release(session);
  return outcome ?? { kind: 'finished', steps, workerId: session.workerId };
}
