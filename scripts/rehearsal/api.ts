/**
 * The Runs API as compose's `api` service runs it, but as a process: `node --import tsx src/api.ts` (what `npm run api`
 * runs) with deploy/worker.env and deploy/api.env (the api service's env files), the workers' Temporal address,
 * payload key and results directory, and one API token made for this run (only its SHA-256 hash is configured,
 * as API_TOKENS). Then the rehearsal's API checks, each returning the violations it found (empty = held).
 */
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readEnvFile } from '../../src/config/env-file';
import { PROJECT_ROOT } from '../../src/support/tools';
import type { JobSummary } from '../../src/workflows/types';
import { freePort, waitFor } from '../../test/support/processes';
import { WORKER_ENV_FILE } from './fleet';
import { spawnProgram, type ManagedProcess } from './processes';

export const API_ENV_FILE = join(PROJECT_ROOT, 'deploy', 'api.env');
/** The owner of the rehearsal's token, and of the jobs the scenario starts (so the API shows them). */
export const API_OWNER = 'rehearsal';

interface RunView {
  id: string;
  status: string;
  rows: { total: number; passed: number; failed: number; cancelled: number; running: number };
  actions: { total: number; passed: number; failed: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class RehearsalApi {
  /** What the report prints, one fragment per check. */
  readonly notes: string[] = [];
  private constructor(
    readonly url: string,
    private readonly token: string,
    readonly process: ManagedProcess,
  ) {}

  /** Starts src/api.ts and resolves once its /health answers 200 (Temporal reachable). */
  static async start(opts: { workDir: string; shared: Record<string, string> }): Promise<RehearsalApi> {
    const token = randomBytes(32).toString('base64url');
    const port = await freePort();
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...readEnvFile(WORKER_ENV_FILE),
      ...readEnvFile(API_ENV_FILE),
      ...opts.shared,
      API_HOST: '127.0.0.1',
      API_PORT: String(port),
      API_TOKENS: `${API_OWNER}:${createHash('sha256').update(token).digest('hex')}`,
    };
    const child = spawnProgram('api', join(PROJECT_ROOT, 'src', 'api.ts'), {
      cwd: PROJECT_ROOT,
      env,
      logFile: join(opts.workDir, 'api.log'),
    });
    const api = new RehearsalApi(`http://127.0.0.1:${port}`, token, child);
    await waitFor(
      'the Runs API to answer /health',
      async () => {
        if (!child.running) throw new Error(`the Runs API exited while starting; see ${child.logFile}`);
        return (await fetch(`${api.url}/health`).catch(() => undefined))?.status === 200;
      },
      120_000,
      250,
    );
    return api;
  }

  /** An authenticated request; retried while the API answers 503 or not at all (Temporal restarting). */
  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await fetch(`${this.url}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      }).catch((err: Error) => err);
      const retry = res instanceof Error || res.status === 503;
      if (!retry || Date.now() > deadline) {
        if (res instanceof Error) throw new Error(`${method} ${path}: ${res.message}`);
        const text = await res.text();
        return { status: res.status, json: (text ? JSON.parse(text) : undefined) as { data?: unknown; error?: { message: string } } };
      }
      await sleep(1000);
    }
  }

  /** (a) GET /health answers 200 (the process is up and reaches Temporal). */
  async checkHealth(): Promise<string[]> {
    const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
    this.notes.push(`/health ${res?.status ?? 'no answer'}`);
    return res?.status === 200 ? [] : [`Runs API: GET /health answered ${res?.status ?? 'nothing'}, not 200`];
  }

  /** (b) A running job, read through the API: its id, its rows total, and a status that is not closed. */
  async checkRunning(label: string, jobId: string, rows: number): Promise<string[]> {
    const res = await this.request('GET', `/api/v1/runs/${jobId}`).catch((err: Error) => err);
    if (res instanceof Error) return [`Runs API: GET ${label} while running: ${res.message}`];
    if (res.status !== 200) return [`Runs API: GET ${label} while running answered ${res.status} ${res.json?.error?.message ?? ''}`];
    const run = res.json.data as RunView;
    this.notes.push(`${label} while running: ${run.status}, ${run.rows.passed + run.rows.failed}/${run.rows.total} rows done`);
    const problems: string[] = [];
    if (run.id !== jobId) problems.push(`Runs API: ${label} read as id ${run.id}, not ${jobId}`);
    if (run.rows.total !== rows) problems.push(`Runs API: ${label} while running shows ${run.rows.total} rows, the CSV has ${rows}`);
    if (!['queued', 'running'].includes(run.status)) problems.push(`Runs API: ${label} shows ${run.status} while it runs`);
    return problems;
  }

  /** (c) A finished job: the API's status and counters are the job result's. */
  async checkFinished(label: string, summary: JobSummary): Promise<string[]> {
    const res = await this.request('GET', `/api/v1/runs/${summary.jobId}`).catch((err: Error) => err);
    if (res instanceof Error) return [`Runs API: GET ${label} after the end: ${res.message}`];
    if (res.status !== 200) return [`Runs API: GET ${label} after the end answered ${res.status} ${res.json?.error?.message ?? ''}`];
    const run = res.json.data as RunView;
    const expected = { status: summary.status, ...summary.rows, running: 0 };
    const shown = { status: run.status, ...run.rows };
    const differing = Object.entries(expected).filter(([k, v]) => shown[k as keyof typeof shown] !== v);
    this.notes.push(`${label} ${run.status} ${run.rows.passed}/${run.rows.total}${differing.length ? ' (differs)' : ' = result'}`);
    return differing.map(([k, v]) => `Runs API: ${label}'s ${k} is ${shown[k as keyof typeof shown]}, the job's result says ${v}`);
  }

  /** (d) A small run created through POST /api/v1/runs: it completes, and its run and rows read back passed. */
  async checkCreatedRun(baseUrl: string, stamp: string): Promise<string[]> {
    const rows = 2;
    const startedAt = Date.now();
    const created = await this.request(
      'POST',
      '/api/v1/runs',
      {
        recording: {
          title: 'rehearsal api run',
          steps: [
            { type: 'navigate', url: '{{baseUrl}}/index.html' },
            { type: 'change', selectors: [['#name']], value: '{{name}}' },
            { type: 'click', selectors: [['#go']], offsetX: 2, offsetY: 2 },
            { type: 'waitForExpression', expression: "document.querySelector('#out').textContent.startsWith('Hello')" },
          ],
        },
        csv: 'name\napi-1\napi-2\n',
        options: { timingMode: 'fast', defaults: { baseUrl } },
      },
      { 'Idempotency-Key': `rehearsal-${stamp}` },
    ).catch((err: Error) => err);
    if (created instanceof Error) return [`Runs API: POST /api/v1/runs: ${created.message}`];
    if (created.status !== 201)
      return [`Runs API: POST /api/v1/runs answered ${created.status}, not 201: ${created.json?.error?.message ?? ''}`];
    const id = (created.json.data as RunView).id;
    let run: RunView | undefined;
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      const res = await this.request('GET', `/api/v1/runs/${id}`).catch(() => undefined);
      if (res?.status === 200) run = res.json.data as RunView;
      if (run && !['queued', 'running'].includes(run.status)) break;
      await sleep(500);
    }
    const wallS = ((Date.now() - startedAt) / 1000).toFixed(1);
    this.notes.push(`POST run ${id}: ${run?.status ?? 'unread'} ${run?.rows.passed ?? 0}/${run?.rows.total ?? '?'} in ${wallS} s`);
    if (!run) return [`Runs API: the run created through POST (${id}) could not be read back`];
    const problems: string[] = [];
    if (run.status !== 'passed') problems.push(`Runs API: the run created through POST (${id}) ended ${run.status}, not passed`);
    if (run.rows.total !== rows || run.rows.passed !== rows)
      problems.push(`Runs API: the run created through POST shows ${run.rows.passed}/${run.rows.total} rows passed, not ${rows}/${rows}`);
    const listed = await this.request('GET', `/api/v1/runs/${id}/rows`).catch((err: Error) => err);
    if (listed instanceof Error || listed.status !== 200)
      problems.push(`Runs API: GET the created run's rows: ${listed instanceof Error ? listed.message : listed.status}`);
    else {
      const statuses = (listed.json.data as Array<{ row: number; status: string }>).map((r) => `${r.row}:${r.status}`).sort();
      if (statuses.join(',') !== '1:passed,2:passed') problems.push(`Runs API: the created run's rows read back as ${statuses.join(', ')}`);
    }
    return problems;
  }

  stop(): Promise<number | null> {
    return this.process.stop(10_000);
  }
}
