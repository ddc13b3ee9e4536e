/**
 * docker/postgres/migrate.sh (the compose `migrate` one-shot) run for real with psql against a throw-away
 * database on the local PostgreSQL: it applies supabase/migrations in order, re-runs cleanly (it runs on every
 * `docker compose up`), and leaves PostgREST's authenticator able to switch to the API roles.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { PROJECT_ROOT } from '../../src/support/tools';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('ops_migrate');
});

afterAll(async () => {
  await db?.drop();
});

function runMigrate(): { status: number | null; stdout: string; stderr: string } {
  const url = new URL(db.url);
  const r = spawnSync('sh', [join(PROJECT_ROOT, 'docker', 'postgres', 'migrate.sh')], {
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      PATH: process.env.PATH,
      PGHOST: url.hostname,
      PGPORT: url.port || '5432',
      PGUSER: decodeURIComponent(url.username),
      PGPASSWORD: decodeURIComponent(url.password),
      PGDATABASE: db.name,
      MIGRATIONS_DIR: join(PROJECT_ROOT, 'supabase', 'migrations'),
      POSTGREST_AUTHENTICATOR_PASSWORD: 'ops-test-password',
    },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('docker/postgres/migrate.sh', () => {
  it('applies every migration in name order, twice in a row', () => {
    const first = runMigrate();
    expect({ status: first.status, stderr: first.stderr }).toEqual({ status: 0, stderr: '' });
    const applied = first.stdout
      .split('\n')
      .filter((l) => l.startsWith('migrate: applying '))
      .map((l) => l.slice('migrate: applying '.length));
    expect(applied.length).toBeGreaterThan(0);
    expect(applied).toEqual([...applied].sort());
    expect(first.stdout).toContain(`migrate: ${applied.length} migration file(s) applied to ${db.name}`);

    const second = runMigrate();
    expect({ status: second.status, stderr: second.stderr.replace(/^.*NOTICE: .*\n?/gm, '') }).toEqual({ status: 0, stderr: '' });
  });

  it('lets the authenticator switch to service_role and anon, as PostgREST does per request', async () => {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      const role = await client.query(`select rolcanlogin, rolinherit from pg_roles where rolname = 'authenticator'`);
      expect(role.rows).toEqual([{ rolcanlogin: true, rolinherit: false }]);
      await client.query('set role authenticator');
      await client.query('set role service_role');
      const tables = await client.query(`select count(*)::int as n from information_schema.tables where table_schema = 'public'`);
      expect(tables.rows[0].n).toBeGreaterThan(0);
      await client.query('reset role');
      await client.query('set role authenticator');
      await client.query('set role anon');
      await client.query('reset role');
    } finally {
      await client.end();
    }
  });
});
