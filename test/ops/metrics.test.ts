import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createWorkerMetrics, stepTypeLabel, STEP_DURATION_BUCKETS } from '../../src/ops/metrics';
import { PROJECT_ROOT } from '../../src/support/tools';
import { testState } from '../support/harness';
import { parseExposition } from './prometheus-text';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

type Sample = { value: number; labels: Record<string, string | number>; metricName?: string };

async function samples(metrics: ReturnType<typeof createWorkerMetrics>, name: string): Promise<Sample[]> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`metric ${name} not registered`);
  return (await metric.get()).values as Sample[];
}

function valueOf(list: Sample[], labels: Record<string, string | number>, metricName?: string): number | undefined {
  return list.find(
    (s) => (metricName === undefined || s.metricName === metricName) && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  )?.value;
}

describe('worker metrics', () => {
  it('counts steps by type and status and observes their durations in seconds', async () => {
    const metrics = createWorkerMetrics({ activeSessions: () => 0, maxSessions: 2, browserRelaunches: () => 0 });
    metrics.recordStep('click', 'passed', 250);
    metrics.recordStep('click', 'failed', 1200);
    metrics.recordStep('navigate', 'passed', 30_000);
    metrics.recordStep('somethingInvented', 'passed', 5);

    const steps = await samples(metrics, 'recorder_steps_total');
    expect(valueOf(steps, { step_type: 'click', status: 'passed' })).toBe(1);
    expect(valueOf(steps, { step_type: 'click', status: 'failed' })).toBe(1);
    expect(valueOf(steps, { step_type: 'navigate', status: 'passed' })).toBe(1);
    // Unknown step types collapse into one label value: recordings cannot blow up cardinality.
    expect(valueOf(steps, { step_type: 'other', status: 'passed' })).toBe(1);
    expect(valueOf(steps, { step_type: 'somethingInvented', status: 'passed' })).toBeUndefined();

    const hist = await samples(metrics, 'recorder_step_duration_seconds');
    const bucket = (stepType: string, le: number | string) =>
      valueOf(hist, { step_type: stepType, le }, 'recorder_step_duration_seconds_bucket');
    expect(bucket('click', 0.1)).toBe(0);
    expect(bucket('click', 0.25)).toBe(1); // 250 ms lands in le=0.25 (buckets are inclusive)
    expect(bucket('click', 1)).toBe(1);
    expect(bucket('click', 2.5)).toBe(2);
    expect(bucket('click', '+Inf')).toBe(2);
    expect(valueOf(hist, { step_type: 'click' }, 'recorder_step_duration_seconds_sum')).toBeCloseTo(1.45, 6);
    expect(valueOf(hist, { step_type: 'click' }, 'recorder_step_duration_seconds_count')).toBe(2);
    expect(bucket('navigate', 20)).toBe(0);
    expect(bucket('navigate', 30)).toBe(1);
    expect(STEP_DURATION_BUCKETS[0]).toBe(0.01);
    expect(STEP_DURATION_BUCKETS[STEP_DURATION_BUCKETS.length - 1]).toBe(30);
  });

  it('reads sessions and relaunches from the source at scrape time, and counts restarts and rows', async () => {
    let active = 0;
    let relaunches = 0;
    const metrics = createWorkerMetrics({ activeSessions: () => active, maxSessions: 3, browserRelaunches: () => relaunches });
    const scrape = async (name: string) => (await samples(metrics, name))[0]?.value;

    expect(await scrape('recorder_sessions_active')).toBe(0);
    expect(await scrape('recorder_sessions_max')).toBe(3);
    active = 2;
    expect(await scrape('recorder_sessions_active')).toBe(2);

    relaunches = 2;
    expect(await scrape('recorder_browser_relaunches_total')).toBe(2);
    expect(await scrape('recorder_browser_relaunches_total')).toBe(2);
    relaunches = 0; // the registry's pools were recreated: the counter must not go down
    expect(await scrape('recorder_browser_relaunches_total')).toBe(2);
    relaunches = 1;
    expect(await scrape('recorder_browser_relaunches_total')).toBe(3);

    metrics.recordSessionRestart();
    metrics.recordSessionRestart();
    expect(await scrape('recorder_session_restarts_total')).toBe(2);

    metrics.recordRow('passed');
    metrics.recordRow('passed');
    metrics.recordRow('failed');
    const rows = await samples(metrics, 'recorder_rows_total');
    expect(valueOf(rows, { status: 'passed' })).toBe(2);
    expect(valueOf(rows, { status: 'failed' })).toBe(1);
  });

  it('publishes the memory watermark, readiness, outbox diversions and the job watch for the alert rules', async () => {
    let sampleMb: number | undefined;
    let ready = false;
    const metrics = createWorkerMetrics(
      {
        activeSessions: () => 0,
        maxSessions: 2,
        browserRelaunches: () => 0,
        memory: { lastSampleMb: () => sampleMb, highWatermarkMb: () => 1300 },
      },
      { defaultMetrics: false },
    );
    sampleMb = 1400;
    expect(valueOf(await samples(metrics, 'recorder_memory_process_tree_bytes'), {})).toBe(1400 * 1024 * 1024);
    expect(valueOf(await samples(metrics, 'recorder_memory_high_watermark_bytes'), {})).toBe(1300 * 1024 * 1024);

    expect(valueOf(await samples(metrics, 'recorder_worker_ready'), {})).toBe(0); // no readiness source yet
    metrics.observeReadiness(() => ready);
    expect(valueOf(await samples(metrics, 'recorder_worker_ready'), {})).toBe(0);
    ready = true;
    expect(valueOf(await samples(metrics, 'recorder_worker_ready'), {})).toBe(1);

    metrics.recordOutboxEvents(3);
    metrics.recordOutboxEvents(2);
    expect(valueOf(await samples(metrics, 'recorder_mirror_outbox_events_total'), {})).toBe(5);

    metrics.recordJobWatch({ jobsRunning: 4, jobsOverTimeout: 1, outboxBacklog: 2 });
    expect(valueOf(await samples(metrics, 'recorder_jobs_running'), {})).toBe(4);
    expect(valueOf(await samples(metrics, 'recorder_jobs_over_timeout'), {})).toBe(1);
    expect(valueOf(await samples(metrics, 'recorder_mirror_outbox_backlog'), {})).toBe(2);
  });

  it('has no memory gauges without a memory watermark', async () => {
    const metrics = createWorkerMetrics({ activeSessions: () => 0, maxSessions: 2, browserRelaunches: () => 0 }, { defaultMetrics: false });
    expect(metrics.registry.getSingleMetric('recorder_memory_process_tree_bytes')).toBeUndefined();
  });

  it('renders valid exposition text with process metrics under the recorder_ prefix', async () => {
    const metrics = createWorkerMetrics({ activeSessions: () => 1, maxSessions: 2, browserRelaunches: () => 0 });
    metrics.recordStep('change', 'passed', 40);
    const text = await metrics.render();
    const parsed = parseExposition(text);
    expect(parsed.invalid).toEqual([]);
    expect(parsed.duplicateFamilies).toEqual([]);
    for (const name of [
      'recorder_sessions_active',
      'recorder_steps_total',
      'recorder_step_duration_seconds_bucket',
      'recorder_process_cpu_user_seconds_total',
      'recorder_nodejs_heap_size_used_bytes',
    ]) {
      expect(parsed.samples).toContain(name);
    }
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(stepTypeLabel('waitForElement')).toBe('waitForElement');
  });

  it('leaves an unreachable SDK endpoint out with a comment line', async () => {
    const port = await freePort();
    const metrics = createWorkerMetrics(
      { activeSessions: () => 0, maxSessions: 1, browserRelaunches: () => 0 },
      { sdkMetricsUrl: `http://127.0.0.1:${port}/metrics`, sdkFetchTimeoutMs: 500, defaultMetrics: false },
    );
    const text = await metrics.render();
    expect(text).toMatch(new RegExp(`^# temporal sdk metrics unavailable from http://127\\.0\\.0\\.1:${port}/metrics: .+$`, 'm'));
    expect(parseExposition(text).invalid).toEqual([]);
    expect(text).toContain('recorder_sessions_active 0');
  });

  describe('with a real Temporal SDK Runtime exporting Prometheus metrics', () => {
    let child: ChildProcess | undefined;
    afterAll(async () => {
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.stdin?.end();
      const timer = setTimeout(() => child?.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    });

    it('appends the SDK text after ours, in one valid exposition', async () => {
      const port = await freePort();
      const bindAddress = `127.0.0.1:${port}`;
      const tsx = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
      child = spawn(tsx, [join(__dirname, 'fixtures', 'sdk-metrics-runtime.ts'), bindAddress, testState().address], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += String(d)));
      await new Promise<void>((resolve, reject) => {
        child!.stdout!.on('data', (d) => String(d).includes('ready') && resolve());
        child!.once('exit', (code) => reject(new Error(`SDK runtime fixture exited with ${code}: ${stderr}`)));
      });

      const metrics = createWorkerMetrics(
        { activeSessions: () => 0, maxSessions: 2, browserRelaunches: () => 0 },
        { sdkMetricsUrl: `http://${bindAddress}/metrics` },
      );
      const text = await metrics.render();
      const parsed = parseExposition(text);
      expect(parsed.invalid).toEqual([]);
      expect(parsed.duplicateFamilies).toEqual([]);
      expect(text).not.toContain('temporal sdk metrics unavailable');
      // The connection's own RPCs (GetSystemInfo) are counted by the SDK, with the suffix we asked for.
      expect(parsed.samples).toContain('temporal_request_total');
      expect(text.indexOf('recorder_sessions_active')).toBeLessThan(text.indexOf('temporal_request_total'));
    });
  });
});
