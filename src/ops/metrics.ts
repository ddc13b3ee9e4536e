/**
 * Prometheus metrics of one worker process: our own registry (never prom-client's global one, so tests and
 * several workers in one process stay independent), optionally followed by the Temporal SDK's metrics, which
 * the SDK Runtime serves itself on a loopback port (see sdkPrometheusMetricsOptions).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { MetricsExporterConfig } from '@temporalio/worker';
import { STEP_TYPES } from '../recording/schema';

export const METRIC_PREFIX = 'recorder_';

/** Browser steps take from a few ms (keyDown) to the 30 s step-timeout ceiling (MAX_STEP_TIMEOUT_MS). */
export const STEP_DURATION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30];

export type StepStatus = 'passed' | 'failed';
export type RowStatus = 'passed' | 'failed' | 'cancelled';

export interface WorkerMetricsSource {
  activeSessions(): number;
  maxSessions: number;
  browserRelaunches(): number;
  /** The memory guard's view, when MEMORY_HIGH_WATERMARK_MB is set: last process-tree sample and the watermark. */
  memory?: { lastSampleMb(): number | undefined; highWatermarkMb(): number };
}

/** What the job watch (job-watch.ts) last saw through Temporal's visibility API. */
export interface JobWatchSample {
  jobsRunning: number;
  /** Running jobs past the deadline their jobTimeoutMs set: the timeout did not end them. */
  jobsOverTimeout: number;
  /** Mirror outboxes (mirror-<jobId> workflows) still running after their job ended: writes Supabase has not taken. */
  outboxBacklog: number;
}

export interface WorkerMetricsOptions {
  /** The SDK Runtime's Prometheus endpoint, e.g. http://127.0.0.1:9464/metrics; its text is appended to render(). */
  sdkMetricsUrl?: string;
  /** How long render() waits for the SDK endpoint before leaving it out. Default 1000 ms. */
  sdkFetchTimeoutMs?: number;
  /** prom-client's process/Node.js metrics (prefixed recorder_). Default true. */
  defaultMetrics?: boolean;
}

export interface WorkerMetrics {
  readonly registry: Registry;
  /** Content-Type of render()'s text (Prometheus text format 0.0.4, as the SDK's exporter serves too). */
  readonly contentType: string;
  recordStep(stepType: string, status: StepStatus, durationMs: number): void;
  recordSessionRestart(): void;
  recordRow(status: RowStatus): void;
  /** Mirror events this worker handed to a job's outbox because Supabase refused or did not answer. */
  recordOutboxEvents(count: number): void;
  recordJobWatch(sample: JobWatchSample): void;
  /** Reports readiness (1/0) at every scrape, as /ready answers it. */
  observeReadiness(ready: () => boolean): void;
  render(): Promise<string>;
}

const KNOWN_STEP_TYPES = new Set<string>(STEP_TYPES);

/** Label values come from recordings: anything outside the Recorder's step types is 'other' (bounded cardinality). */
export function stepTypeLabel(stepType: string): string {
  return KNOWN_STEP_TYPES.has(stepType) ? stepType : 'other';
}

