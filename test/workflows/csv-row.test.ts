import { randomUUID } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { parseJobConfig } from '../../src/config/job-config';
import type { Step } from '../../src/recording/types';
import type { StepResult } from '../../src/results/types';
import { sessionsQueue } from '../../src/temporal/task-queues';
import type { RowAttemptInput, RowAttemptResult, RowResult, RowRunInput } from '../../src/workflows/types';
import { testState } from '../support/harness';

/**
 * The row workflow's control flow against a real Temporal server, with the session activity stubbed: each
 * test decides what the worker holding the session reports, and checks what the row makes of it.
 */

type Attempt = (input: RowAttemptInput) => Promise<RowAttemptResult>;

const steps: Step[] = [
  { type: 'navigate', url: 'http://127.0.0.1:1/' },
  { type: 'click', selectors: ['#a'], offsetX: 1, offsetY: 1 },
  { type: 'click', selectors: ['#b'], offsetX: 1, offsetY: 1 },
];

const passed = (index: number): StepResult => ({ index, type: steps[index].type, status: 'passed', durationMs: 5, attempts: 1 });
const skippedFrom = (from: number): StepResult[] =>
  steps.slice(from).map((s, i) => ({ index: from + i, type: s.type, status: 'skipped', durationMs: 0, attempts: 0 }));
const lost = (stepIndex: number) =>
  ApplicationFailure.create({
    type: 'SessionLost',
    message: 'browser crashed',
    nonRetryable: true,
    details: [{ stepIndex, stepsPassed: stepIndex }],
  });

let env: TestWorkflowEnvironment;
let attempt: Attempt;
const calls: RowAttemptInput[] = [];
let taskQueue: string;
let workers: Worker[];
let running: Promise<void>[];

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  env = await TestWorkflowEnvironment.createFromExistingServer({ address: testState().address });
  taskQueue = `row-unit-${randomUUID().slice(0, 8)}`;
  const runRowAttempt: Attempt = (input) => {
    calls.push(input);
    return attempt(input);
  };
  workers = [
    await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: { codePath: testState().bundlePath } }),
    await Worker.create({
      connection: env.nativeConnection,
      taskQueue: sessionsQueue(taskQueue),
      activities: { runRowAttempt },
      maxHeartbeatThrottleInterval: '200ms',
    }),
  ];
  running = workers.map((w) => w.run());
});

afterAll(async () => {
  workers.forEach((w) => w.shutdown());
  await Promise.all(running);
  await env.teardown();
});

beforeEach(() => {
  calls.length = 0;
});

function rowInput(config: Record<string, unknown> = {}): RowRunInput {
  return {
    jobId: 'unit',
    row: 3,
    steps,
    values: { email: 'a@example.com', password: 'hunter2' },
    config: parseJobConfig({ sessionHeartbeatTimeoutMs: 2000, ...config }),
    mirror: true,
    secretColumns: ['password'],
  };
}

async function runRow(
  input: RowRunInput,
  opts: { whileRunning?: (handle: { cancel(): Promise<unknown> }) => Promise<void>; workflowType?: 'csvRow' | 'rowRun' } = {},
): Promise<RowResult> {
  const { whileRunning, workflowType = 'csvRow' } = opts;
  const handle = await env.client.workflow.start(workflowType, { taskQueue, workflowId: `row-unit-${randomUUID()}`, args: [input] });
  await whileRunning?.(handle);
  return (await handle.result()) as RowResult;
}

it('passes when every step passes on the first session', async () => {
  attempt = async (input) => ({ workerId: 'w1', steps: input.steps.map((_, i) => passed(i)) });
  const result = await runRow(rowInput());
  expect(result).toMatchObject({ row: 3, status: 'passed', sessionRestarts: 0, workerId: 'w1' });
  expect(result.error).toBeUndefined();
  expect(result.steps.map((s) => s.status)).toEqual(['passed', 'passed', 'passed']);
  // The worker gets the row's values, and for the mirror only a masked copy of its secrets.
  expect(calls).toHaveLength(1);
  expect(calls[0]).toMatchObject({
    attempt: 0,
    values: { password: 'hunter2' },
    mirror: { valuesMasked: { email: 'a@example.com', password: '***' } },
  });
});

it('runs rows of jobs started before csvRow (workflow type rowRun) on the same session lease', async () => {
  attempt = async (input) => ({ workerId: 'w2', steps: input.steps.map((_, i) => passed(i)) });
  const result = await runRow(rowInput(), { workflowType: 'rowRun' });
  expect(result).toMatchObject({ row: 3, status: 'passed', sessionRestarts: 0, workerId: 'w2' });
  expect(calls).toHaveLength(1);
});

