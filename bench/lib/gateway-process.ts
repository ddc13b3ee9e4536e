/**
 * The PostgREST-compatible test gateway in a process of its own, as Supabase is a service of its own in
 * production: its CPU must not be charged to the worker's event loop in the mirror benchmark.
 * Usage: node --import tsx bench/lib/gateway-process.ts <databaseUrl>; prints `GATEWAY <url>` when listening.
 */
import { startPostgrestGateway } from '../../test/support/postgrest-gateway';

async function main(): Promise<void> {
  const databaseUrl = process.argv[2];
  if (!databaseUrl) throw new Error('usage: gateway-process.ts <databaseUrl>');
  const gateway = await startPostgrestGateway({ databaseUrl });
  process.stdout.write(`GATEWAY ${gateway.url}\n`);
  const stop = () => void gateway.close().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
