/**
 * Temporal's own server (not the dev server) as compose runs it: persistence and SQL visibility in two
 * PostgreSQL databases of its own (created by docker/temporal/setup-schema.sh, dropped at the end), the
 * dynamic config of docker/temporal/dynamicconfig, the namespace and search attributes registered by
 * docker/temporal/create-namespace.sh, and the standalone Web UI server pointed at it. Every port is free.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { PROJECT_ROOT, type ToolPaths } from '../../src/support/tools';
import { frontendAnswers } from '../../src/temporal/frontend-ready';
import { createServer } from 'node:net';
import { freePort, waitFor } from '../../test/support/processes';
import { spawnManaged, type ManagedProcess } from './processes';
import { PG, serverConfig, SERVICES, uiConfig } from './server-config';

const DYNAMIC_CONFIG = join(PROJECT_ROOT, 'docker', 'temporal', 'dynamicconfig', 'development-sql.yaml');

export interface TemporalCluster {
  address: string;
  uiUrl: string;
  /** The server's own Prometheus endpoint. */
  metricsUrl: string;
  databases: string[];
  /** SIGTERM the server, wait for it to exit, start it again on the same ports; resolves once it answers. */
  restart(): Promise<{ downMs: number }>;
  /** Stops the UI and the server and drops the databases. */
  close(): Promise<void>;
}

function runScript(script: string, env: NodeJS.ProcessEnv, logFile: string): void {
  const r = spawnSync('/bin/sh', [join(PROJECT_ROOT, 'docker', 'temporal', script)], { env: { ...process.env, ...env }, encoding: 'utf8' });
  writeFileSync(logFile, `${r.stdout}\n${r.stderr}`, { flag: 'a' });
  if (r.status !== 0) throw new Error(`docker/temporal/${script} exited ${r.status}; see ${logFile}\n${r.stderr.slice(-2000)}`);
}

/** Membership ports are stored as SMALLINT in cluster_membership: they must be below 32768, under the ephemeral range. */
async function freeMembershipPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((ok) => {
      const server = createServer();
      server.once('error', () => ok(false));
      server.listen(port, '127.0.0.1', () => server.close(() => ok(true)));
    });
    if (free) return port;
  }
}

/** The names docker/temporal/search-attributes lists must now be registered in the namespace. */
async function assertSearchAttributes(address: string, namespace: string): Promise<void> {
  const listed = readFileSync(join(PROJECT_ROOT, 'docker', 'temporal', 'search-attributes'), 'utf8')
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter((name) => name && !name.startsWith('#'));
  const connection = await Connection.connect({ address });
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = listed.filter((name) => !(name in (customAttributes ?? {})));
    if (missing.length) throw new Error(`search attributes not registered by create-namespace.sh: ${missing.join(', ')}`);
  } finally {
    await connection.close();
  }
}

async function dropDatabases(names: string[]): Promise<void> {
  const pg = new PgClient({ ...PG, database: 'postgres' });
  await pg.connect();
  try {
    for (const name of names) await pg.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await pg.end();
  }
}

export async function startTemporalCluster(opts: {
  tools: Required<Pick<ToolPaths, 'temporal' | 'temporalServer' | 'temporalSql' | 'temporalUiServer'>>;
  namespace: string;
  workDir: string;
}): Promise<TemporalCluster> {
  const { tools, workDir } = opts;
  const validate = spawnSync(tools.temporalServer, ['validate-dynamic-config', DYNAMIC_CONFIG], { encoding: 'utf8' });
  if (validate.status !== 0) throw new Error(`dynamic config ${DYNAMIC_CONFIG} is invalid:\n${validate.stdout}${validate.stderr}`);

  const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const databases: [string, string] = [`rehearsal_temporal_${suffix}`, `rehearsal_visibility_${suffix}`];
  const schemaLog = join(workDir, 'temporal-schema.log');
  let server: ManagedProcess | undefined;
  let ui: ManagedProcess | undefined;
  const close = async () => {
    await ui?.stop(5000);
    await server?.stop(15_000);
    await dropDatabases(databases);
  };
  try {
    runScript(
      'setup-schema.sh',
      {
        POSTGRES_SEEDS: PG.host,
        DB_PORT: String(PG.port),
        POSTGRES_USER: PG.user,
        SQL_PASSWORD: 'unused-with-trust-auth',
        SQL_TOOL: tools.temporalSql,
        TEMPORAL_DB: databases[0],
        TEMPORAL_VISIBILITY_DB: databases[1],
      },
      schemaLog,
    );
    const ports: Record<string, number> = {};
    for (const s of SERVICES) {
      ports[`${s}.grpc`] = await freePort();
      ports[`${s}.membership`] = await freeMembershipPort();
    }
    ports['frontend.http'] = await freePort();
    const metricsPort = await freePort();
    // <root>/<config>/<env>.yaml: the server's config directory layout (1.29 has no --config-file).
    const serverRoot = join(workDir, 'temporal-server');
    mkdirSync(join(serverRoot, 'config'), { recursive: true });
    writeFileSync(
      join(serverRoot, 'config', 'rehearsal.yaml'),
      serverConfig({ databases, ports, metricsPort, dynamicConfig: DYNAMIC_CONFIG }),
    );
    const address = `127.0.0.1:${ports['frontend.grpc']}`;
    const startServer = async () => {
      server = spawnManaged(
        'temporal-server',
        tools.temporalServer,
        ['--root', serverRoot, '--config', 'config', '--env', 'rehearsal', '--allow-no-auth', 'start'],
        {
          logFile: join(workDir, 'temporal-server.log'),
        },
      );
      await waitFor(
        'the Temporal server to answer',
        async () => {
          if (!server!.running) throw new Error(`the Temporal server exited; see ${server!.logFile}`);
          return frontendAnswers(address);
        },
        90_000,
        250,
      );
    };
    await startServer();
    runScript(
      'create-namespace.sh',
      { TEMPORAL_ADDRESS: address, DEFAULT_NAMESPACE: opts.namespace, PATH: `${dirname(tools.temporal)}:${process.env.PATH}` },
      join(workDir, 'temporal-namespace.log'),
    );
    await assertSearchAttributes(address, opts.namespace);

    const uiPort = await freePort();
    const uiDir = join(workDir, 'ui');
    spawnSync('mkdir', ['-p', join(uiDir, 'config')]);
    writeFileSync(join(uiDir, 'config', 'rehearsal.yaml'), uiConfig({ address, port: uiPort, namespace: opts.namespace }));
    ui = spawnManaged('temporal-ui', tools.temporalUiServer, ['--root', uiDir, '--config', 'config', '--env', 'rehearsal', 'start'], {
      logFile: join(workDir, 'temporal-ui.log'),
    });
    const uiUrl = `http://127.0.0.1:${uiPort}`;
    await waitFor(
      'the Web UI to list the namespace',
      async () => (await fetch(`${uiUrl}/api/v1/namespaces/${opts.namespace}`).catch(() => undefined))?.ok === true,
      60_000,
      250,
    );

    return {
      address,
      uiUrl,
      metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
      databases,
      async restart() {
        const stoppedAt = Date.now();
        await server!.stop(15_000);
        await startServer();
        return { downMs: Date.now() - stoppedAt };
      },
      close,
    };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}
