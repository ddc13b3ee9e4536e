/**
 * supabase/migrations apply to a fresh plain PostgreSQL database, twice (idempotent), and create the
 * expected tables, enums, indexes, triggers, RLS policies, grants and Realtime publication members.
 */
import { readdirSync } from 'node:fs';
import { Client } from 'pg';
import { applyMigrations, DEFAULT_MIGRATIONS_DIR } from '../../src/mirror/db/apply-migrations';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const TABLES = ['recordings', 'execution_jobs', 'execution_rows', 'execution_logs', 'execution_screenshots', 'execution_artifacts', 'runner_health'];
const REALTIME_TABLES = ['execution_jobs', 'execution_rows', 'execution_logs', 'execution_screenshots', 'runner_health'];
const USER_A = '11111111-1111-4111-8111-111111111111';
const USER_B = '22222222-2222-4222-8222-222222222222';

let db: TestDatabase;
let client: Client;

async function rows<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await client.query(sql, params)).rows as T[];
}

beforeAll(async () => {
  db = await createTestDatabase('mirror_migrations');
  client = new Client({ connectionString: db.url });
  await client.connect();
  // Stand-in for Supabase's Realtime publication, so the guarded ALTER PUBLICATION path runs.
  await client.query('SET client_min_messages = error');
  await client.query('CREATE PUBLICATION supabase_realtime');
});

afterAll(async () => {
  await client?.end();
  await db?.drop();
});

