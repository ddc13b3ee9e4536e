import { Writable } from 'node:stream';
import pino from 'pino';
import { startHealthServer, type HealthReport, type HealthServer } from '../../src/ops/health-server';
import { MemoryGuard } from '../../src/ops/memory-guard';
import { createWorkerMetrics } from '../../src/ops/metrics';
import { createWorkerHealth } from '../../src/ops/worker-health';
import { parseExposition } from './prometheus-text';

/** The server's inputs: state a test flips, read through the same callbacks the worker will pass. */
const state = {
  active: 0,
  draining: false,
  started: true,
  connected: false,
  relaunches: 0,
  launchError: undefined as string | undefined,
};

const logLines: Array<{ level: number; msg: string }> = [];
const logger = pino(
  { level: 'info' },
  new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  }),
);

const generous = new MemoryGuard({ highWatermarkMb: 1_000_000, sampleMs: 200 });
const tight = new MemoryGuard({ highWatermarkMb: 1, sampleMs: 200 });
/** The guard the worker health reads: a test swaps in a 1 MB watermark to see it crossed. */
let guard = generous;
const metrics = createWorkerMetrics({ activeSessions: () => state.active, maxSessions: 2, browserRelaunches: () => state.relaunches });
const model = createWorkerHealth({
  workerId: 'worker-test-1',
  maxSessions: 2,
  activeSessions: () => state.active,
  draining: () => state.draining,
  started: () => state.started,
  browser: () => ({ connected: state.connected, relaunches: state.relaunches, launchError: state.launchError }),
  memoryGuard: {
    get lastSample() {
      return guard.lastSample;
    },
    get highWatermarkMb() {
      return guard.highWatermarkMb;
    },
    get enabled() {
      return guard.enabled;
    },
    isHigh: () => guard.isHigh(),
  },
  startedAt: Date.now() - 5_000,
});

let server: HealthServer;
let base: string;

beforeAll(async () => {
  guard.start();
  server = await startHealthServer({
    port: 0,
    host: '127.0.0.1',
    logger,
    health: model.health,
    ready: model.ready,
    metrics: () => metrics.render(),
    metricsContentType: metrics.contentType,
  });
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  guard.stop();
  await server.close();
});

async function getJson<T>(path: string): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(base + path);
  return { status: res.status, body: (await res.json()) as T, headers: res.headers };
}

