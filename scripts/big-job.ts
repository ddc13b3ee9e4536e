/**
 * A large job end to end, as a scale check: `npx tsx scripts/big-job.ts [--rows 5000]`.
 *
 * Starts its own in-memory Temporal dev server on a free port (never 7233), one in-process worker and a tiny
 * static page, runs one job of N rows (one fast step per row), then checks through the Temporal API that the
 * job passed with every row exactly once, that no run's history grew past 20,000 events, that the summary
 * stayed under 1 MB and that the progress query answered during the run and never went backwards.
 * Prints timings; exits 1 when a check fails, 2 on a crash.
 *
 * Options: --rows N (5000) --sessions N (MAX_CONCURRENT_SESSIONS, 8) --concurrency N (maxConcurrentRows,
 * = sessions) --rows-per-run N (job default, 500) --steps 1|2 (navigate, + waitForExpression 'true')
 * --trace off|retain-on-failure|on (off) --phase-samples N (rows sampled for the phase table, 40) --keep
 * (keep the results directory).
 *
 * Rows record no artifacts by default (screenshots and trace off): this checks the row pipeline at scale. A
 * Playwright trace per row (`--trace retain-on-failure`, the job default) adds about 30 % to a one-step row's
 * CPU (BENCHMARKS.md, "Seventh session"); `npm run bench -- --only=artifacts` measures it per step.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ExecutionClient } from '../src/client/execution-client';
import { loadEnv } from '../src/config/env';
import { jobConfigSchema, type JobConfig } from '../src/config/job-config';
import { createLogger } from '../src/logging/logger';
import { startStaticServer } from '../src/support/static-server';
import { startDevServer } from '../src/temporal/dev-server';
import { startRunnerWorker } from '../src/worker/runner-worker';
import type { JobProgress, JobSummary } from '../src/workflows/types';
import { rowWorkflowId } from '../src/workflows/definitions';
import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { runsOf } from '../test/support/history';
import { cpuDelta, sampleCpu } from '../bench/lib/proc';

const MAX_EVENTS_PER_RUN = 20_000;
const MAX_SUMMARY_BYTES = 1024 * 1024;

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} expects a positive integer, got ${process.argv[i + 1]}`);
  return value;
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => ok(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function traceOption(): JobConfig['trace'] {
  const i = process.argv.indexOf('--trace');
  if (i < 0) return 'off';
  const modes: readonly string[] = jobConfigSchema.shape.trace.removeDefault().options;
  const value = process.argv[i + 1];
  if (!modes.includes(value)) throw new Error(`--trace expects one of ${modes.join(', ')}, got ${value}`);
  return value as JobConfig['trace'];
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<number> {
  const rows = option('rows', 5000);
  const sessions = option('sessions', 8);
  const concurrency = option('concurrency', sessions);
  const rowsPerRun = process.argv.includes('--rows-per-run') ? option('rows-per-run', 500) : undefined;
  const stepCount = option('steps', 1);
  const trace = traceOption();
  const keep = process.argv.includes('--keep');

  const work = mkdtempSync(join(tmpdir(), 'big-job-'));
  const siteDir = join(work, 'site');
  const resultsDir = join(work, 'results');
  mkdirSync(siteDir, { recursive: true });
  writeFileSync(
    join(siteDir, 'index.html'),
    '<!doctype html><html><head><title>big job</title><link rel="icon" href="data:,"></head><body><p id="ok">ok</p></body></html>\n',
  );

  const t0 = performance.now();
  const port = await freePort();
  const server = await startDevServer({ port, ui: false });
  const site = await startStaticServer(siteDir);
  const env = loadEnv({
    ...process.env,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_PAYLOAD_KEY: process.env.TEMPORAL_PAYLOAD_KEY || randomBytes(32).toString('base64'),
    TEMPORAL_TASK_QUEUE: `big-job-${randomUUID().slice(0, 8)}`,
    WORKER_ID: `big-job-${process.pid}`,
    MAX_CONCURRENT_SESSIONS: String(sessions),
    RESULTS_DIR: resultsDir,
    SCREENSHOT_DIR: join(work, 'screenshots'),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    SHUTDOWN_GRACE_MS: '30000',
  });
  const logger = createLogger({ level: env.LOG_LEVEL, pretty: false });
  const { code } = await bundleWorkflowCode({
    workflowsPath: resolve(__dirname, '..', 'src', 'workflows', 'index.ts'),
    logger: quietLogger,
  });
  const worker = await startRunnerWorker({ env, address: server.address, logger, workflowBundle: { code } });
  let workerError: unknown;
  worker.done.catch((err) => (workerError = err));
  const client = await ExecutionClient.connect(env);
  const tReady = performance.now();
  console.log(`server ${server.address}, worker ${worker.workerId} (sessions ${sessions}), ready in ${seconds(tReady - t0)}`);

  const failures: string[] = [];
  const check = (ok: boolean, what: string) => {
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
    if (!ok) failures.push(what);
  };

  try {
    const jobId = `big-${rows}-${randomUUID().slice(0, 8)}`;
    const steps: unknown[] = [{ type: 'navigate', url: '{{baseUrl}}/index.html' }];
    if (stepCount >= 2) steps.push({ type: 'waitForExpression', expression: 'true' });
    const csv = 'n\n' + Array.from({ length: rows }, (_, i) => i + 1).join('\n') + '\n';
    const tStart = performance.now();
    const cpuStart = sampleCpu(server.process.pid);
    await client.startExecution({
      jobId,
      recording: { title: `big job ${rows}`, steps },
      csv,
      config: {
        timingMode: 'instant',
        maxConcurrentRows: concurrency,
        screenshots: 'off',
        trace,
        defaults: { baseUrl: site.url },
        ...(rowsPerRun ? { rowsPerRun } : {}),
      },
    });

    // Poll progress during the run: it must answer, and its counters must never go backwards.
    const progress = { answered: 0, errors: 0, backwards: [] as string[], last: undefined as JobProgress | undefined };
    let finished = false;
    const result: Promise<JobSummary> = client.getResult(jobId);
    result.then(
      () => (finished = true),
      () => (finished = true),
    );
    let lastPrint = performance.now();
    while (!finished) {
      try {
        const p = await client.getProgress(jobId);
        progress.answered++;
        const prev = progress.last;
        const done = (x: JobProgress) => x.rows.passed + x.rows.failed + x.rows.cancelled;
        if (prev) {
          for (const [name, a, b] of [
            ['finished', done(prev), done(p)],
            ['started', prev.rows.started, p.rows.started],
            ['passed', prev.rows.passed, p.rows.passed],
            ['steps.passed', prev.steps.passed, p.steps.passed],
            ['total', prev.rows.total, p.rows.total],
          ] as const) {
            if (b < a) progress.backwards.push(`${name} ${a} → ${b}`);
          }
        }
        progress.last = p;
        if (performance.now() - lastPrint > 15_000) {
          lastPrint = performance.now();
          const elapsed = performance.now() - tStart;
          console.log(
            `  ${seconds(elapsed)}: ${done(p)}/${p.rows.total} rows done, ${p.rows.running} running, ${((done(p) / elapsed) * 60_000).toFixed(0)} rows/min`,
          );
        }
      } catch {
        progress.errors++; // e.g. between two runs of a continue-as-new; counted, not fatal
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    const summary = await result;
    const tDone = performance.now();
    const cpu = cpuDelta(cpuStart, sampleCpu(server.process.pid));
    const wallMs = tDone - tStart;

    const runs = await runsOf(client.client, `execution-${jobId}`);
    const maxEvents = Math.max(...runs.map((r) => r.events));
    const summaryBytes = Buffer.byteLength(JSON.stringify(summary));
    const all = await client.getAllRowResults(jobId);
    const tChecked = performance.now();

    const counts = new Map<number, number>();
    for (const r of all) counts.set(r.row, (counts.get(r.row) ?? 0) + 1);
    const missing = Array.from({ length: rows }, (_, i) => i + 1).filter((n) => !counts.has(n));
    const duplicated = [...counts].filter(([, c]) => c > 1).map(([n]) => n);
    const notPassed = all.filter((r) => r.status !== 'passed');
    const restarts = all.reduce((n, r) => n + r.sessionRestarts, 0);
    const rowMs = all.map((r) => r.durationMs).sort((a, b) => a - b);
    const pct = (q: number) => rowMs[Math.min(rowMs.length - 1, Math.floor(q * rowMs.length))] ?? 0;

    console.log('');
    check(workerError === undefined, `worker kept running${workerError ? `: ${String(workerError)}` : ''}`);
    check(summary.status === 'passed', `job status passed (got ${summary.status})`);
    check(
      summary.rows.total === rows && summary.rows.passed === rows,
      `summary rows ${JSON.stringify(summary.rows)} = ${rows} total, all passed`,
    );
    check(summary.steps.passed === rows * steps.length, `summary steps ${JSON.stringify(summary.steps)}`);
    check(
      all.length === rows && missing.length === 0 && duplicated.length === 0,
      `getAllRowResults: ${all.length} results, every row exactly once (missing ${missing.slice(0, 10).join(',') || 'none'}, duplicated ${duplicated.slice(0, 10).join(',') || 'none'})`,
    );
    check(
      notPassed.length === 0,
      `every row result passed (${notPassed.length} not: ${notPassed
        .slice(0, 3)
        .map((r) => `row ${r.row} ${r.status} ${r.error?.type}: ${r.error?.message}`)
        .join('; ')})`,
    );
    check(
      runs.length >= Math.ceil(rows / (rowsPerRun ?? 500)),
      `${runs.length} run(s) of execution-${jobId} (continue-as-new every ${rowsPerRun ?? 500} rows)`,
    );
    check(
      maxEvents < MAX_EVENTS_PER_RUN,
      `every run's history < ${MAX_EVENTS_PER_RUN} events (max ${maxEvents}; per run ${runs.map((r) => r.events).join(', ')})`,
    );
    check(summaryBytes < MAX_SUMMARY_BYTES, `summary JSON ${summaryBytes} bytes < 1 MB`);
    check(
      progress.answered > 0 && progress.last !== undefined,
      `progress query answered during the run (${progress.answered} answers, ${progress.errors} errors)`,
    );
    check(
      progress.backwards.length === 0,
      `progress never went backwards${progress.backwards.length ? `: ${progress.backwards.slice(0, 5).join('; ')}` : ''}`,
    );

    console.log('');
    console.log(
      `rows               ${rows} × ${steps.length} step(s), concurrency ${concurrency}, sessions ${sessions}, rowsPerRun ${rowsPerRun ?? 'default (500)'}, trace ${trace}`,
    );
    console.log(`setup              ${seconds(tReady - t0)} (dev server, bundle, worker)`);
    console.log(`wall time          ${seconds(wallMs)} (start → result)`);
    console.log(
      `throughput         ${((rows / wallMs) * 60_000).toFixed(0)} rows/min, ${(wallMs / rows).toFixed(1)} ms/row wall, ${((wallMs * concurrency) / rows).toFixed(0)} ms/row per slot`,
    );
    console.log(
      `row duration       p50 ${pct(0.5)} ms, p90 ${pct(0.9)} ms, p99 ${pct(0.99)} ms, max ${rowMs[rowMs.length - 1] ?? 0} ms (open session → release)`,
    );
    const perRow = (ms: number) => (ms / rows).toFixed(1);
    console.log(
      `cpu per row        ${perRow(cpu.node + cpu.chromium + cpu.temporal + cpu.other)} ms: worker ${perRow(cpu.node)}, chromium ${perRow(cpu.chromium)}, temporal server ${perRow(cpu.temporal)}, other ${perRow(cpu.other)}; other processes kept ${cpu.foreignCores} cores busy`,
    );
    console.log(`session restarts   ${restarts}; browser relaunches ${worker.sessions.stats().browser.relaunches}`);
    console.log(`runs               ${runs.length}, max events per run ${maxEvents}`);
    console.log(`summary bytes      ${summaryBytes}`);
    console.log(`checks             ${seconds(tChecked - tDone)} (history + results files)`);
    await printPhases(client.client, jobId, rows, concurrency, option('phase-samples', 40));
    await printRowActivityFailures(
      client.client,
      jobId,
      'restarted',
      all.filter((r) => r.sessionRestarts > 0).map((r) => r.row),
    );
    await printRowActivityFailures(
      client.client,
      jobId,
      'failed',
      notPassed.map((r) => r.row),
    );
    console.log(
      `process            cpu user ${seconds(process.cpuUsage().user / 1000)}, system ${seconds(process.cpuUsage().system / 1000)}, rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`,
    );
  } finally {
    await Promise.race([worker.shutdown().catch(() => undefined), new Promise((r) => setTimeout(r, 60_000).unref())]);
    await client.close();
    await site.close();
    await server.stop();
    if (keep) console.log(`results kept in ${resultsDir}`);
    else rmSync(work, { recursive: true, force: true });
  }
  console.log(failures.length ? `\n${failures.length} check(s) FAILED` : '\nall checks passed');
  return failures.length ? 1 : 0;
}

type HistoryEvent = NonNullable<Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>['events']>[number];

/** Where a row's time goes, from the timestamps of its csvRow history (rows that ran one attempt). */
function rowPhases(events: HistoryEvent[]): Record<string, number> | undefined {
  const at = (e: HistoryEvent) => tsToMs(e.eventTime);
  let started: number | undefined;
  let completed: number | undefined;
  const attempts: Array<{ scheduled: number; started?: number; closed?: number }> = [];
  for (const e of events) {
    if (e.workflowExecutionStartedEventAttributes) started = at(e);
    else if (e.workflowExecutionCompletedEventAttributes) completed = at(e);
    else if (e.activityTaskScheduledEventAttributes) attempts.push({ scheduled: at(e) });
    else if (e.activityTaskStartedEventAttributes) attempts[attempts.length - 1].started = at(e);
    else if (e.activityTaskCompletedEventAttributes) attempts[attempts.length - 1].closed = at(e);
  }
  const [attempt] = attempts;
  if (started === undefined || completed === undefined || attempts.length !== 1 || !attempt.started || !attempt.closed) return undefined;
  return {
    'row start → runRowAttempt scheduled (1st workflow task)': attempt.scheduled - started,
    'runRowAttempt scheduled → started (session slot + dispatch)': attempt.started - attempt.scheduled,
    'runRowAttempt started → completed (lease, every step, close)': attempt.closed - attempt.started,
    'runRowAttempt completed → row completed (workflow task)': completed - attempt.closed,
    'row total (started → completed)': completed - started,
  };
}

