import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/support/tools';
import type { RunnerWorker } from '../../src/worker/runner-worker';
import { startHarness, Harness, newJobId } from '../support/harness';

const open = { type: 'navigate', url: '{{baseUrl}}/index.html' };
const oneStep = (step: Record<string, unknown>) => ({ title: 'one failing step', steps: [open, step] });

async function waitFor(predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('failures, retries and cancellation', () => {
  let h: Harness;
  let worker: RunnerWorker;
  beforeAll(async () => {
    h = await startHarness({ siteRoot: join(PROJECT_ROOT, 'examples', 'site') });
    worker = await h.startWorker({ MAX_CONCURRENT_SESSIONS: '6' });
  });
  afterAll(() => h.close());

  const run = async (recording: unknown, config: Record<string, unknown> = {}) => {
    const jobId = newJobId('f');
    await h.client.startExecution({ jobId, recording, config: { timingMode: 'instant', defaults: { baseUrl: h.site.url }, ...config } });
    return h.client.getResult(jobId);
  };

  it.each([
    ['ElementNotFound', { type: 'click', selectors: [['#does-not-exist']], offsetX: 1, offsetY: 1, timeout: 500 }, 3],
    ['StepTimeout', { type: 'waitForExpression', target: 'http://127.0.0.1:9/never-opened', expression: 'true', timeout: 500 }, 2], // a popup that never opens
    ['AssertionFailed', { type: 'waitForElement', selectors: [['h1']], count: 5, timeout: 500 }, 1],
    ['NavigationError', { type: 'navigate', url: 'http://127.0.0.1:9/unreachable' }, 3],
    ['InvalidStep', { type: 'customStep', name: 'unknownThing', parameters: {} }, 1],
  ])('%s is attempted the number of times its type allows', async (type, step, attempts) => {
    const summary = await run(oneStep(step));
    const [row] = summary.results;
    expect(row.status).toBe('failed');
    expect(row.error).toMatchObject({ stepIndex: 1, type });
    expect(row.steps[1]).toMatchObject({ status: 'failed', attempts });
    expect(row.steps[0]).toMatchObject({ status: 'passed', attempts: 1 });
  });

  it('cancel stops the job: no new row starts, running rows close their page at once and keep finished steps', async () => {
    const jobId = newJobId('cancel');
    const slow = {
      title: 'slow',
      steps: [open, { type: 'waitForExpression', expression: 'new Promise((r) => setTimeout(() => r(true), 25000))', timeout: 30000 }],
    };
    await h.client.startExecution({
      jobId,
      recording: slow,
      csv: 'n\n1\n2\n3\n',
      config: { timingMode: 'instant', maxConcurrentRows: 2, defaults: { baseUrl: h.site.url } },
    });
    await waitFor(() => worker.sessions.activeSessions === 2);
    await new Promise((r) => setTimeout(r, 1500)); // both rows are inside their 25 s step
    const cancelledAt = Date.now();
    await h.client.cancelExecution(jobId);
    await waitFor(() => worker.sessions.activeSessions === 0);
    const closeMs = Date.now() - cancelledAt;
    console.log(`cancel → browser contexts closed in ${closeMs} ms`);
    // Far below the 25 s the step would have taken: the cancel reached the page rather than waiting it out.
    expect(closeMs).toBeLessThan(10_000);

    const summary = await h.client.getResult(jobId);
    expect(summary.status).toBe('cancelled');
    expect(summary.reason).toMatch(/cancel/);
    expect(summary.rows).toEqual({ total: 3, passed: 0, failed: 0, cancelled: 3, flaky: 0 });
    const progress = await h.client.getProgress(jobId);
    expect(progress.rows.started).toBe(2); // row 3 never started
    for (const row of summary.results.slice(0, 2)) {
      expect(row.steps[0]).toMatchObject({ status: 'passed' });
      expect(row.steps[1]).toMatchObject({ status: 'skipped' });
      expect(row.error).toMatchObject({ type: 'Cancelled', stepIndex: 1 });
    }
    expect(summary.results[2].steps.every((s) => s.status === 'skipped')).toBe(true);
  });

  it('jobTimeoutMs ends a job that runs too long, as cancelled with the reason', async () => {
    const slow = {
      title: 'slow',
      steps: [open, { type: 'waitForExpression', expression: 'new Promise((r) => setTimeout(() => r(true), 20000))', timeout: 30000 }],
    };
    const summary = await run(slow, { jobTimeoutMs: 3000 });
    expect(summary.status).toBe('cancelled');
    expect(summary.reason).toMatch(/jobTimeoutMs=3000/);
    expect(summary.results[0]).toMatchObject({ status: 'cancelled' });
    expect(summary.results[0].steps[0].status).toBe('passed');
  });
});
