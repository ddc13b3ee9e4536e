/**
 * The status guard triggers on execution_jobs / execution_rows: a status never regresses, and a
 * regressing write (a late retry of an earlier upsert) is ignored instead of failing.
 */
import { Client } from 'pg';
import { applyMigrations } from '../../src/mirror/db/apply-migrations';
import { createTestDatabase, TestDatabase } from '../support/test-database';

let db: TestDatabase;
let client: Client;

beforeAll(async () => {
  db = await createTestDatabase('mirror_status_guard');
  await applyMigrations(db.url);
  client = new Client({ connectionString: db.url });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  await db?.drop();
});

interface JobRow {
  id: string;
  status: string;
  rows_total: number;
  rows_passed: number;
  duration_ms: number | null;
  completed_at: Date | null;
  error_message: string | null;
  updated_at: Date;
}

async function job(id: string): Promise<JobRow> {
  return (await client.query<JobRow>('SELECT * FROM execution_jobs WHERE id = $1', [id])).rows[0];
}

/** The mirror's write path: an upsert of the whole row. */
async function upsertJob(values: Record<string, unknown>): Promise<JobRow> {
  const columns = Object.keys(values);
  const sql = `INSERT INTO execution_jobs (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})
               ON CONFLICT (id) DO UPDATE SET ${columns.map((c) => `${c} = EXCLUDED.${c}`).join(', ')} RETURNING *`;
  return (await client.query<JobRow>(sql, Object.values(values))).rows[0];
}

async function upsertRow(values: Record<string, unknown>): Promise<Record<string, unknown>> {
  const columns = Object.keys(values);
  const sql = `INSERT INTO execution_rows (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})
               ON CONFLICT (id) DO UPDATE SET ${columns.map((c) => `${c} = EXCLUDED.${c}`).join(', ')} RETURNING *`;
  return (await client.query(sql, Object.values(values))).rows[0];
}

test('running after passed keeps passed, and the whole late write is ignored', async () => {
  await upsertJob({ id: 'g1', status: 'running', rows_total: 2 });
  const passed = await upsertJob({
    id: 'g1',
    status: 'passed',
    rows_total: 2,
    rows_passed: 2,
    duration_ms: 1500,
    completed_at: new Date('2026-11-23T10:00:00Z'),
  });
  expect(passed.status).toBe('passed');

  const late = await upsertJob({
    id: 'g1',
    status: 'running',
    rows_total: 2,
    rows_passed: 0,
    duration_ms: null,
    completed_at: null,
    error_message: 'stale',
  });
  expect(late).toMatchObject({ status: 'passed', rows_passed: 2, duration_ms: 1500, error_message: null });
  expect(late.completed_at?.toISOString()).toBe('2026-11-23T10:00:00.000Z');
  expect(late.updated_at.getTime()).toBe(passed.updated_at.getTime());

  // A plain UPDATE (not only upserts) is guarded too, without raising.
  const updated = await client.query(`UPDATE execution_jobs SET status = 'queued', rows_passed = 0 WHERE id = 'g1'`);
  expect(updated.rowCount).toBe(1);
  expect(await job('g1')).toMatchObject({ status: 'passed', rows_passed: 2 });
});

test('a terminal status never changes to another terminal status', async () => {
  await upsertJob({ id: 'g2', status: 'cancelled', error_message: 'cancelled by user' });
  await upsertJob({ id: 'g2', status: 'failed', error_message: 'late failure' });
  expect(await job('g2')).toMatchObject({ status: 'cancelled', error_message: 'cancelled by user' });
});

test('queued after running keeps running', async () => {
  await upsertJob({ id: 'g3', status: 'queued' });
  await upsertJob({ id: 'g3', status: 'running', rows_total: 5 });
  const late = await upsertJob({ id: 'g3', status: 'queued', rows_total: 0 });
  expect(late).toMatchObject({ status: 'running', rows_total: 5 });
});

test('passed after running wins, with its terminal fields', async () => {
  await upsertJob({ id: 'g4', status: 'running', rows_total: 3 });
  const done = await upsertJob({
    id: 'g4',
    status: 'passed',
    rows_passed: 3,
    duration_ms: 900,
    completed_at: new Date('2026-11-23T11:00:00Z'),
  });
  expect(done).toMatchObject({ status: 'passed', rows_passed: 3, duration_ms: 900 });
  // queued -> terminal directly (e.g. cancelled before starting) is progress too.
  await upsertJob({ id: 'g5', status: 'queued' });
  expect((await upsertJob({ id: 'g5', status: 'cancelled' })).status).toBe('cancelled');
});

test('non-regressing updates change other columns and bump updated_at', async () => {
  const before = await upsertJob({ id: 'g6', status: 'running', rows_total: 4, rows_passed: 0 });
  await new Promise((r) => setTimeout(r, 5));
  const after = await upsertJob({ id: 'g6', status: 'running', rows_total: 4, rows_passed: 1, results_location: 's3://x' });
  expect(after).toMatchObject({ status: 'running', rows_passed: 1 });
  expect(after.updated_at.getTime()).toBeGreaterThan(before.updated_at.getTime());

  // Same terminal status: other columns may still be updated (e.g. a late results_location).
  await upsertJob({ id: 'g6', status: 'failed', error_message: 'row 2 failed' });
  const final = (await client.query(`UPDATE execution_jobs SET results_location = 'file:///r' WHERE id = 'g6' RETURNING *`)).rows[0];
  expect(final).toMatchObject({ status: 'failed', results_location: 'file:///r', error_message: 'row 2 failed' });
});

test('execution_rows are guarded the same way', async () => {
  await upsertJob({ id: 'gr', status: 'running' });
  await upsertRow({ id: 'gr:0', job_id: 'gr', row_index: 0, status: 'running', worker_id: 'w1' });
  await upsertRow({
    id: 'gr:0',
    job_id: 'gr',
    row_index: 0,
    status: 'failed',
    error_message: 'timeout',
    error_step_index: 3,
    duration_ms: 2000,
  });
  const late = await upsertRow({ id: 'gr:0', job_id: 'gr', row_index: 0, status: 'running', worker_id: 'w2', error_message: null });
  expect(late).toMatchObject({ status: 'failed', worker_id: 'w1', error_message: 'timeout', error_step_index: 3, duration_ms: 2000 });

  await upsertRow({ id: 'gr:1', job_id: 'gr', row_index: 1, status: 'running', session_restarts: 0 });
  expect(await upsertRow({ id: 'gr:1', job_id: 'gr', row_index: 1, status: 'queued' })).toMatchObject({ status: 'running' });
  expect(await upsertRow({ id: 'gr:1', job_id: 'gr', row_index: 1, status: 'running', session_restarts: 1 })).toMatchObject({
    status: 'running',
    session_restarts: 1,
  });
  expect(await upsertRow({ id: 'gr:1', job_id: 'gr', row_index: 1, status: 'passed' })).toMatchObject({ status: 'passed' });
});
