/**
 * The rehearsal's scenario against a running cluster and fleet: job A (300 rows at concurrency 12) over three
 * workers; mid-job, SIGKILL of one worker, a second job B, SIGTERM (drain) of another, a restart of the
 * Temporal server. Killed and drained workers are then replaced, as `restart: unless-stopped` would. Returns what it
 * measured and the jobs' outcomes; the caller checks them.
 */
import type { Pool } from 'pg';
import type { ExecutionClient } from '../../src/client/execution-client';
import type { JobSummary, RowResult } from '../../src/workflows/types';
import type { TemporalCluster } from './temporal-cluster';
import type { Fleet } from './fleet';

export const JOB_A_ROWS = 300;
export const JOB_A_CONCURRENCY = 12;
export const JOB_B_ROWS = 40;

export const RECORDING = {
  title: 'rehearsal row',
  steps: [
    { type: 'navigate', url: '{{baseUrl}}/index.html' },
    { type: 'change', selectors: [['#name']], value: '{{name}}' },
    { type: 'click', selectors: [['#go']], offsetX: 2, offsetY: 2 },
    // About 1.5 s inside a step, so kills and drains land mid-row.
    {
      type: 'waitForExpression',
      expression: "new Promise((r) => setTimeout(() => r(document.querySelector('#out').textContent.startsWith('Hello')), 1500))",
    },
  ],
};

export const PAGE = `<!doctype html><html><head><title>rehearsal</title><link rel="icon" href="data:,"></head><body>
<input id="name"><button id="go" onclick="document.getElementById('out').textContent = 'Hello, ' + document.getElementById('name').value">Go</button>
<p id="out"></p></body></html>
`;

export interface JobOutcome {
  jobId: string;
  rows: number;
  summary: JobSummary;
  results: RowResult[];
  wallMs: number;
}

export interface ScenarioResult {
  jobA: JobOutcome;
  jobB: JobOutcome;
  killed: { workerId: string; sessions: number; rowsRestarted: number[]; noticeMs?: number };
  /** Rows held when stopped, as A<row> / B<row> (job A, job B). */
  drained: { workerId: string; sessions: number; rowsHeld: string[]; exitCode: number | null; drainMs: number };
  serverDownMs: number;
  violations: string[];
}

const activeSessions = async (healthUrl: string): Promise<number> =>
  ((await (await fetch(`${healthUrl}/health`)).json()) as { activeSessions: number }).activeSessions;
