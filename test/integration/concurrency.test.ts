import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/support/tools';
import type { RunnerWorker } from '../../src/worker/runner-worker';
import { flakyRowsOf } from '../support/flaky-rows';
import { startHarness, Harness, newJobId } from '../support/harness';

/** Each row holds its page ~600 ms so that overlapping rows are observable. */
const slowRecording = {
  title: 'hold the page a moment',
  steps: [
    { type: 'navigate', url: '{{baseUrl}}/index.html' },
    { type: 'waitForExpression', expression: 'new Promise((r) => setTimeout(() => r(true), 600))' },
  ],
};

function sampleSessions(workers: RunnerWorker[]) {
  const max = workers.map(() => 0);
  let maxTotal = 0;
  const timer = setInterval(() => {
    const counts = workers.map((w) => w.sessions.activeSessions);
    counts.forEach((c, i) => (max[i] = Math.max(max[i], c)));
    maxTotal = Math.max(
      maxTotal,
      counts.reduce((a, b) => a + b, 0),
    );
  }, 10);
  return { stop: () => (clearInterval(timer), { max, maxTotal }) };
}

describe('concurrency', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ siteRoot: join(PROJECT_ROOT, 'examples', 'site') });
  });
  afterAll(() => h.close());

  it('never has more than maxConcurrentRows sessions open, and uses the whole window', async () => {
    const worker = await h.startWorker({ MAX_CONCURRENT_SESSIONS: '4' });
    const jobId = newJobId('window');
    const sampler = sampleSessions([worker]);
    let maxRunning = 0;
    await h.client.startExecution({
      jobId,
      recording: slowRecording,
      csv: 'n\n1\n2\n3\n4\n5\n6\n',
      config: { timingMode: 'instant', maxConcurrentRows: 2, defaults: { baseUrl: h.site.url } },
    });
    const result = h.client.getResult(jobId);
    // One query at a time, and the last one awaited: a query still in flight when the worker shuts down
    // outlives this test, and its client retries on a closed channel later (an uncaught error in another suite).
    let inFlight: Promise<unknown> | undefined;
    const poll = setInterval(() => {
      inFlight ??= h.client
        .getProgress(jobId)
        .then(
          (p) => (maxRunning = Math.max(maxRunning, p.rows.running)),
          () => undefined,
        )
        .finally(() => (inFlight = undefined));
    }, 50);
    const summary = await result;
    clearInterval(poll);
    await inFlight;
    const { maxTotal } = sampler.stop();
    const flaky = flakyRowsOf(summary);
    expect(summary.rows).toEqual({ total: 6, passed: 6, failed: 0, cancelled: 0, flaky });
    expect(maxTotal).toBe(2);
    expect(maxRunning).toBeLessThanOrEqual(2);
    await worker.shutdown();
  });

  it('a full worker takes no new rows: MAX_CONCURRENT_SESSIONS holds per worker and other replicas get the rows', async () => {
    const a = await h.startWorker({ MAX_CONCURRENT_SESSIONS: '1' });
    const b = await h.startWorker({ MAX_CONCURRENT_SESSIONS: '1' });
    const jobId = newJobId('replicas');
    const sampler = sampleSessions([a, b]);
    await h.client.startExecution({
      jobId,
      recording: slowRecording,
      csv: 'n\n1\n2\n3\n4\n5\n6\n',
      config: { timingMode: 'instant', maxConcurrentRows: 4, defaults: { baseUrl: h.site.url } },
    });
    const summary = await h.client.getResult(jobId);
    const { max, maxTotal } = sampler.stop();
    expect(summary.rows.passed).toBe(6);
    expect(max).toEqual([1, 1]);
    expect(maxTotal).toBe(2);
    const usedWorkers = new Set(summary.results.map((r) => r.workerId));
    expect(usedWorkers).toEqual(new Set([a.workerId, b.workerId]));
  });
});