/** Samples rows across the job and prints the mean time per phase, plus the parent's slot refill latency. */
async function printPhases(client: Client, jobId: string, rows: number, concurrency: number, samples: number): Promise<void> {
  const picked = [
    ...new Set(Array.from({ length: Math.min(samples, rows) }, (_, i) => 1 + Math.floor((i * rows) / Math.min(samples, rows)))),
  ];
  const totals = new Map<string, number[]>();
  for (const row of picked) {
    const history = await client.workflow
      .getHandle(rowWorkflowId(jobId, row))
      .fetchHistory()
      .catch(() => undefined);
    const phases = history?.events ? rowPhases(history.events) : undefined;
    if (!phases) continue;
    for (const [k, v] of Object.entries(phases)) totals.set(k, [...(totals.get(k) ?? []), v]);
  }
  const n = totals.get('row total (started → completed)')?.length ?? 0;
  console.log(`row phases         mean over ${n} sampled rows (first attempts):`);
  for (const [k, v] of totals) console.log(`  ${k.padEnd(66)} ${(v.reduce((a, b) => a + b, 0) / v.length).toFixed(0).padStart(6)} ms`);

  // Parent side: how long a freed window slot stays empty (child completed → next child initiated), and how
  // long an initiated child takes to start.
  const refill: number[] = [];
  const childStart: number[] = [];
  for await (const wf of client.workflow.list({ query: `WorkflowId = 'execution-${jobId}'` })) {
    const history = await client.workflow.getHandle(`execution-${jobId}`, wf.runId).fetchHistory();
    const initiated: number[] = [];
    const closedAt: number[] = [];
    const initiatedById = new Map<string, number>();
    for (const e of history.events ?? []) {
      const t = tsToMs(e.eventTime);
      if (e.startChildWorkflowExecutionInitiatedEventAttributes) {
        initiated.push(t);
        initiatedById.set(String(e.eventId), t);
      } else if (e.childWorkflowExecutionStartedEventAttributes) {
        const i = initiatedById.get(String(e.childWorkflowExecutionStartedEventAttributes.initiatedEventId));
        if (i !== undefined) childStart.push(t - i);
      } else if (e.childWorkflowExecutionCompletedEventAttributes || e.childWorkflowExecutionFailedEventAttributes) closedAt.push(t);
    }
    for (let k = concurrency; k < initiated.length; k++)
      if (closedAt[k - concurrency] !== undefined) refill.push(initiated[k] - closedAt[k - concurrency]);
  }
  const mean = (v: number[]) => (v.length ? (v.reduce((a, b) => a + b, 0) / v.length).toFixed(0) : '-');
  console.log(`  ${'parent: child initiated → child started'.padEnd(66)} ${mean(childStart).padStart(6)} ms`);
  console.log(`  ${'parent: window slot freed → next child initiated'.padEnd(66)} ${mean(refill).padStart(6)} ms`);
}

