import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/support/tools';
import { rowWorkflowId } from '../../src/workflows/definitions';
import type { RunnerWorker } from '../../src/worker/runner-worker';
import { startHarness, Harness, newJobId } from '../support/harness';

/** A row that holds its session a moment, so rows queue for the worker's session slots. */
const holdRecording = (ms: number) => ({
  title: 'hold the session',
  steps: [
    { type: 'navigate', url: '{{baseUrl}}/index.html' },
    { type: 'waitForExpression', expression: `new Promise((r) => setTimeout(() => r(true), ${ms}))` },
  ],
});
const csvOf = (rows: number) => 'n\n' + Array.from({ length: rows }, (_, i) => `${i + 1}\n`).join('');

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('priority and fairness on the sessions queue', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ siteRoot: join(PROJECT_ROOT, 'examples', 'site') });
  });
  afterAll(() => h.close());

  /** Every row of the given jobs, in the order their sessions ended (one slot: the order they ran). */
  async function sessionOrder(jobs: { jobId: string; rows: number; label: string }[]): Promise<string[]> {
    const ended: { label: string; at: number }[] = [];
    for (const job of jobs) {
      for (let row = 1; row <= job.rows; row++) {
        const d = await h.client.client.workflow.getHandle(rowWorkflowId(job.jobId, row)).describe();
        ended.push({ label: `${job.label}${row}`, at: d.closeTime!.getTime() });
      }
    }
    return ended.sort((a, b) => a.at - b.at).map((e) => e.label);
  }

  const config = (extra: Record<string, unknown>) => ({ timingMode: 'instant' as const, defaults: { baseUrl: h.site.url }, ...extra });

  it('a free session slot goes to the most urgent waiting row', async () => {
    const worker: RunnerWorker = await h.startWorker({ MAX_CONCURRENT_SESSIONS: '1' });
    const low = newJobId('low');
    const high = newJobId('high');
    await h.client.startExecution({
      jobId: low,
      recording: holdRecording(300),
      csv: csvOf(6),
      config: config({ priority: 5, maxConcurrentRows: 6 }),
    });
    await until(() => worker.sessions.activeSessions === 1, 'the low-priority job to hold the session');
    await h.client.startExecution({
      jobId: high,
      recording: holdRecording(300),
      csv: csvOf(2),
      config: config({ priority: 1, maxConcurrentRows: 2 }),
    });
    const [lowSummary, highSummary] = await Promise.all([h.client.getResult(low), h.client.getResult(high)]);
    expect(lowSummary.rows.passed).toBe(6);
    expect(highSummary.rows.passed).toBe(2);
    const order = await sessionOrder([
      { jobId: low, rows: 6, label: 'L' },
      { jobId: high, rows: 2, label: 'H' },
    ]);
    // The low row holding the session finishes; the next two sessions are the urgent job's.
    expect(order.slice(1, 3).sort()).toEqual(['H1', 'H2']);
    await worker.shutdown();
  });

  it("a small job of another owner is not starved by a big job's queued rows", async () => {
    const worker: RunnerWorker = await h.startWorker({ MAX_CONCURRENT_SESSIONS: '2' });
    const big = newJobId('owner-a');
    const small = newJobId('owner-b');
    await h.client.startExecution({
      jobId: big,
      recording: holdRecording(50),
      csv: csvOf(40),
      config: config({ maxConcurrentRows: 40 }),
      origin: { ownerId: 'owner-a', triggeredBy: 'api' },
    });
    await until(() => worker.sessions.activeSessions === 2, "owner A's job to hold both sessions");
    await h.client.startExecution({
      jobId: small,
      recording: holdRecording(50),
      csv: csvOf(4),
      config: config({ maxConcurrentRows: 4 }),
      origin: { ownerId: 'owner-b', triggeredBy: 'api' },
    });
    await Promise.all([h.client.getResult(big), h.client.getResult(small)]);
    const order = await sessionOrder([
      { jobId: big, rows: 40, label: 'A' },
      { jobId: small, rows: 4, label: 'B' },
    ]);
    const smallDoneAt = Math.max(...['B1', 'B2', 'B3', 'B4'].map((b) => order.indexOf(b)));
    const bigRowsBeforeSmallDone = order.slice(0, smallDoneAt).filter((label) => label.startsWith('A')).length;
    // Shared by key: B's four rows interleave with A's (about four each, a couple more already dispatched)
    // instead of waiting behind all 40 (bench/fairness measures both).
    expect(bigRowsBeforeSmallDone).toBeLessThanOrEqual(12);
    await worker.shutdown();
  });
});
