import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/support/tools';
import { flakyRowsOf } from '../support/flaky-rows';
import { startHarness, Harness, newJobId } from '../support/harness';
import { runsOf } from '../support/history';

describe('large jobs continue as new', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ siteRoot: join(PROJECT_ROOT, 'examples', 'site') });
    await h.startWorker({ MAX_CONCURRENT_SESSIONS: '4' });
  });
  afterAll(() => h.close());

  it('carries counters across runs, keeps progress right, and writes every row result once', async () => {
    const jobId = newJobId('can');
    const rows = Array.from({ length: 25 }, (_, i) => `${i + 1}`);
    // Row 7 looks for an element that does not exist: one failure to carry across runs.
    const recording = {
      title: 'one check per row',
      steps: [
        { type: 'navigate', url: '{{baseUrl}}/index.html' },
        { type: 'waitForElement', selectors: [['{{selector}}']], timeout: 1000 },
      ],
    };
    const csv = 'n,selector\n' + rows.map((n) => `${n},${n === '7' ? '#missing' : '#get-started'}`).join('\n');
    await h.client.startExecution({
      jobId,
      recording,
      csv,
      config: { timingMode: 'instant', maxConcurrentRows: 4, rowsPerRun: 10, defaults: { baseUrl: h.site.url } },
    });

    const seen: number[] = [];
    const result = h.client.getResult(jobId);
    let done = false;
    void result.finally(() => (done = true)).catch(() => undefined);
    while (!done) {
      const p = await h.client.getProgress(jobId).catch(() => undefined);
      if (p) seen.push(p.rows.passed + p.rows.failed + p.rows.cancelled);
      await new Promise((r) => setTimeout(r, 100));
    }
    const summary = await result;

    expect(summary.status).toBe('failed');
    const flaky = flakyRowsOf(summary);
    expect(summary.rows).toEqual({ total: 25, passed: 24, failed: 1, cancelled: 0, flaky });
    expect(summary.steps).toEqual({ total: 50, passed: 49, failed: 1, skipped: 0 });
    expect(summary.results).toHaveLength(25); // small job: every row detailed
    // The progress query never went backwards across continue-as-new.
    expect(seen.length).toBeGreaterThan(3);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);

    const runs = await runsOf(h.client.client, `execution-${jobId}`);
    expect(runs.length).toBe(3); // rows 1-10, 11-20, 21-25
    for (const run of runs) expect(run.events).toBeLessThan(20_000);

    const all = await h.client.getAllRowResults(jobId);
    expect(all.map((r) => r.row)).toEqual(rows.map(Number));
    expect(all.find((r) => r.row === 7)).toMatchObject({ status: 'failed', error: { stepIndex: 1 } });
    expect(summary.resultsLocation).toContain(jobId);
  });
});