it('fails at the step the worker reports, with its error and screenshot', async () => {
  attempt = async () => ({
    workerId: 'w1',
    steps: [passed(0), { ...passed(1), status: 'failed', attempts: 3, screenshot: 's.png' }, ...skippedFrom(2)],
    error: { stepIndex: 1, type: 'ElementNotFound', message: 'no element' },
    screenshot: 's.png',
  });
  const result = await runRow(rowInput());
  expect(result).toMatchObject({
    status: 'failed',
    error: { stepIndex: 1, type: 'ElementNotFound' },
    screenshot: 's.png',
    sessionRestarts: 0,
  });
  expect(calls).toHaveLength(1); // a failed step is the row's answer, not a reason to restart
});

it('restarts on a new session when the session is lost, and passes there', async () => {
  attempt = async (input) => {
    if (input.attempt === 0) throw lost(1);
    return { workerId: 'w2', steps: input.steps.map((_, i) => passed(i)) };
  };
  const result = await runRow(rowInput());
  expect(result).toMatchObject({ status: 'passed', sessionRestarts: 1, workerId: 'w2' });
  expect(calls.map((c) => c.attempt)).toEqual([0, 1]);
});

it('treats a worker that stops heartbeating as a lost session, at the step its last heartbeat named', async () => {
  attempt = async (input) => {
    if (input.attempt === 1) return { workerId: 'w2', steps: input.steps.map((_, i) => passed(i)) };
    const ctx = Context.current();
    ctx.heartbeat({ stepIndex: 2, stepsPassed: 2 });
    // A worker that went silent: no more heartbeats. (It wakes only when this test's worker shuts down.)
    await new Promise<void>((resolve) => ctx.cancellationSignal.addEventListener('abort', () => resolve()));
    throw new Error('silent worker stopped');
  };
  const restarted = await runRow(rowInput({ maxSessionRestarts: 1 }));
  expect(restarted).toMatchObject({ status: 'passed', sessionRestarts: 1, workerId: 'w2' });
  calls.length = 0;
  const exhausted = await runRow(rowInput({ maxSessionRestarts: 0 }));
  expect(exhausted).toMatchObject({ status: 'failed', error: { type: 'SessionRestartsExhausted', stepIndex: 2 } });
  expect(exhausted.error!.message).toMatch(/stopped responding \(HEARTBEAT timeout\)/);
});

it('fails as SessionRestartsExhausted once the restart limit is reached, naming the step it was at', async () => {
  attempt = async () => {
    throw lost(2);
  };
  const result = await runRow(rowInput({ maxSessionRestarts: 1 }));
  expect(calls).toHaveLength(2);
  expect(result).toMatchObject({ status: 'failed', sessionRestarts: 1, error: { type: 'SessionRestartsExhausted', stepIndex: 2 } });
  expect(result.error!.message).toMatch(/session lost 2 time\(s\), restart limit 1 reached: browser crashed/);
});

it('is cancelled while waiting for a session: nothing ran, every step skipped', async () => {
  // No worker polls this queue's sessions: the row waits for a lease that never comes.
  const input = rowInput();
  const idleQueue = `row-unit-idle-${randomUUID().slice(0, 8)}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: idleQueue,
    workflowBundle: { codePath: testState().bundlePath },
  });
  const result = await worker.runUntil(async () => {
    const handle = await env.client.workflow.start('csvRow', {
      taskQueue: idleQueue,
      workflowId: `row-unit-${randomUUID()}`,
      args: [input],
    });
    await new Promise((r) => setTimeout(r, 500));
    await handle.cancel();
    return (await handle.result()) as RowResult;
  });
  expect(result).toMatchObject({ status: 'cancelled', error: { type: 'Cancelled', stepIndex: 0 } });
  expect(result.steps).toEqual(skippedFrom(0));
  expect(result.workerId).toBeUndefined();
});

it('is cancelled mid-step: the worker closes the session and the row keeps the steps it finished', async () => {
  let entered!: () => void;
  const inside = new Promise<void>((r) => (entered = r));
  attempt = async () => {
    const ctx = Context.current();
    const beat = setInterval(() => ctx.heartbeat({ stepIndex: 1, stepsPassed: 1 }), 50);
    entered();
    try {
      await new Promise<void>((resolve) => ctx.cancellationSignal.addEventListener('abort', () => resolve()));
      return { workerId: 'w1', steps: [passed(0), ...skippedFrom(1)], cancelledAt: 1 };
    } finally {
      clearInterval(beat);
    }
  };
  const result = await runRow(rowInput(), {
    whileRunning: async (handle) => {
      await inside;
      await handle.cancel();
    },
  });
  expect(result).toMatchObject({ status: 'cancelled', workerId: 'w1', error: { type: 'Cancelled', stepIndex: 1 } });
  expect(result.steps.map((s) => s.status)).toEqual(['passed', 'skipped', 'skipped']);
});

it('reports a worker that cannot open sessions at all as an internal error, without restarting', async () => {
  attempt = async () => {
    throw new Error('chromium executable not found at /nope');
  };
  const result = await runRow(rowInput());
  expect(calls).toHaveLength(1);
  expect(result).toMatchObject({ status: 'failed', error: { type: 'InternalError', stepIndex: 0 } });
  expect(result.error!.message).toMatch(/chromium executable not found/);
});
