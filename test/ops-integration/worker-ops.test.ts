import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/support/tools';
import { serveWorkerHealth } from '../../src/worker/serve-health';
import { startHarness, Harness, newJobId } from '../support/harness';
import { measureProcessTree } from '../../src/ops/process-memory';
import { spawnMemoryHog, stop } from '../support/memory-hog';

const PROMETHEUS_LINE = /^(#( HELP| TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*|[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? [-+0-9.eEInfa]+( \d+)?)$/;

describe('worker operations: /health, /ready, /metrics, memory guard', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ siteRoot: join(PROJECT_ROOT, 'examples', 'site') });
  });
  afterAll(() => h.close());

  const recording = {
    title: 'ops',
    steps: [
      { type: 'navigate', url: '{{baseUrl}}/index.html' },
      { type: 'click', selectors: [['#get-started']], offsetX: 5, offsetY: 5 },
    ],
  };

  it('reports health and readiness, exposes Prometheus metrics after a job, and is unready while draining', async () => {
    const worker = await h.startWorker({ MAX_CONCURRENT_SESSIONS: '3' });
    const server = await serveWorkerHealth(worker, { HEALTH_PORT: 0, HEALTH_HOST: '127.0.0.1' });
    const url = `http://127.0.0.1:${server.port}`;
    try {
      const jobId = newJobId('ops');
      await h.client.startExecution({ jobId, recording, config: { timingMode: 'instant', defaults: { baseUrl: h.site.url } } });
      expect((await h.client.getResult(jobId)).status).toBe('passed');

      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      const body = await health.json();
      expect(body).toMatchObject({
        status: 'ok',
        workerId: worker.workerId,
        activeSessions: 0,
        maxSessions: 3,
        draining: false,
        browser: { connected: true },
      });
      expect(body.memory.rssMb).toBeGreaterThan(0);
      expect(body.uptimeSeconds).toBeGreaterThanOrEqual(0);

      expect((await fetch(`${url}/ready`)).status).toBe(200);

      const metrics = await (await fetch(`${url}/metrics`)).text();
      for (const line of metrics.split('\n').filter(Boolean)) expect(line).toMatch(PROMETHEUS_LINE);
      expect(metrics).toMatch(/recorder_steps_total\{[^}]*step_type="navigate"[^}]*\} 1/);
      expect(metrics).toMatch(/recorder_steps_total\{[^}]*step_type="click"[^}]*\} 1/);
      expect(metrics).toMatch(/recorder_step_duration_seconds_count\{step_type="click"\} 1/);
      expect(metrics).toMatch(/recorder_rows_total\{status="passed"\} 1/);
      expect(metrics).toMatch(/recorder_sessions_active 0/);

      const draining = worker.shutdown();
      const ready = await fetch(`${url}/ready`);
      expect(ready.status).toBe(503);
      expect((await ready.json()).reason).toMatch(/draining/);
      await draining;
    } finally {
      await server.close();
    }
  });

  it('above MEMORY_HIGH_WATERMARK_MB the worker takes no new session until memory drops', async () => {
    // A child process holding 800 MB pushes this process tree (where the worker and its browsers live) over a
    // watermark 400 MB above where it is now; ending it is memory dropping.
    const watermark = Math.round(measureProcessTree().totalMb + 400);
    const hog = await spawnMemoryHog(800);
    const worker = await h.startWorker({ MEMORY_HIGH_WATERMARK_MB: String(watermark), MEMORY_SAMPLE_MS: '100' });
    await new Promise((r) => setTimeout(r, 300));
    expect(worker.memoryGuard!.isHigh()).toBe(true);
    const jobId = newJobId('mem');
    await h.client.startExecution({ jobId, recording, config: { timingMode: 'instant', defaults: { baseUrl: h.site.url } } });
    await new Promise((r) => setTimeout(r, 3000));
    expect(worker.sessions.stats().sessionsOpened).toBe(0); // the row waits in the queue
    await stop(hog);
    const summary = await h.client.getResult(jobId);
    expect(summary.results[0].error).toBeUndefined(); // names the step and reason if the row failed
    expect(summary.status).toBe('passed');
    expect(worker.sessions.stats().sessionsOpened).toBe(1);
  });
});
