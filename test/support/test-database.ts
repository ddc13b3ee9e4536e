/**
 * Throw-away PostgreSQL databases for tests, on the local server (127.0.0.1:5432, user postgres,
 * trust auth). Override the admin connection with TEST_DATABASE_ADMIN_URL if needed.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export interface TestDatabase {
  /** Connection URL of the new database. */
  url: string;
  /** Database name. */
  name: string;
  /** Drops the database, terminating any connections still open to it. Safe to call twice. */
  drop(): Promise<void>;
}

const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function withAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: ADMIN_URL });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates a fresh, empty database named `<prefix>_<random>` and returns its URL and a drop function. */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const cleanPrefix =
    prefix
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 30) || 'test';
  const name = `${cleanPrefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE DATABASE ${quoteIdent(name)}`));

  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;

  return {
    url: url.toString(),
    name,
    drop(): Promise<void> {
      dropped ??= withAdmin(async (client) => {
        await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
        await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      });
      return dropped;
    },
  };
}
