import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { Pool } from 'pg';
import { applyMigrations } from '../../src/mirror/db/apply-migrations';
import type { MirrorEvent } from '../../src/mirror/events';
import { mirrorOutbox } from '../../src/mirror/mirror-outbox';
import { PROJECT_ROOT } from '../../src/support/tools';
import { payloadEncryptionCodec } from '../../src/temporal/payload-encryption';
import { mirrorWorkflowId, rowWorkflowId } from '../../src/workflows/definitions';
import { startHarness, Harness, newJobId } from '../support/harness';
import { logEvent } from '../support/mirror-events';
import { slowRecording } from '../support/recordings';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startPostgrestGateway, PostgrestGateway } from '../support/postgrest-gateway';

const signupStyle = {
  title: 'login',
  steps: [
    { type: 'navigate', url: '{{baseUrl}}/signup.html' },
    { type: 'change', selectors: [['#first-name']], value: '{{user}}' },
    { type: 'change', selectors: [['#password']], value: '{{password}}' },
    { type: 'waitForElement', selectors: [['{{expect}}']], timeout: 800 },
  ],
};
const csv = 'user,password,expect\nada,S3cret-Ada-pw,#first-name\nbob,S3cret-Bob-pw,#never-there\n';

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('Supabase mirror (supabase-js → PostgREST-compatible gateway → real PostgreSQL with the migrations)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let gateway: PostgrestGateway;
  let h: Harness;

  beforeAll(async () => {
    db = await createTestDatabase('mirror');
    await applyMigrations(db.url);
    pool = new Pool({ connectionString: db.url });
    gateway = await startPostgrestGateway({ databaseUrl: db.url });
    h = await startHarness({
      siteRoot: join(PROJECT_ROOT, 'examples', 'site'),
      env: { SUPABASE_URL: gateway.url, SUPABASE_SERVICE_ROLE_KEY: 'test-service-role-key', RUNNER_HEALTH_INTERVAL_MS: '1000' },
    });
    await h.startWorker({ MAX_CONCURRENT_SESSIONS: '2' });
  });
  afterAll(async () => {
    await h.close();
    await gateway.close();
    await pool.end();
    await db.drop();
  });

  const q = async (sql: string, args: unknown[] = []) => (await pool.query(sql, args)).rows;
  const mirrorDone = (jobId: string) => h.client.client.workflow.getHandle(`mirror-${jobId}`).result();
  /** Starts a job and returns once the worker has opened its first session (the job is mid-run). */
  const startAndWaitForSession = async (input: Parameters<Harness['client']['startExecution']>[0]) => {
    const worker = h.workers[0];
    const before = worker.sessions.stats().sessionsOpened;
    await h.client.startExecution(input);
    while (worker.sessions.stats().sessionsOpened === before) await new Promise((r) => setTimeout(r, 20));
  };
  const historyOf = async (workflowId: string) => (await h.client.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  /** The batches of events that reached the job's mirror workflow (its outbox) as signals. */
  const outboxSignals = async (jobId: string): Promise<MirrorEvent[][]> => {
    const signals = (await historyOf(mirrorWorkflowId(jobId))).filter((e) => e.workflowExecutionSignaledEventAttributes);
    // Stored encrypted: decoded with the harness's key.
    const payloads = await payloadEncryptionCodec(h.env)!.decode(
      signals.map((e) => e.workflowExecutionSignaledEventAttributes!.input!.payloads![0]),
    );
    return payloads.map((p) => defaultPayloadConverter.fromPayload<MirrorEvent[]>(p));
  };

  it('mirrors a job end to end: exactly the expected rows, secrets masked, screenshot uploaded', async () => {
    const jobId = newJobId('m');
    await h.client.startExecution({
      jobId,
      recording: signupStyle,
      csv,
      config: { timingMode: 'instant', defaults: { baseUrl: h.site.url } },
    });
    const summary = await h.client.getResult(jobId);
    await mirrorDone(jobId);

    const [job] = await q('select * from execution_jobs where id = $1', [jobId]);
    expect(job).toMatchObject({
      status: 'failed',
      rows_total: 2,
      rows_passed: 1,
      rows_failed: 1,
      steps_total: 8,
      steps_passed: 7,
      steps_failed: 1,
      workflow_id: `execution-${jobId}`,
    });
    expect(job.completed_at).not.toBeNull();
    expect(job.error_message).toMatch(/1 of 2 row/);

    const rows = await q('select * from execution_rows where job_id = $1 order by row_index', [jobId]);
    expect(rows.map((r) => [r.row_index, r.status])).toEqual([
      [1, 'passed'],
      [2, 'failed'],
    ]);
    expect(rows[0].values_masked).toEqual({ user: 'ada', password: '***', expect: '#first-name' });
    // started_at comes only with the `running` event, which the worker that opened the session writes.
    expect(rows.every((r) => r.started_at !== null && r.worker_id !== null)).toBe(true);
    expect(rows[1]).toMatchObject({ error_step_index: 3, error_type: 'AssertionFailed' });

    // One log line per step attempt and event: 4 started + 4 passed for row 1; row 2 fails step 3 once.
    const expected = summary.results.reduce(
      (n, r) => n + r.steps.filter((s) => s.status !== 'skipped').reduce((m, s) => m + 2 * s.attempts, 0),
      0,
    );
    // Log lines are written by the workers themselves, so they need not have landed when the mirror workflow ends.
    const logs = await until(
      () =>
        q(
          'select row_index, step_index, attempt, event, selector_used from execution_logs where job_id = $1 order by row_index, step_index, occurred_at, event',
          [jobId],
        ),
      (rows) => rows.length >= expected,
    );
    expect(logs).toHaveLength(expected);
    expect(new Set(logs.map((l) => `${l.row_index}:${l.step_index}:${l.attempt}:${l.event}`)).size).toBe(logs.length);
    expect(logs.find((l) => l.row_index === 1 && l.step_index === 1 && l.event === 'passed')?.selector_used).toBe('#first-name');

    const everything = JSON.stringify([job, rows, await q('select * from execution_logs where job_id = $1', [jobId])]);
    expect(everything).not.toContain('S3cret');

    const shots = await until(
      () => q('select * from execution_screenshots where job_id = $1', [jobId]),
      (r) => r.length === 1,
    );
    expect(shots).toHaveLength(1);
    expect(shots[0]).toMatchObject({ row_index: 2, step_index: 3, bucket: 'execution-screenshots' });
    expect(existsSync(join(gateway.storageDir, 'execution-screenshots', 'objects', shots[0].storage_path))).toBe(true);

    // What went through Temporal: the job's own signals (start, one per finished row, end) and at most a
    // few log lines (a worker's direct write can beat the job's first write, and then takes the outbox).
    const signals = await outboxSignals(jobId);
    expect(signals.filter((batch) => batch.some((e) => e.kind === 'job'))).toHaveLength(2 + 2);
    const logsViaOutbox = signals.flat().filter((e) => e.kind === 'log').length;
    expect(logsViaOutbox).toBeLessThan(expected / 2);
    for (const row of [1, 2]) {
      const rowSignals = (await historyOf(rowWorkflowId(jobId, row))).filter(
        (e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes,
      );
      expect(rowSignals).toHaveLength(0);
    }

    // A worker's line that comes after the job's mirror workflow ended still lands: the outbox starts again.
    const late = logEvent(jobId, 0, { attempt: 9, stepType: 'navigate', event: 'started', occurredAt: Date.now() });
    await mirrorOutbox(h.client.client, h.env.TEMPORAL_TASK_QUEUE)(jobId, [late]);
    await mirrorDone(jobId);
    expect(await q('select id from execution_logs where job_id = $1 and attempt = 9', [jobId])).toHaveLength(1);

    const health = await q('select * from runner_health');
    expect(health.length).toBeGreaterThanOrEqual(1);
    expect(health[0].max_sessions).toBe(2);
    expect(Number(health[0].sessions_executed)).toBeGreaterThanOrEqual(2);
  });

  it('Supabase down for 30 s mid-job: the job finishes on time, and every row and log lands exactly once afterwards', async () => {
    const jobId = newJobId('outage');
    await startAndWaitForSession({
      jobId,
      recording: signupStyle,
      csv: 'user,password,expect\n' + 'x,pw-123456,#first-name\n'.repeat(4),
      config: { timingMode: 'instant', defaults: { baseUrl: h.site.url } },
    });
    await gateway.stop(); // mid-job: the first row is running
    const downAt = Date.now();
    const summary = await h.client.getResult(jobId);
    const finishedAfter = Date.now() - downAt;
    expect(summary.status).toBe('passed');
    expect(finishedAfter).toBeLessThan(30_000); // the job did not wait for Supabase
    await new Promise((r) => setTimeout(r, 30_000 - finishedAfter)); // the mirror keeps retrying meanwhile
    await gateway.start();

    await mirrorDone(jobId);
    const [job] = await q('select * from execution_jobs where id = $1', [jobId]);
    expect(job).toMatchObject({ status: 'passed', rows_total: 4, rows_passed: 4, steps_passed: 16 });
    const rows = await q('select status from execution_rows where job_id = $1', [jobId]);
    expect(rows.map((r) => r.status)).toEqual(['passed', 'passed', 'passed', 'passed']);
    const logs = await q('select id from execution_logs where job_id = $1', [jobId]);
    expect(logs).toHaveLength(4 * 4 * 2); // started + passed for each of 16 step attempts, once each
  });

  it('a cancelled job: the running row and every row that never started are mirrored as cancelled', async () => {
    const jobId = newJobId('cancel');
    await startAndWaitForSession({
      jobId,
      recording: slowRecording(20_000, 'cancel me'),
      csv: 'n\n' + [1, 2, 3, 4, 5, 6].join('\n') + '\n',
      config: { timingMode: 'instant', maxConcurrentRows: 1, defaults: { baseUrl: h.site.url } },
    });
    await h.client.cancelExecution(jobId);
    const summary = await h.client.getResult(jobId);
    expect(summary).toMatchObject({ status: 'cancelled', rows: { total: 6, cancelled: 6 } });
    await mirrorDone(jobId);

    const [job] = await q('select status, rows_cancelled from execution_jobs where id = $1', [jobId]);
    expect(job).toEqual({ status: 'cancelled', rows_cancelled: 6 });
    const rows = await q('select row_index, status from execution_rows where job_id = $1 order by row_index', [jobId]);
    expect(rows.map((r) => r.status)).toEqual(Array(6).fill('cancelled'));
    // Rows 2–6 never started: one signal for all of them, not one each.
    const signals = await outboxSignals(jobId);
    expect(signals.filter((batch) => batch.some((e) => e.kind === 'row' && e.status === 'cancelled'))).toHaveLength(2);
  });

  it('portal path: a job started with only its jobId loads its recording and CSV from Supabase', async () => {
    const [rec] = await q(`insert into recordings (name, recording) values ('portal', $1) returning id`, [JSON.stringify(signupStyle)]);
    const jobId = newJobId('portal');
    await q(`insert into execution_jobs (id, recording_id, csv_data, config) values ($1, $2, $3, $4)`, [
      jobId,
      rec.id,
      'user,password,expect\nzoe,pw-zoe-123,#first-name\n',
      JSON.stringify({ timingMode: 'instant', defaults: { baseUrl: h.site.url } }),
    ]);
    await h.client.startExecution({ jobId });
    const summary = await h.client.getResult(jobId);
    expect(summary.rows).toMatchObject({ total: 1, passed: 1 });
    // Findable as the portal's (TriggeredBy), started with its id alone, and by the recording it loaded.
    const { searchAttributes } = await h.client.client.workflow.getHandle(summary.workflowId).describe();
    expect(searchAttributes.TriggeredBy).toEqual(['portal']);
    expect(searchAttributes.RecordingId).toEqual([rec.id]);
    await mirrorDone(jobId);
    const [job] = await q('select status, rows_passed from execution_jobs where id = $1', [jobId]);
    expect(job).toEqual({ status: 'passed', rows_passed: 1 });
  });

  it.each([
    ['a missing job', async () => undefined, /not found in execution_jobs/],
    ['a missing recording', async (id: string) => q(`insert into execution_jobs (id) values ($1)`, [id]), /no recording_id/],
    [
      'an invalid recording',
      async (id: string) => {
        const [rec] = await q(
          `insert into recordings (name, recording) values ('bad', '{"title":"x","steps":[{"type":"click"}]}') returning id`,
        );
        await q(`insert into execution_jobs (id, recording_id) values ($1, $2)`, [id, rec.id]);
      },
      /steps\[0\]\.selectors/,
    ],
  ])('portal path with %s: the job is marked failed with the reason and no browser starts', async (_name, seed, reason) => {
    const jobId = newJobId('bad');
    await seed(jobId);
    const before = h.workers[0].sessions.stats().sessionsOpened;
    await h.client.startExecution({ jobId });
    await expect(h.client.getResult(jobId)).rejects.toThrow();
    expect(h.workers[0].sessions.stats().sessionsOpened).toBe(before);
    const rows = await q('select status, error_message from execution_jobs where id = $1', [jobId]);
    if (rows.length > 0) {
      expect(rows[0].status).toBe('failed');
      expect(rows[0].error_message).toMatch(reason);
    } else {
      // A job that does not exist cannot be marked; the workflow failure carries the reason.
      await expect(h.client.getResult(jobId)).rejects.toThrow();
    }
  });
});