export function createWorkerMetrics(source: WorkerMetricsSource, options: WorkerMetricsOptions = {}): WorkerMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });

  /** A gauge in our registry; with `read`, set from it at every scrape (left as it was when it has no value). */
  const gauge = (name: string, help: string, read?: () => number | undefined) =>
    new Gauge({
      name: `${METRIC_PREFIX}${name}`,
      help,
      registers: [registry],
      collect() {
        const value = read?.();
        if (value !== undefined) this.set(value);
      },
    });
  gauge('sessions_active', 'Browser sessions (rows) this worker holds now.', () => source.activeSessions());
  gauge('sessions_max', 'Session slots of this worker (MAX_CONCURRENT_SESSIONS).').set(source.maxSessions);

  const steps = new Counter({
    name: `${METRIC_PREFIX}steps_total`,
    help: 'Recording steps executed by this worker, by step type and outcome (after retries).',
    labelNames: ['step_type', 'status'] as const,
    registers: [registry],
  });
  const stepDuration = new Histogram({
    name: `${METRIC_PREFIX}step_duration_seconds`,
    help: 'Duration of recording steps, by step type.',
    labelNames: ['step_type'] as const,
    buckets: STEP_DURATION_BUCKETS,
    registers: [registry],
  });
  const sessionRestarts = new Counter({
    name: `${METRIC_PREFIX}session_restarts_total`,
    help: 'Rows restarted from their first step because the session holding them was lost.',
    registers: [registry],
  });
  // The registry counts relaunches itself; a counter fed by the difference keeps Prometheus' counter semantics
  // (rate() works, and a registry reset after closeAll() is not read as a counter reset).
  let lastRelaunches = 0;
  new Counter({
    name: `${METRIC_PREFIX}browser_relaunches_total`,
    help: 'Browser processes relaunched after a crash or disconnect.',
    registers: [registry],
    collect() {
      const now = source.browserRelaunches();
      if (now > lastRelaunches) this.inc(now - lastRelaunches);
      lastRelaunches = now;
    },
  });
  const rows = new Counter({
    name: `${METRIC_PREFIX}rows_total`,
    help: 'Data rows finished on this worker, by outcome.',
    labelNames: ['status'] as const,
    registers: [registry],
  });

  const outboxEvents = new Counter({
    name: `${METRIC_PREFIX}mirror_outbox_events_total`,
    help: "Mirror events sent to a job's outbox workflow because a direct Supabase write failed.",
    registers: [registry],
  });
  const jobGauges = {
    jobsRunning: gauge('jobs_running', 'Jobs running in the namespace (job watch).'),
    jobsOverTimeout: gauge('jobs_over_timeout', 'Running jobs past their jobTimeoutMs deadline (job watch).'),
    outboxBacklog: gauge('mirror_outbox_backlog', 'Mirror outbox workflows still running after their job ended (job watch).'),
  };
  const MB = 1024 * 1024;
  if (source.memory) {
    const memory = source.memory;
    gauge(
      'memory_process_tree_bytes',
      'Memory of this worker and its browser processes, as the memory guard measures it (MEMORY_MEASURE).',
      () => {
        const mb = memory.lastSampleMb();
        return mb === undefined ? undefined : mb * MB;
      },
    );
    gauge(
      'memory_high_watermark_bytes',
      'MEMORY_HIGH_WATERMARK_MB: above it the worker takes no new sessions.',
      () => memory.highWatermarkMb() * MB,
    );
  }
  let readiness: (() => boolean) | undefined;
  gauge('worker_ready', '1 while the worker takes new rows (its /ready answers 200), else 0.', () => (readiness?.() ? 1 : 0));

  const timeoutMs = options.sdkFetchTimeoutMs ?? 1000;

  return {
    registry,
    contentType: registry.contentType,
    recordStep(stepType, status, durationMs) {
      const type = stepTypeLabel(stepType);
      steps.inc({ step_type: type, status });
      if (Number.isFinite(durationMs)) stepDuration.observe({ step_type: type }, Math.max(0, durationMs) / 1000);
    },
    recordSessionRestart() {
      sessionRestarts.inc();
    },
    recordRow(status) {
      rows.inc({ status });
    },
    recordOutboxEvents(count) {
      outboxEvents.inc(count);
    },
    recordJobWatch(sample) {
      for (const key of Object.keys(jobGauges) as Array<keyof JobWatchSample>) jobGauges[key].set(sample[key]);
    },
    observeReadiness(ready) {
      readiness = ready;
    },
    async render() {
      const ours = ensureNewline(await registry.metrics());
      if (!options.sdkMetricsUrl) return ours;
      return ours + (await fetchSdkMetrics(options.sdkMetricsUrl, timeoutMs));
    },
  };
}

/**
 * The SDK's own metrics (temporal_* : poller counts, slot usage, task latencies, request failures) as
 * Prometheus text; on any failure a single comment line, so one scrape never fails because of the other.
 */
export async function fetchSdkMetrics(url: string, timeoutMs = 1000): Promise<string> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return ensureNewline(await res.text());
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return `# temporal sdk metrics unavailable from ${url}: ${reason.replace(/\s+/g, ' ')}\n`;
  }
}

/**
 * `telemetryOptions.metrics` for `Runtime.install` (SDK 1.24): the Runtime serves Prometheus text at
 * http://<bindAddress>/metrics. Bind it to loopback; /metrics of the health server republishes it.
 */
export function sdkPrometheusMetricsOptions(bindAddress: string): MetricsExporterConfig {
  return {
    metricPrefix: 'temporal_',
    prometheus: {
      bindAddress,
      // Prometheus conventions: counters end in _total, durations in seconds.
      countersTotalSuffix: true,
      useSecondsForDurations: true,
    },
  };
}

/** The URL to pass as sdkMetricsUrl for a Runtime installed with sdkPrometheusMetricsOptions(bindAddress). */
export function sdkMetricsUrlFor(bindAddress: string): string {
  return `http://${bindAddress}/metrics`;
}

function ensureNewline(text: string): string {
  return text.length === 0 || text.endsWith('\n') ? text : `${text}\n`;
}