const csv = (rows: number) => `name\n${Array.from({ length: rows }, (_, i) => `user-${i + 1}`).join('\n')}\n`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries a client call across the server restart (connection errors while the frontend is down). */
async function retrying<T>(fn: () => Promise<T>, what: string, timeoutMs = 20 * 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${what}: ${(err as Error).message}`);
      await sleep(1000);
    }
  }
}

export async function runScenario(deps: {
  client: ExecutionClient;
  cluster: TemporalCluster;
  fleet: Fleet;
  mirror: Pool;
  baseUrl: string;
  scrapeIntervalMs: number;
  log: (msg: string) => void;
  /** Owner of both jobs (the Runs API shows a run to its owner only). */
  ownerId?: string;
  /** Called once job A runs (45 rows done, before the kill): the Runs API reads it then. */
  onJobARunning?: (jobId: string) => Promise<void>;
}): Promise<ScenarioResult> {
  const { client, cluster, fleet, mirror, log } = deps;
  const violations: string[] = [];
  const stamp = Date.now().toString(36);
  const config = (maxConcurrentRows: number) => ({
    maxConcurrentRows,
    timingMode: 'fast' as const,
    // Continue-as-new every 100 rows: job A spans three runs, as big jobs do.
    rowsPerRun: 100,
    jobTimeoutMs: 30 * 60_000,
    defaults: { baseUrl: deps.baseUrl },
  });
  const heldBy = async (jobId: string, workerId: string): Promise<number[]> =>
    (
      await mirror.query("select row_index from execution_rows where job_id = $1 and worker_id = $2 and status = 'running'", [
        jobId,
        workerId,
      ])
    ).rows.map((r) => r.row_index as number);
  const done = async (jobId: string) => {
    const p = await client.getProgress(jobId).catch(() => undefined);
    return p ? p.rows.passed + p.rows.failed + p.rows.cancelled : -1;
  };
  const waitForRows = async (jobId: string, rows: number) => {
    const deadline = Date.now() + 15 * 60_000;
    while ((await done(jobId)) < rows) {
      if (Date.now() > deadline) throw new Error(`${jobId} did not reach ${rows} finished rows within 15 min`);
      await sleep(250);
    }
  };

  const origin = deps.ownerId ? { ownerId: deps.ownerId, triggeredBy: 'cli' as const } : undefined;
  const jobA = `rehearsal-a-${stamp}`;
  const jobB = `rehearsal-b-${stamp}`;
  const startA = Date.now();
  await client.startExecution({ jobId: jobA, recording: RECORDING, csv: csv(JOB_A_ROWS), config: config(JOB_A_CONCURRENCY), origin });
  log(`job A started: ${JOB_A_ROWS} rows at concurrency ${JOB_A_CONCURRENCY}`);

  // 1. SIGKILL a worker that holds rows; a second job starts meanwhile; a replacement joins.
  await waitForRows(jobA, 45);
  await deps.onJobARunning?.(jobA);
  // The busiest replicas: the kill and the drain then hit as many rows as the moment allows.
  const busiest = async () =>
    (await Promise.all(fleet.running().map(async (w) => ({ w, sessions: await activeSessions(w.healthUrl) })))).sort(
      (a, b) => b.sessions - a.sessions,
    )[0];
  const victim = (await busiest()).w;
  // The mirror marks a row running with its worker when its session opens, and passed when the job's outbox
  // applies the row's end: these are the rows the worker holds or has just finished.
  const killedHeld = await heldBy(jobA, victim.workerId);
  const sessionsAtKill = await activeSessions(victim.healthUrl);
  const killedAt = Date.now();
  victim.process.kill();
  log(`SIGKILL ${victim.workerId} with ${sessionsAtKill} open session(s); mirror shows it on rows ${killedHeld.join(', ') || '(none)'}`);
  if (sessionsAtKill === 0) violations.push(`${victim.workerId} held no session when killed: the kill tested nothing`);
  const startB = Date.now();
  await client.startExecution({ jobId: jobB, recording: RECORDING, csv: csv(JOB_B_ROWS), config: config(4), origin });
  log(`job B started: ${JOB_B_ROWS} rows at concurrency 4`);
  let noticeMs: number | undefined;
  const noticeDeadline = Date.now() + 120_000;
  while (noticeMs === undefined && killedHeld.length > 0 && Date.now() < noticeDeadline) {
    const { rows } = await mirror.query('select worker_id from execution_rows where job_id = $1 and row_index = any($2)', [
      jobA,
      killedHeld,
    ]);
    if (rows.some((r) => r.worker_id !== victim.workerId)) noticeMs = Date.now() - killedAt;
    else await sleep(250);
  }
  log(`kill noticed: a row of ${victim.workerId} restarted elsewhere after ${noticeMs ?? '(never)'} ms`);
  if (killedHeld.length > 0 && noticeMs === undefined) violations.push(`no row of the killed ${victim.workerId} restarted within 120 s`);
  // Two scrapes before the drain takes a replica away, so Prometheus has seen the restarts it counted.
  await sleep(2 * deps.scrapeIntervalMs);

  // 2. SIGTERM the busiest survivor, chosen now (the restarted rows and job B moved sessions around): it takes no
  // new rows and finishes the ones it holds (of either job), then exits 0.
  const { w: drainer, sessions: sessionsAtTerm } = await busiest();
  const drainHeld = [
    ...(await heldBy(jobA, drainer.workerId)).map((row) => ({ job: 'A' as const, row })),
    ...(await heldBy(jobB, drainer.workerId)).map((row) => ({ job: 'B' as const, row })),
  ];
  const termAt = Date.now();
  drainer.process.terminate();
  const heldNames = drainHeld.map((h) => `${h.job}${h.row}`);
  log(`SIGTERM ${drainer.workerId} with ${sessionsAtTerm} open session(s), holding rows ${heldNames.join(', ') || '(none)'}`);
  if (sessionsAtTerm === 0) violations.push(`${drainer.workerId} held no session when stopped: the drain tested nothing`);
  const exitCode = await drainer.process.exited;
  const drainMs = Date.now() - termAt;
  log(`${drainer.workerId} drained and exited ${exitCode} after ${drainMs} ms`);
  // Replacements join once the killed worker's rows restarted on the survivors (whose restart counters
  // Prometheus already scrapes: a counter's first sample is its baseline).
  await Promise.all([fleet.start('rehearsal-w4'), fleet.start('rehearsal-w5')]);

  // 3. Restart the Temporal server mid-job.
  await waitForRows(jobA, Math.round(JOB_A_ROWS * 0.6));
  const { downMs } = await cluster.restart();
  log(`Temporal server restarted: ${downMs} ms without a frontend`);

  const finish = async (jobId: string, rows: number, startedAt: number): Promise<JobOutcome> => {
    const summary = await retrying(() => client.getResult(jobId), `result of ${jobId}`);
    const wallMs = Date.now() - startedAt;
    const results = await retrying(() => client.getAllRowResults(jobId), `rows of ${jobId}`);
    return { jobId, rows, summary, results, wallMs };
  };
  const [a, b] = await Promise.all([finish(jobA, JOB_A_ROWS, startA), finish(jobB, JOB_B_ROWS, startB)]);
  log(`job A ${a.summary.status} in ${a.wallMs} ms; job B ${b.summary.status} in ${b.wallMs} ms`);

  // A row the killed worker held cannot have passed there: every such row passed elsewhere after a restart.
  const byRow = new Map(a.results.map((r) => [r.row, r]));
  const rowsOf = { A: byRow, B: new Map(b.results.map((r) => [r.row, r])) };
  const restarted = killedHeld.filter((row) => (byRow.get(row)?.sessionRestarts ?? 0) >= 1);
  if (restarted.length === 0) violations.push(`no row of the killed ${victim.workerId} was restarted`);
  if (exitCode !== 0) violations.push(`${drainer.workerId} exited ${exitCode} after SIGTERM, not 0`);
  const movedOff = drainHeld.filter((h) => rowsOf[h.job].get(h.row)?.workerId !== drainer.workerId).map((h) => `${h.job}${h.row}`);
  if (movedOff.length) violations.push(`rows the draining ${drainer.workerId} held finished elsewhere: ${movedOff.join(', ')}`);

  return {
    jobA: a,
    jobB: b,
    killed: { workerId: victim.workerId, sessions: sessionsAtKill, rowsRestarted: restarted, noticeMs },
    drained: { workerId: drainer.workerId, sessions: sessionsAtTerm, rowsHeld: heldNames, exitCode, drainMs },
    serverDownMs: downMs,
    violations,
  };
}
