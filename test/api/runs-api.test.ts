/**
 * The Runs API over real HTTP: an API process (tsx src/api.ts), a real worker (Chromium) and the shared dev
 * server, PostgreSQL behind the test PostgREST gateway for stored recordings.
 */
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Client as PgClient } from 'pg';
import { sha256Hex } from '../../src/api/auth';
import { applyMigrations } from '../../src/mirror/db/apply-migrations';
import { PROJECT_ROOT } from '../../src/support/tools';
import { ApiProcess, call, hs256, readSse, type SseEvent } from '../support/api-process';
import { startPostgrestGateway, type PostgrestGateway } from '../support/postgrest-gateway';
import { startHarness, type Harness } from '../support/harness';
import { waitFor } from '../support/processes';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const JWT_SECRET = 'test-jwt-secret-at-least-32-characters';
const OWNER_A = randomUUID();
const OWNER_B = randomUUID();
const TOKEN_A = `tok-a-${randomUUID()}`;
const TOKEN_B = `tok-b-${randomUUID()}`;
const open = { type: 'navigate', url: '{{baseUrl}}/index.html' };
const wait = (ms: number) => ({
  type: 'waitForExpression',
  expression: `new Promise((r) => setTimeout(() => r(true), ${ms}))`,
  timeout: ms + 10_000,
});
const check = (selector: string) => ({ type: 'waitForElement', selectors: [[selector]], timeout: 500 });