/** Why rows restarted or failed: the failed or timed-out activities (and earlier attempts' failures) in their histories. */
async function printRowActivityFailures(client: Client, jobId: string, label: string, rows: number[]): Promise<void> {
  for (const row of rows.slice(0, 10)) {
    const history = await client.workflow
      .getHandle(rowWorkflowId(jobId, row))
      .fetchHistory()
      .catch(() => undefined);
    const names = new Map<string, string>();
    const why: string[] = [];
    for (const e of history?.events ?? []) {
      if (e.activityTaskScheduledEventAttributes)
        names.set(String(e.eventId), e.activityTaskScheduledEventAttributes.activityType?.name ?? '?');
      const started = e.activityTaskStartedEventAttributes;
      if (started && (started.attempt ?? 1) > 1) {
        const f = started.lastFailure;
        const kind = f?.timeoutFailureInfo ? `timeout ${f.timeoutFailureInfo.timeoutType}` : (f?.applicationFailureInfo?.type ?? 'failure');
        why.push(
          `${names.get(String(started.scheduledEventId))} attempt ${started.attempt} after ${kind}: ${f?.message ?? ''}`.slice(0, 240),
        );
      }
      const failed = e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes;
      if (failed) {
        const f = failed.failure;
        const kind = f?.timeoutFailureInfo ? `timeout ${f.timeoutFailureInfo.timeoutType}` : (f?.applicationFailureInfo?.type ?? 'failure');
        why.push(`${names.get(String(failed.scheduledEventId))}: ${kind}: ${f?.message ?? ''}`.slice(0, 240));
      }
    }
    console.log(`${label} row ${row}: ${why.join(' | ') || '(no failed activity in history)'}`);
  }
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop } as never;

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
