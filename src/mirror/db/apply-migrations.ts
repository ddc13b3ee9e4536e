/**
 * Applies the Supabase CLI migrations (supabase/migrations/<timestamp>_<name>.sql) to a PostgreSQL
 * database with node-postgres: every .sql file in name order, each in its own transaction.
 *
 * The migrations are idempotent, so applying them again (or on top of a database where some were
 * already applied) is safe; no migration history table is kept. On real Supabase prefer
 * `supabase db push`; this is for plain PostgreSQL (tests, local development).
 *
 * CLI: npx tsx src/mirror/db/apply-migrations.ts postgres://user@host:5432/db [migrationsDir]
 *      (the URL may also come from DATABASE_URL)
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Client } from 'pg';

export const DEFAULT_MIGRATIONS_DIR = resolve(__dirname, '..', '..', '..', 'supabase', 'migrations');

/** Applies every .sql file of `dir` in name order, each in its own transaction; returns the applied file names. */
export async function applyMigrations(databaseUrl: string, dir: string = DEFAULT_MIGRATIONS_DIR): Promise<string[]> {
  const files = (await readdir(dir, { withFileTypes: true }))
    .filter((entry) => entry.isFile() && entry.name.endsWith('.sql'))
    .map((entry) => entry.name)
    .sort();

  const client = new Client({ connectionString: databaseUrl });
  // An idle-client error (e.g. the server going away) must not crash the process; the pending query rejects anyway.
  client.on('error', () => undefined);
  await client.connect();
  const applied: string[] = [];
  try {
    for (const file of files) {
      const sql = await readFile(join(dir, file), 'utf8');
      try {
        await client.query('BEGIN');
        await client.query(sql);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        const message = error instanceof Error ? error.message : String(error);
        throw Object.assign(new Error(`Migration ${file} failed: ${message}`), { cause: error, file });
      }
      applied.push(file);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  return applied;
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<database url>';
  }
}

async function main(argv: string[]): Promise<void> {
  const databaseUrl = argv[0] ?? process.env.DATABASE_URL;
  if (!databaseUrl) {
    process.stderr.write('usage: tsx src/mirror/db/apply-migrations.ts <postgres-url> [migrations-dir]\n');
    process.exitCode = 2;
    return;
  }
  const dir = argv[1] ? resolve(argv[1]) : DEFAULT_MIGRATIONS_DIR;
  const applied = await applyMigrations(databaseUrl, dir);
  for (const file of applied) process.stdout.write(`applied ${file}\n`);
  process.stdout.write(`${applied.length} migration(s) applied to ${redact(databaseUrl)}\n`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