test('applies every migration file, twice, in name order', async () => {
  const files = readdirSync(DEFAULT_MIGRATIONS_DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  expect(files.length).toBeGreaterThan(0);
  for (const f of files) expect(f).toMatch(/^\d{14}_[a-z0-9_]+\.sql$/);

  expect(await applyMigrations(db.url)).toEqual(files);
  expect(await applyMigrations(db.url)).toEqual(files);
});

test('creates the tables with their key columns', async () => {
  const tables = await rows<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  expect(tables.map((t) => t.table_name)).toEqual([...TABLES].sort());

  const columns = await rows<{
    table_name: string;
    column_name: string;
    data_type: string;
    udt_name: string;
    is_nullable: string;
    column_default: string | null;
  }>(
    `SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default
       FROM information_schema.columns WHERE table_schema = 'public'`,
  );
  const col = (t: string, c: string) => columns.find((x) => x.table_name === t && x.column_name === c);
  expect(col('execution_jobs', 'id')?.data_type).toBe('text');
  expect(col('execution_jobs', 'status')?.udt_name).toBe('job_status');
  expect(col('execution_jobs', 'status')?.column_default).toContain("'queued'");
  expect(col('execution_jobs', 'config')?.udt_name).toBe('jsonb');
  expect(col('execution_jobs', 'rows_cancelled')?.is_nullable).toBe('NO');
  expect(col('execution_jobs', 'results_location')).toBeDefined();
  expect(col('recordings', 'id')?.column_default).toContain('gen_random_uuid');
  expect(col('execution_rows', 'status')?.udt_name).toBe('row_status');
  expect(col('execution_rows', 'values_masked')?.udt_name).toBe('jsonb');
  expect(col('execution_logs', 'event')?.udt_name).toBe('log_event');
  expect(col('execution_logs', 'occurred_at')?.is_nullable).toBe('NO');
  expect(col('runner_health', 'sessions_executed')?.udt_name).toBe('int8');
  for (const t of TABLES) {
    expect(col(t, 'created_at')?.udt_name ?? col(t, 'updated_at')?.udt_name).toBe('timestamptz');
  }

  const fks = await rows<{ conrelid: string; confrelid: string; confdeltype: string }>(
    `SELECT conrelid::regclass::text AS conrelid, confrelid::regclass::text AS confrelid, confdeltype
       FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace ORDER BY 1`,
  );
  expect(fks).toEqual([
    { conrelid: 'execution_artifacts', confrelid: 'execution_jobs', confdeltype: 'c' },
    { conrelid: 'execution_jobs', confrelid: 'recordings', confdeltype: 'n' },
    { conrelid: 'execution_logs', confrelid: 'execution_jobs', confdeltype: 'c' },
    { conrelid: 'execution_rows', confrelid: 'execution_jobs', confdeltype: 'c' },
    { conrelid: 'execution_screenshots', confrelid: 'execution_jobs', confdeltype: 'c' },
  ]);
  const uniques = await rows<{ def: string }>(
    `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'public.execution_rows'::regclass AND contype = 'u'`,
  );
  expect(uniques.map((u) => u.def)).toEqual(['UNIQUE (job_id, row_index)']);
});

test('creates the enum types with their labels in order', async () => {
  const enums = await rows<{ typname: string; labels: string[] }>(
    `SELECT t.typname, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
      WHERE t.typnamespace = 'public'::regnamespace GROUP BY t.typname ORDER BY 1`,
  );
  expect(enums).toEqual([
    { typname: 'job_status', labels: ['queued', 'running', 'passed', 'failed', 'cancelled'] },
    { typname: 'log_event', labels: ['started', 'passed', 'failed'] },
    { typname: 'row_status', labels: ['queued', 'running', 'passed', 'failed', 'cancelled'] },
  ]);
});

test('creates the portal indexes and the triggers', async () => {
  const indexes = await rows<{ indexname: string; indexdef: string }>(
    `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'`,
  );
  const def = (name: string) => indexes.find((i) => i.indexname === name)?.indexdef;
  expect(def('execution_logs_job_step_order_idx')).toContain('(job_id, row_index, session_attempt, step_index, attempt, occurred_at)');
  expect(def('execution_rows_job_id_row_index_key')).toContain('(job_id, row_index)');
  expect(def('execution_jobs_created_at_idx')).toContain('(created_at DESC)');
  expect(def('execution_jobs_user_id_created_at_idx')).toContain('(user_id, created_at DESC)');
  expect(def('execution_jobs_status_idx')).toContain('(status)');
  expect(def('execution_rows_status_idx')).toContain('(status)');
  expect(def('recordings_user_id_created_at_idx')).toContain('(user_id, created_at DESC)');
  expect(def('execution_screenshots_job_row_step_idx')).toContain('(job_id, row_index, step_index)');
  expect(def('runner_health_last_heartbeat_idx')).toContain('(last_heartbeat DESC)');

  const triggers = await rows<{ rel: string; tgname: string }>(
    `SELECT tgrelid::regclass::text AS rel, tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2`,
  );
  expect(triggers).toEqual([
    { rel: 'execution_jobs', tgname: 'trg_10_set_updated_at' },
    { rel: 'execution_jobs', tgname: 'trg_20_status_guard' },
    { rel: 'execution_rows', tgname: 'trg_10_set_updated_at' },
    { rel: 'execution_rows', tgname: 'trg_20_status_guard' },
    { rel: 'recordings', tgname: 'trg_10_set_updated_at' },
    { rel: 'runner_health', tgname: 'trg_10_set_updated_at' },
  ]);
});

test('creates the Supabase roles, auth schema and auth.uid() on plain PostgreSQL', async () => {
  const roles = await rows<{ rolname: string; rolcanlogin: boolean }>(
    `SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname IN ('anon', 'authenticated', 'service_role') ORDER BY 1`,
  );
  expect(roles).toEqual([
    { rolname: 'anon', rolcanlogin: false },
    { rolname: 'authenticated', rolcanlogin: false },
    { rolname: 'service_role', rolcanlogin: false },
  ]);
  await client.query('BEGIN');
  try {
    await client.query(`SELECT set_config('request.jwt.claim.sub', $1, true)`, [USER_A]);
    expect((await rows<{ uid: string }>('SELECT auth.uid() AS uid'))[0].uid).toBe(USER_A);
  } finally {
    await client.query('ROLLBACK');
  }
  expect((await rows<{ uid: string | null }>('SELECT auth.uid() AS uid'))[0].uid).toBeNull();
});

test('enables RLS with service_role and owner policies, and grants as Supabase expects', async () => {
  const rls = await rows<{ relname: string; relrowsecurity: boolean }>(
    `SELECT relname, relrowsecurity FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY 1`,
  );
  expect(rls).toHaveLength(TABLES.length);
  for (const r of rls) expect(r.relrowsecurity).toBe(true);

  const policies = await rows<{ tablename: string; policyname: string; roles: string[]; cmd: string }>(
    `SELECT tablename, policyname, roles::text[] AS roles, cmd FROM pg_policies WHERE schemaname = 'public' ORDER BY 1, 2`,
  );
  for (const t of TABLES) {
    expect(policies).toContainEqual({ tablename: t, policyname: 'service_role_all', roles: ['service_role'], cmd: 'ALL' });
  }
  for (const t of TABLES.filter((t) => t !== 'runner_health')) {
    expect(policies).toContainEqual({ tablename: t, policyname: 'owner_select', roles: ['authenticated'], cmd: 'SELECT' });
  }

  const privileges = await rows<{ t: string; svc_all: boolean; auth_select: boolean; auth_insert: boolean; anon_select: boolean }>(
    `SELECT t,
            has_table_privilege('service_role', 'public.' || t, 'SELECT, INSERT, UPDATE, DELETE') AS svc_all,
            has_table_privilege('authenticated', 'public.' || t, 'SELECT') AS auth_select,
            has_table_privilege('authenticated', 'public.' || t, 'INSERT') AS auth_insert,
            has_table_privilege('anon', 'public.' || t, 'SELECT') AS anon_select
       FROM unnest($1::text[]) AS t`,
    [TABLES],
  );
  for (const p of privileges) expect(p).toEqual({ t: p.t, svc_all: true, auth_select: true, auth_insert: false, anon_select: false });
});

test('adds the execution tables to the supabase_realtime publication (once)', async () => {
  const members = await rows<{ tablename: string }>(
    `SELECT tablename FROM pg_publication_tables WHERE pubname = 'supabase_realtime' ORDER BY 1`,
  );
  expect(members.map((m) => m.tablename)).toEqual([...REALTIME_TABLES].sort());
});

test('RLS: authenticated users read only their own jobs and the children of those jobs', async () => {
  await client.query(
    `INSERT INTO recordings (id, user_id, name, recording) VALUES
      ('aaaaaaaa-0000-4000-8000-00000000000a', $1, 'A rec', '{"steps":[]}'),
      ('bbbbbbbb-0000-4000-8000-00000000000b', $2, 'B rec', '{"steps":[]}')`,
    [USER_A, USER_B],
  );
  await client.query(`INSERT INTO execution_jobs (id, user_id) VALUES ('job-a', $1), ('job-b', $2), ('cli-job', NULL)`, [USER_A, USER_B]);
  await client.query(
    `INSERT INTO execution_rows (id, job_id, row_index) VALUES ('job-a:0', 'job-a', 0), ('job-b:0', 'job-b', 0), ('cli-job:0', 'cli-job', 0)`,
  );
  await client.query(`INSERT INTO execution_logs (id, job_id, row_index, step_index, attempt, step_type, event, occurred_at) VALUES
      ('job-a:0:0:0:1:started', 'job-a', 0, 0, 1, 'click', 'started', now()),
      ('job-b:0:0:0:1:started', 'job-b', 0, 0, 1, 'click', 'started', now())`);
  await client.query(`INSERT INTO execution_screenshots (id, job_id, row_index, step_index, bucket, storage_path) VALUES
      ('job-a:0:0', 'job-a', 0, 0, 'screenshots', 'job-a/0/0.png'), ('job-b:0:0', 'job-b', 0, 0, 'screenshots', 'job-b/0/0.png')`);
  await client.query(`INSERT INTO runner_health (worker_id, last_heartbeat) VALUES ('w1', now())`);

  const asUser = async (role: string, sub: string | null, sql: string) => {
    await client.query('BEGIN');
    try {
      await client.query(`SET LOCAL ROLE ${role}`);
      if (sub) await client.query(`SELECT set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ sub, role })]);
      return (await client.query(sql)).rows;
    } finally {
      await client.query('ROLLBACK');
    }
  };

  expect(await asUser('authenticated', USER_A, 'SELECT id FROM execution_jobs ORDER BY id')).toEqual([{ id: 'job-a' }]);
  expect(await asUser('authenticated', USER_A, 'SELECT id FROM execution_rows')).toEqual([{ id: 'job-a:0' }]);
  expect(await asUser('authenticated', USER_A, 'SELECT id FROM execution_logs')).toEqual([{ id: 'job-a:0:0:0:1:started' }]);
  expect(await asUser('authenticated', USER_A, 'SELECT id FROM execution_screenshots')).toEqual([{ id: 'job-a:0:0' }]);
  expect(await asUser('authenticated', USER_A, 'SELECT name FROM recordings')).toEqual([{ name: 'A rec' }]);
  expect(await asUser('authenticated', USER_B, 'SELECT id FROM execution_jobs')).toEqual([{ id: 'job-b' }]);
  expect(await asUser('authenticated', USER_A, 'SELECT worker_id FROM runner_health')).toEqual([]);
  expect(await asUser('authenticated', null, 'SELECT id FROM execution_jobs')).toEqual([]);
  expect(await asUser('service_role', null, 'SELECT id FROM execution_jobs ORDER BY id')).toEqual([
    { id: 'cli-job' },
    { id: 'job-a' },
    { id: 'job-b' },
  ]);
  await expect(asUser('anon', null, 'SELECT id FROM execution_jobs')).rejects.toThrow(/permission denied/);
  await expect(asUser('authenticated', USER_A, `UPDATE execution_jobs SET status = 'failed'`)).rejects.toThrow(/permission denied/);
});

test('re-applying keeps data and leaves an existing (Supabase-owned) auth.uid() untouched', async () => {
  // Simulate Supabase's own function: a different body must survive the shim.
  await client.query(`CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$ SELECT '${USER_B}'::uuid $$`);
  await applyMigrations(db.url);
  expect((await rows<{ uid: string }>('SELECT auth.uid() AS uid'))[0].uid).toBe(USER_B);
  expect((await rows<{ n: string }>('SELECT count(*) AS n FROM execution_jobs'))[0].n).toBe('3');
});

test('a failing migration rolls back and names the file', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'bad-migrations-'));
  try {
    writeFileSync(join(dir, '20990101000000_ok.sql'), 'CREATE TABLE IF NOT EXISTS public.tmp_ok (id int);');
    writeFileSync(join(dir, '20990101000001_bad.sql'), 'CREATE TABLE public.tmp_bad (id int); SELECT nope_not_a_function();');
    await expect(applyMigrations(db.url, dir)).rejects.toThrow(/20990101000001_bad\.sql/);
    const present = await rows<{ t: string | null; b: string | null }>(
      `SELECT to_regclass('public.tmp_ok')::text AS t, to_regclass('public.tmp_bad')::text AS b`,
    );
    expect(present).toEqual([{ t: 'tmp_ok', b: null }]);
    await client.query('DROP TABLE public.tmp_ok');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
