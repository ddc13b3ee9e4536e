import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/support/tools';
import type { RunnerWorker } from '../../src/worker/runner-worker';
import { startHarness, Harness, newJobId } from '../support/harness';
import { chromiumChildren, commandLine, isAlive, waitFor } from '../support/processes';
import { slowRecording } from '../support/recordings';

/** Each row spends ~4 s inside one step, long enough to kill, crash or stop its worker mid-step. */
const slowRow = slowRecording(4000);

describe('browser crash: the worker survives, relaunches Chromium and restarts the rows it lost', () => {
  let h: Harness;
  let worker: RunnerWorker;
  beforeAll(async () => {
    h = await startHarness({ siteRoot: join(PROJECT_ROOT, 'examples', 'site') });
    worker = await h.startWorker({ MAX_CONCURRENT_SESSIONS: '2' });
  });
  afterAll(() => h.close());

  it('SIGKILL of Chromium mid-step: the job passes, both rows restarted once on the same worker', async () => {
    // The worker launches its browser lazily: the chromium child of this process that appears from now on is
    // its own (a browser left over by another test file in this jest process would be in the baseline).
    const baseline = chromiumChildren();
    const jobId = newJobId('crash');
    await h.client.startExecution({
      jobId,
      recording: slowRow,
      csv: 'n\n1\n2\n',
      config: { timingMode: 'instant', maxConcurrentRows: 2, sessionHeartbeatTimeoutMs: 5000, defaults: { baseUrl: h.site.url } },
    });

    // Both rows hold a page, then both are inside their 4 s step.
    await waitFor('both rows to hold a session', () => worker.sessions.activeSessions === 2, 30_000);
    await new Promise((r) => setTimeout(r, 1500));
    const progress = await h.client.getProgress(jobId);
    expect(progress.rows).toMatchObject({ running: 2, passed: 0, failed: 0 });
    expect(worker.sessions.stats().browser.relaunches).toBe(0);

    const browsers = chromiumChildren().filter((p) => !baseline.includes(p));
    expect(browsers).toHaveLength(1);
    const [pid] = browsers;
    expect(commandLine(pid)).toMatch(/chromium/);
    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');
    await waitFor(`chromium ${pid} to die`, () => !isAlive(pid) || /<defunct>|^$/.test(commandLine(pid) ?? ''), 10_000);

    const summary = await h.client.getResult(jobId);
    console.log(
      `chromium killed → job done in ${Date.now() - killedAt} ms; restarts ${summary.results.map((r) => `row ${r.row}: ${r.sessionRestarts}`).join(', ')}; relaunches ${worker.sessions.stats().browser.relaunches}`,
    );

    expect(summary.status).toBe('passed');
    expect(summary.rows).toMatchObject({ total: 2, passed: 2, failed: 0, cancelled: 0 });
    // A row that passed only after a session restart is flaky.
    expect(summary.rows.flaky).toBe(summary.results.filter((r) => r.sessionRestarts > 0 || r.steps.some((s) => s.attempts > 1)).length);
    for (const r of summary.results) expect(r.flaky ?? false).toBe(r.sessionRestarts > 0 || r.steps.some((s) => s.attempts > 1));
    expect(summary.steps).toEqual({ total: 6, passed: 6, failed: 0, skipped: 0 });
    expect(summary.results.map((r) => r.row)).toEqual([1, 2]);
    for (const row of summary.results) {
      // Both rows were mid-step in the killed browser.
      expect(row).toMatchObject({ status: 'passed', workerId: worker.workerId });
      expect(row.sessionRestarts).toBeGreaterThanOrEqual(1);
      expect(row.steps.map((s) => s.status)).toEqual(['passed', 'passed', 'passed']);
      expect(row.error).toBeUndefined();
    }
    // The worker kept running and launched a new browser for the restarted rows.
    expect(worker.draining).toBe(false);
    expect(worker.sessions.stats().browser.relaunches).toBeGreaterThanOrEqual(1);
    const now = chromiumChildren().filter((p) => !baseline.includes(p));
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(pid);
    expect(worker.sessions.activeSessions).toBe(0);
  });
});