describe('health server', () => {
  it('listens on an ephemeral port when asked for port 0', () => {
    expect(server.port).toBeGreaterThan(0);
  });

  it('GET /health reports the worker state as JSON', async () => {
    state.active = 1;
    state.relaunches = 1;
    state.connected = true;
    const { status, body, headers } = await getJson<HealthReport>('/health');
    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/^application\/json/);
    expect(headers.get('cache-control')).toBe('no-store');
    expect(body).toMatchObject({
      status: 'ok',
      workerId: 'worker-test-1',
      activeSessions: 1,
      maxSessions: 2,
      draining: false,
      browser: { connected: true, relaunches: 1 },
      memory: { highWatermarkMb: 1_000_000, aboveWatermark: false },
    });
    expect(body.reasons).toBeUndefined();
    expect(body.uptimeSeconds).toBeGreaterThanOrEqual(5);
    expect(body.memory.rssMb).toBeGreaterThan(10);
    expect(body.memory.heapUsedMb).toBeGreaterThan(1);
    expect(body.memory.heapUsedMb).toBeLessThan(body.memory.rssMb);
    expect(typeof body.memory.browserRssMb).toBe('number');
  });

  it('GET /ready is 200 when polling, 503 with a reason while starting or draining', async () => {
    expect(await getJson('/ready')).toMatchObject({ status: 200, body: { ready: true } });

    state.started = false;
    const starting = await getJson<{ ready: boolean; reason: string }>('/ready');
    expect(starting.status).toBe(503);
    expect(starting.body).toEqual({ ready: false, reason: expect.stringMatching(/^starting/) });
    state.started = true;

    state.draining = true;
    const draining = await getJson<{ ready: boolean; reason: string }>('/ready');
    expect(draining.status).toBe(503);
    expect(draining.body).toEqual({ ready: false, reason: expect.stringMatching(/^draining/) });
    // Draining is healthy: liveness must not kill a worker finishing its rows.
    const health = await getJson<HealthReport>('/health');
    expect(health.status).toBe(200);
    expect(health.body.draining).toBe(true);
    state.draining = false;
    expect((await getJson('/ready')).status).toBe(200);
  });

  it('GET /health is 503 "degraded" when the browser cannot be launched', async () => {
    state.connected = false;
    state.launchError = 'chromium executable not found at /nope';
    const { status, body } = await getJson<HealthReport>('/health');
    expect(status).toBe(503);
    expect(body.status).toBe('degraded');
    expect(body.reasons).toEqual(['browser cannot be launched: chromium executable not found at /nope']);
    expect(body.browser.connected).toBe(false);
    state.launchError = undefined;
    expect((await getJson('/health')).status).toBe(200);
  });

  it('GET /health reports the memory watermark when crossed', async () => {
    guard = tight;
    tight.sample();
    const { status, body } = await getJson<HealthReport>('/health');
    expect(status).toBe(200); // above the watermark: no new sessions, but healthy
    expect(body.memory).toMatchObject({ highWatermarkMb: 1, aboveWatermark: true });
    guard = generous;
  });

  it('GET /metrics serves valid Prometheus text with our metrics', async () => {
    metrics.recordStep('click', 'passed', 120);
    metrics.recordStep('waitForElement', 'failed', 5_000);
    metrics.recordRow('passed');
    metrics.recordRow('failed');
    metrics.recordSessionRestart();
    state.active = 2;

    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(metrics.contentType);
    const text = await res.text();
    const parsed = parseExposition(text);
    expect(parsed.invalid).toEqual([]);
    expect(parsed.duplicateFamilies).toEqual([]);
    for (const name of [
      'recorder_sessions_active',
      'recorder_sessions_max',
      'recorder_steps_total',
      'recorder_step_duration_seconds_bucket',
      'recorder_step_duration_seconds_sum',
      'recorder_step_duration_seconds_count',
      'recorder_session_restarts_total',
      'recorder_browser_relaunches_total',
      'recorder_rows_total',
      'recorder_process_resident_memory_bytes',
    ]) {
      expect(parsed.samples).toContain(name);
    }
    expect(text).toContain('recorder_sessions_active 2');
    expect(text).toContain('recorder_steps_total{step_type="waitForElement",status="failed"} 1');
    expect(text).toContain('recorder_rows_total{status="passed"} 1');
    expect(text).toContain('recorder_step_duration_seconds_bucket{le="5",step_type="waitForElement"} 1');
  });

  it('answers 503 when the health callback throws, and 404 for unknown routes', async () => {
    const broken = await startHealthServer({
      port: 0,
      host: '127.0.0.1',
      health: () => {
        throw new Error('registry unavailable');
      },
      ready: () => ({ ready: true }),
      metrics: async () => {
        throw new Error('boom');
      },
      metricsContentType: 'text/plain; version=0.0.4; charset=utf-8',
    });
    try {
      const url = `http://127.0.0.1:${broken.port}`;
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(503);
      expect(await health.json()).toEqual({ status: 'degraded', reasons: ['health check failed: registry unavailable'] });
      expect((await fetch(`${url}/metrics`)).status).toBe(500);
      expect((await fetch(`${url}/nope`)).status).toBe(404);
    } finally {
      await broken.close();
    }
  });

  it('logs no per-request lines at info level', async () => {
    for (let i = 0; i < 3; i++) {
      await fetch(`${base}/health`);
      await fetch(`${base}/ready`);
      await fetch(`${base}/metrics`);
    }
    await fetch(`${base}/does-not-exist`);
    const requestLines = logLines.filter((l) => /request|route/i.test(l.msg));
    expect(requestLines).toEqual([]);
    // The one startup line is all there is.
    expect(logLines.map((l) => l.msg)).toEqual(['health server listening (/health, /ready, /metrics)']);
  });
});