describe('Runs API', () => {
  let h: Harness;
  let api: ApiProcess;
  let db: TestDatabase;
  let gateway: PostgrestGateway;
  let options: Record<string, unknown>;
  const A = (method: string, path: string, o: Parameters<typeof call>[3] = {}) => call(api.url, method, path, { token: TOKEN_A, ...o });
  const B = (method: string, path: string, o: Parameters<typeof call>[3] = {}) => call(api.url, method, path, { token: TOKEN_B, ...o });
  const finished = async (id: string) => {
    let run: any;
    await waitFor(
      `run ${id} to finish`,
      async () => {
        run = (await A('GET', `/api/v1/runs/${id}`)).body.data;
        return ['passed', 'failed', 'cancelled'].includes(run.status);
      },
      60_000,
      100,
    );
    return run;
  };

  beforeAll(async () => {
    db = await createTestDatabase('runs_api');
    await applyMigrations(db.url);
    gateway = await startPostgrestGateway({ databaseUrl: db.url });
    h = await startHarness({
      siteRoot: join(PROJECT_ROOT, 'examples', 'site'),
      env: { RESULTS_DIR: join(PROJECT_ROOT, 'artifacts', 'test-api-results') },
    });
    await h.startWorker({ MAX_CONCURRENT_SESSIONS: '6' });
    options = { timingMode: 'instant', defaults: { baseUrl: h.site.url } };
    const shared = Object.fromEntries(
      Object.entries(h.env)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, String(v)]),
    );
    api = await ApiProcess.start({
      ...shared,
      API_TOKENS: `${OWNER_A}:${sha256Hex(TOKEN_A)},${OWNER_B}:${sha256Hex(TOKEN_B)}`,
      SUPABASE_JWT_SECRET: JWT_SECRET,
      SUPABASE_URL: gateway.url,
      SUPABASE_SERVICE_ROLE_KEY: 'test-service-role',
      API_MAX_ACTIVE_RUNS_PER_OWNER: '4',
      API_SSE_KEEPALIVE_MS: '200',
      LOG_LEVEL: 'warn',
    });
  });
  afterAll(async () => {
    await api?.stop();
    await h?.close();
    await gateway?.close();
    await db?.drop();
  });

  it('serves /health and an OpenAPI document of every route', async () => {
    expect((await call(api.url, 'GET', '/health')).body).toEqual({ status: 'ok' });
    const doc = (await call(api.url, 'GET', '/api/v1/openapi.json')).body;
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/health',
        '/api/v1/runs',
        '/api/v1/runs/{id}',
        '/api/v1/runs/{id}/cancel',
        '/api/v1/runs/{id}/retry',
        '/api/v1/runs/{id}/rows',
        '/api/v1/runs/{id}/rows/{row}/actions',
        '/api/v1/runs/{id}/rows/{row}/artifacts/{kind}',
        '/api/v1/runs/{id}/events',
        '/api/v1/runs/{id}/report.html',
        '/api/v1/runs/{id}/junit.xml',
        '/api/v1/runs/{id}/results.json',
        '/api/v1/schedules',
        '/api/v1/schedules/{id}',
        '/api/v1/schedules/{id}/pause',
        '/api/v1/schedules/{id}/unpause',
        '/api/v1/schedules/{id}/trigger',
      ].sort(),
    );
    expect(doc.components.schemas.RunOptions.properties.priority).toMatchObject({ minimum: 1, maximum: 5 });
  });

  it('refuses a missing, malformed, unknown or expired credential with UNAUTHORIZED', async () => {
    const codes = async (headers: Record<string, string>) => {
      const r = await call(api.url, 'GET', '/api/v1/runs', { headers });
      return [r.status, r.body.error.code];
    };
    expect(await codes({})).toEqual([401, 'UNAUTHORIZED']);
    expect(await codes({ authorization: `Token ${TOKEN_A}` })).toEqual([401, 'UNAUTHORIZED']);
    expect(await codes({ authorization: 'Bearer not-a-token' })).toEqual([401, 'UNAUTHORIZED']);
    const expired = hs256(JWT_SECRET, { sub: OWNER_A, exp: Math.floor(Date.now() / 1000) - 60 });
    const r = await call(api.url, 'GET', '/api/v1/runs', { token: expired });
    expect([r.status, r.body.error.message]).toEqual([401, 'Invalid token: token expired']);
    const forged = hs256('another-secret-of-enough-length-000', { sub: OWNER_A, exp: Math.floor(Date.now() / 1000) + 60 });
    expect((await call(api.url, 'GET', '/api/v1/runs', { token: forged })).status).toBe(401);
    const user = hs256(JWT_SECRET, { sub: OWNER_A, exp: Math.floor(Date.now() / 1000) + 600 });
    expect((await call(api.url, 'GET', '/api/v1/runs', { token: user })).status).toBe(200);
    // The token is configured as a hash and never written to the log.
    expect(api.output.join('')).not.toContain(TOKEN_A);
  });

  it('rejects bad requests with VALIDATION_ERROR naming each problem', async () => {
    const noRecording = await A('POST', '/api/v1/runs', { body: { options: { priority: 9, browser: 'netscape' } } });
    expect(noRecording.status).toBe(400);
    expect(noRecording.body.error.code).toBe('VALIDATION_ERROR');
    expect(noRecording.body.error.details.map((d: any) => d.path).sort()).toEqual([
      'body.options.browser',
      'body.options.priority',
      'body.recording',
    ]);
    const badRecording = await A('POST', '/api/v1/runs', { body: { recording: { title: 'x', steps: [{ type: 'teleport' }] } } });
    expect([badRecording.status, badRecording.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
    const badList = await A('GET', '/api/v1/runs?limit=101&status=done');
    expect(badList.body.error.details.map((d: any) => d.path).sort()).toEqual(['query.limit', 'query.status']);
  });

  it('creates runs idempotently, reads them owner-scoped, lists and filters them, soft-deletes them', async () => {
    const recording = { title: 'api happy path', steps: [open, check('#get-started')] };
    const body = { recording, csv: 'n\n1\n2', options };
    const first = await A('POST', '/api/v1/runs', { body, headers: { 'idempotency-key': 'k-1' } });
    expect(first.status).toBe(201);
    expect(first.body.data).toMatchObject({
      status: expect.stringMatching(/queued|running/),
      recordingName: 'api happy path',
      triggeredBy: 'api',
    });
    const again = await A('POST', '/api/v1/runs', { body, headers: { 'idempotency-key': 'k-1' } });
    expect([again.status, again.body.data.id]).toEqual([200, first.body.data.id]);
    // Another owner's same key is another run; and owner B cannot see A's run.
    const other = await B('POST', '/api/v1/runs', { body, headers: { 'idempotency-key': 'k-1' } });
    expect(other.body.data.id).not.toBe(first.body.data.id);
    const id = first.body.data.id;
    expect((await B('GET', `/api/v1/runs/${id}`)).body.error.code).toBe('RUN_NOT_FOUND');
    expect((await B('GET', `/api/v1/runs/${id}/events`)).status).toBe(404);

    const run = await finished(id);
    expect(run).toMatchObject({ status: 'passed', rows: { total: 2, passed: 2, failed: 0 }, actions: { total: 4, passed: 4 } });
    expect(run.options).toEqual(options);
    const rows = (await A('GET', `/api/v1/runs/${id}/rows`)).body.data;
    expect(rows.map((r: any) => [r.row, r.status])).toEqual([
      [1, 'passed'],
      [2, 'passed'],
    ]);
    const actions = (await A('GET', `/api/v1/runs/${id}/rows/2/actions`)).body.data;
    expect(actions.map((a: any) => [a.index, a.type, a.status])).toEqual([
      [0, 'navigate', 'passed'],
      [1, 'waitForElement', 'passed'],
    ]);
    expect((await A('POST', `/api/v1/runs/${id}/cancel`)).body.error.code).toBe('INVALID_RUN_STATUS');
    expect((await A('POST', `/api/v1/runs/${id}/cancel`)).status).toBe(409);

    const failing = (
      await A('POST', '/api/v1/runs', { body: { recording: { title: 'api failing', steps: [open, check('#nope')] }, options } })
    ).body.data;
    await finished(failing.id);
    // Its reports, built by the same code as `client report`: HTML with the failing step, JUnit with a failure.
    const report = async (who: string, file: string) =>
      fetch(`${api.url}/api/v1/runs/${failing.id}/${file}`, { headers: { authorization: `Bearer ${who}` } });
    const html = await report(TOKEN_A, 'report.html');
    expect([html.status, html.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    expect(await html.text()).toContain('#nope');
    const junit = await (await report(TOKEN_A, 'junit.xml')).text();
    expect(junit).toMatch(/<testsuite[^>]* tests="1"[^>]* failures="1"/);
    expect(junit).toMatch(/<failure message="step 1 \(waitForElement\): [^"]*" type="[A-Za-z]+">/);
    expect((await report(TOKEN_B, 'junit.xml')).status).toBe(404);
    // Its files: linked from the run, served by the API, owner-scoped.
    const failedRun = (await A('GET', `/api/v1/runs/${failing.id}`)).body.data;
    const base = `/api/v1/runs/${failing.id}`;
    expect(failedRun.links).toMatchObject({ report: `${base}/report.html`, junit: `${base}/junit.xml`, results: `${base}/results.json` });
    expect(failedRun.artifacts.map((a: any) => [a.row, a.kind])).toEqual(expect.arrayContaining([[1, 'screenshot'], [1, 'trace']]));
    const file = async (who: string, url: string) => fetch(`${api.url}${url}`, { headers: { authorization: `Bearer ${who}` } });
    const shot = await file(TOKEN_A, failedRun.artifacts.find((a: any) => a.kind === 'screenshot').url);
    expect([shot.status, shot.headers.get('content-type')]).toEqual([200, 'image/png']);
    expect(Buffer.from(await shot.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
    const trace = failedRun.artifacts.find((a: any) => a.kind === 'trace');
    const zip = await file(TOKEN_A, trace.url);
    expect([zip.status, zip.headers.get('content-type')]).toEqual([200, 'application/zip']);
    expect(Buffer.from(await zip.arrayBuffer()).subarray(0, 2).toString()).toBe('PK');
    expect((await file(TOKEN_B, trace.url)).status).toBe(404);
    expect((await A('GET', `${base}/rows/1/artifacts/video`)).body.error.code).toBe('RUN_NOT_FOUND');
    expect((await A('GET', `${base}/rows/0/artifacts/movie`)).body.error.details.map((d: any) => d.path)).toEqual(['params.row', 'params.kind']);
    const list = async (q: string) => (await A('GET', `/api/v1/runs${q}`)).body;
    expect((await list('?status=failed')).data.map((r: any) => r.id)).toEqual([failing.id]);
    expect((await list(`?recordingId=${run.recordingId}`)).data.map((r: any) => r.id)).toEqual([id]);
    const all = await list('?sortBy=createdAt&sortOrder=asc&limit=1&page=2');
    expect(all.pagination).toMatchObject({ page: 2, limit: 1, total: 2, totalPages: 2 });
    expect(all.data.map((r: any) => r.id)).toEqual([failing.id]);
    expect((await list('?sortBy=status&sortOrder=desc')).data.map((r: any) => r.status)).toEqual(['passed', 'failed']);

    expect((await B('DELETE', `/api/v1/runs/${id}`)).status).toBe(404);
    const resultsOfRun = join(PROJECT_ROOT, 'artifacts', 'test-api-results', id);
    expect(existsSync(resultsOfRun)).toBe(true);
    expect((await A('DELETE', `/api/v1/runs/${id}`)).status).toBe(204);
    expect(existsSync(resultsOfRun)).toBe(false);
    expect((await A('GET', `/api/v1/runs/${id}`)).status).toBe(404);
    expect((await list('')).data.map((r: any) => r.id)).toEqual([failing.id]);
    expect((await A('GET', `/api/v1/runs/${id}/rows`)).status).toBe(404);
  });

  it('starts a stored recording by recordingId, and answers RECORDING_NOT_FOUND for a missing or foreign one', async () => {
    const pg = new PgClient({ connectionString: db.url });
    await pg.connect();
    const mine = randomUUID();
    const theirs = randomUUID();
    const rec = JSON.stringify({ title: 'stored', steps: [open, check('#get-started')] });
    await pg.query('insert into recordings (id, user_id, name, recording) values ($1, $2, $3, $4), ($5, $6, $7, $4)', [
      mine,
      OWNER_A,
      'Stored login',
      rec,
      theirs,
      OWNER_B,
      'B only',
    ]);
    await pg.end();
    const created = await A('POST', '/api/v1/runs', { body: { recordingId: mine, options } });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ recordingId: mine, recordingName: 'Stored login' });
    for (const recordingId of [theirs, randomUUID(), 'not-a-uuid']) {
      const r = await A('POST', '/api/v1/runs', { body: { recordingId, options } });
      expect([r.status, r.body.error.code]).toEqual([404, 'RECORDING_NOT_FOUND']);
    }
    expect((await finished(created.body.data.id)).status).toBe('passed');
  });

  it('creates, lists, triggers, pauses and deletes schedules, owner-scoped; a bad cron is refused up front', async () => {
    const recording = { title: 'api nightly', steps: [open, check('#get-started')] };
    const bad = await A('POST', '/api/v1/schedules', { body: { scheduleId: 'api-bad', recording, cron: ['not a cron'] } });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
    const scheduleId = `api-nightly-${Date.now()}`;
    const created = await A('POST', '/api/v1/schedules', { body: { scheduleId, recording, options, cron: ['0 3 * * *'] } });
    expect([created.status, created.body.data]).toEqual([201, expect.objectContaining({ scheduleId, ownerId: OWNER_A, paused: false })]);
    expect((await A('POST', '/api/v1/schedules', { body: { scheduleId, recording, options, cron: ['0 3 * * *'] } })).status).toBe(409);
    expect((await B('GET', `/api/v1/schedules/${scheduleId}`)).status).toBe(404);
    expect((await B('GET', '/api/v1/schedules')).body.data.map((s: any) => s.scheduleId)).not.toContain(scheduleId);
    expect((await A('GET', '/api/v1/schedules')).body.data.map((s: any) => s.scheduleId)).toContain(scheduleId);

    expect((await A('POST', `/api/v1/schedules/${scheduleId}/trigger`)).status).toBe(202);
    let recent: { jobId: string }[] = [];
    await waitFor('the triggered run', async () => (recent = (await A('GET', `/api/v1/schedules/${scheduleId}`)).body.data.recentRuns).length > 0, 30_000, 200);
    // A normal run of the same owner, found through the runs routes.
    expect(await finished(recent[0].jobId)).toMatchObject({ status: 'passed', triggeredBy: 'schedule' });
    expect((await B('GET', `/api/v1/runs/${recent[0].jobId}`)).status).toBe(404);

    expect((await A('POST', `/api/v1/schedules/${scheduleId}/pause`)).body.data.paused).toBe(true);
    expect((await B('DELETE', `/api/v1/schedules/${scheduleId}`)).status).toBe(404);
    expect((await A('DELETE', `/api/v1/schedules/${scheduleId}`)).status).toBe(204);
    expect((await A('GET', `/api/v1/schedules/${scheduleId}`)).status).toBe(404);
  });

  it('retries only the failed rows of a run', async () => {
    const recording = { title: 'per-row selector', steps: [open, check('{{selector}}')] };
    const csv = 'selector,label\n#get-started,one\n#missing-one,two\n#get-started,three\n#missing-two,four\n';
    const { id } = (await A('POST', '/api/v1/runs', { body: { recording, csv, options } })).body.data;
    expect((await finished(id)).rows).toMatchObject({ total: 4, passed: 2, failed: 2 });
    const retry = await A('POST', `/api/v1/runs/${id}/retry`, { body: { rows: 'failed' } });
    expect(retry.status).toBe(201);
    expect(retry.body.data.retryOf).toBe(id);
    const rerun = await finished(retry.body.data.id);
    expect(rerun.rows).toMatchObject({ total: 2, failed: 2 });
    expect(rerun.options).toEqual(options);
    const full = await A('POST', `/api/v1/runs/${id}/retry`, { body: {} });
    expect((await finished(full.body.data.id)).rows).toMatchObject({ total: 4, passed: 2, failed: 2 });
  });

  it('cancels a run mid-row, keeping what the row finished', async () => {
    const recording = { title: 'long row', steps: [open, wait(20_000), check('#get-started')] };
    const { id } = (await A('POST', '/api/v1/runs', { body: { recording, options } })).body.data;
    await readSse(`${api.url}/api/v1/runs/${id}/events`, TOKEN_A, { stopAfter: 3 }); // row running, step 0 started, passed
    const cancel = await A('POST', `/api/v1/runs/${id}/cancel`);
    expect(cancel.status).toBe(202);
    const run = await finished(id);
    expect(run).toMatchObject({ status: 'cancelled', rows: { total: 1, cancelled: 1 } });
    const actions = (await A('GET', `/api/v1/runs/${id}/rows/1/actions`)).body.data;
    expect(actions.map((a: any) => a.status)).toEqual(['passed', 'skipped', 'skipped']);
  });

  it('streams events with ids; a reconnect with Last-Event-ID gets exactly the missed ones; the stream ends with the run', async () => {
    const recording = { title: 'streamed', steps: [open, wait(300), wait(300), check('#get-started')] };
    const { id } = (await A('POST', '/api/v1/runs', { body: { recording, csv: 'n\n1\n2', options: { ...options, rowConcurrency: 1 } } }))
      .body.data;
    const url = `${api.url}/api/v1/runs/${id}/events`;
    const before = await readSse(url, TOKEN_A, { stopAfter: 5 });
    const after = await readSse(url, TOKEN_A, { lastEventId: Number(before.events.at(-1)!.id) });
    expect(after.ended).toBe(true);
    const whole = await readSse(url, TOKEN_A);
    const ids = (events: SseEvent[]) => events.map((e) => Number(e.id));
    expect(ids([...before.events, ...after.events])).toEqual(ids(whole.events));
    expect([...before.events, ...after.events].map((e) => e.data)).toEqual(whole.events.map((e) => e.data));
    expect(ids(whole.events)).toEqual(whole.events.map((_, i) => i + 1));
    // The run starting, 2 rows × (running + 4 steps × started/passed + passed), then the run's end.
    expect(whole.events[0]).toMatchObject({ event: 'run', data: { type: 'run', status: 'running', rowsTotal: 2 } });
    expect(whole.events.filter((e) => e.event === 'step')).toHaveLength(16);
    expect(whole.events.filter((e) => e.event === 'row').map((e) => e.data.status)).toEqual(['running', 'passed', 'running', 'passed']);
    expect(whole.events.at(-1)).toMatchObject({ event: 'run', data: { id, status: 'passed' } });
    expect(before.comments + after.comments).toBeGreaterThan(0); // keep-alives while the row waited
    // Resuming after the last event: nothing repeated, the stream just ends.
    expect((await readSse(url, TOKEN_A, { lastEventId: whole.events.length })).events).toEqual([]);
  });

  it('answers CAPACITY_EXCEEDED with Retry-After past the per-owner cap of active runs', async () => {
    const token = hs256(JWT_SECRET, { sub: `cap-${randomUUID()}`, exp: Math.floor(Date.now() / 1000) + 600 });
    const body = { recording: { title: 'holds a slot', steps: [open, wait(20_000)] }, options };
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await call(api.url, 'POST', '/api/v1/runs', { token, body })).body.data.id);
    const refused = await call(api.url, 'POST', '/api/v1/runs', { token, body });
    expect([refused.status, refused.body.error.code, refused.headers.get('retry-after')]).toEqual([429, 'CAPACITY_EXCEEDED', '15']);
    // Soft delete of a running run: it marks itself Deleted (visible to operators) and stops.
    const [deleted, ...rest] = ids;
    expect((await call(api.url, 'DELETE', `/api/v1/runs/${deleted}`, { token })).status).toBe(204);
    expect((await call(api.url, 'GET', `/api/v1/runs/${deleted}`, { token })).status).toBe(404);
    await waitFor(
      'the Deleted search attribute',
      async () => {
        const found = await h.client.client.workflow.count(
          `WorkflowId = "execution-${deleted}" AND Deleted = true AND RunStatus = "cancelled"`,
        );
        return found.count === 1;
      },
      30_000,
      200,
    );
    for (const id of rest) expect((await call(api.url, 'POST', `/api/v1/runs/${id}/cancel`, { token })).status).toBe(202);
  });

  it('answers QUEUE_UNAVAILABLE when Temporal cannot be reached', async () => {
    const down = await ApiProcess.start(
      {
        TEMPORAL_ADDRESS: '127.0.0.1:1',
        API_TOKENS: `${OWNER_A}:${sha256Hex(TOKEN_A)}`,
        TEMPORAL_PAYLOAD_ENCRYPTION: 'off',
        LOG_LEVEL: 'silent',
      },
      { waitHealthy: false },
    );
    try {
      expect((await call(down.url, 'GET', '/health')).status).toBe(503);
      const r = await call(down.url, 'GET', '/api/v1/runs', { token: TOKEN_A });
      expect([r.status, r.body.error.code]).toEqual([503, 'QUEUE_UNAVAILABLE']);
    } finally {
      await down.stop();
    }
  });
});
