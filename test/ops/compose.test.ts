/**
 * docker-compose.yml, validated by `docker compose config -q` where the compose client exists, and always
 * statically: it parses, references resolve (services, volumes, mounted files and scripts), variables are
 * well-formed, and the worker keeps its hardening and drain guarantees.
 */
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnv } from '../../src/config/env';
import { readEnvFile } from '../../src/config/env-file';
import { PROJECT_ROOT, resolveToolPaths } from '../../src/support/tools';
import { findYamlParser } from './yaml';

const COMPOSE_FILE = join(PROJECT_ROOT, 'docker-compose.yml');
const raw = readFileSync(COMPOSE_FILE, 'utf8');

type Service = {
  image?: string;
  build?: unknown;
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string | number | boolean>;
  env_file?: Array<{ path: string; required?: boolean }>;
  volumes?: string[];
  tmpfs?: string[];
  ports?: string[];
  command?: string[];
  entrypoint?: string[];
  restart?: string;
  deploy?: { replicas?: number };
  healthcheck?: { test?: string[]; disable?: boolean; start_period?: string };
  read_only?: boolean;
  cap_drop?: string[];
  security_opt?: string[];
  mem_limit?: string;
  cpus?: number | string;
  pids_limit?: number;
  shm_size?: string;
  stop_grace_period?: string;
  stop_signal?: string;
};
type ComposeFile = { name?: string; services: Record<string, Service>; volumes?: Record<string, unknown> };

/** Compose's variable syntax: $$, $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}. */
const VARIABLE = /\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/y;

/** Substitutes variables as compose does with an empty environment (defaults apply). */
function interpolate(value: string, env: Record<string, string> = {}): string {
  return value.replace(new RegExp(VARIABLE.source, 'g'), (match, braced?: string, op?: string, arg?: string, bare?: string) => {
    if (match === '$$') return '$';
    const name = braced ?? bare!;
    const set = env[name];
    if (op === ':-' || op === '-') return set ?? arg ?? '';
    return set ?? '';
  });
}

function parseDurationSeconds(text: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!m || text === '') throw new Error(`not a compose duration: ${text}`);
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

function composeClient(): { ok: boolean; version?: string } {
  const r = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8', timeout: 20_000 });
  return r.status === 0 ? { ok: true, version: r.stdout.trim() } : { ok: false };
}

const parser = findYamlParser();
const compose = (parser?.parse(raw) ?? { services: {} }) as ComposeFile;
const services = compose.services ?? {};
/** A service's environment as compose builds it on a fresh clone: its required env files in order, then `environment:`. */
const env = (name: string) => ({
  ...Object.assign(
    {},
    ...(services[name]?.env_file ?? []).filter((f) => f.required !== false).map((f) => readEnvFile(join(PROJECT_ROOT, f.path))),
  ),
  ...Object.fromEntries(Object.entries(services[name]?.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))])),
});

describe('docker-compose.yml', () => {
  it('passes `docker compose config -q` when the compose client is available', () => {
    const client = composeClient();
    if (!client.ok) {
      console.log('docker compose client not available: compose file not validated');
      // Still a real check: the file must parse as YAML (the static tests below go further).
      expect(parser).toBeDefined();
      expect(() => parser!.parse(raw)).not.toThrow();
      return;
    }
    for (const args of [
      ['config', '-q'],
      ['--profile', 'demo', 'config', '-q'],
    ]) {
      const r = spawnSync('docker', ['compose', '-f', COMPOSE_FILE, ...args], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000 });
      expect({ args, status: r.status, stderr: r.stderr }).toEqual({ args, status: 0, stderr: '' });
    }
  });

  it(`parses with an installed YAML parser (${parser?.name ?? 'none found'})`, () => {
    expect(parser).toBeDefined();
    expect(compose.name).toBe('recorder-runner');
    for (const key of Object.keys(compose))
      expect(['name', 'services', 'volumes', 'networks', 'secrets', 'configs']).toContain(key.startsWith('x-') ? 'services' : key);
    expect(Object.keys(services).sort()).toEqual(
      [
        'api',
        'demo',
        'migrate',
        'postgresql',
        'postgrest',
        'supabase-gateway',
        'temporal',
        'temporal-namespace',
        'temporal-schema',
        'temporal-ui',
        'worker',
      ].sort(),
    );
  });

  it('uses only well-formed variable references', () => {
    const bad: string[] = [];
    for (let i = raw.indexOf('$'); i !== -1; i = raw.indexOf('$', i + 1)) {
      VARIABLE.lastIndex = i;
      const m = VARIABLE.exec(raw);
      if (!m) bad.push(raw.slice(i, i + 30));
      else i += m[0].length - 1;
    }
    expect(bad).toEqual([]);
  });

  it('has resolvable references: images or builds, dependencies, named volumes, mounted files, scripts', () => {
    const declaredVolumes = Object.keys(compose.volumes ?? {});
    for (const [name, svc] of Object.entries(services)) {
      expect({ name, hasImageOrBuild: Boolean(svc.image || svc.build) }).toEqual({ name, hasImageOrBuild: true });
      for (const [dep, spec] of Object.entries(svc.depends_on ?? {})) {
        expect(Object.keys(services)).toContain(dep);
        expect(['service_started', 'service_healthy', 'service_completed_successfully']).toContain(spec.condition);
        // A dependency that must "complete" is a one-shot: it must not be restarted forever.
        if (spec.condition === 'service_completed_successfully')
          expect({ dep, restart: services[dep].restart ?? 'no' }).toEqual({ dep, restart: 'no' });
        if (spec.condition === 'service_healthy')
          expect({ dep, healthcheck: Boolean(services[dep].healthcheck?.test) }).toEqual({ dep, healthcheck: true });
      }
      const mounts: Array<{ host: string; target: string }> = [];
      for (const volume of svc.volumes ?? []) {
        const [source, target] = interpolate(volume).split(':');
        if (source.startsWith('./') || source.startsWith('/')) {
          const host = join(PROJECT_ROOT, source);
          expect({ service: name, mount: source, exists: existsSync(host) }).toEqual({ service: name, mount: source, exists: true });
          mounts.push({ host, target });
        } else {
          expect(declaredVolumes).toContain(source);
        }
      }
      // Scripts run from a mounted folder exist in the repository.
      for (const arg of [...(svc.entrypoint ?? []), ...(svc.command ?? [])]) {
        const mount = mounts.find((m) => arg.startsWith(`${m.target}/`));
        if (mount)
          expect({ service: name, script: arg, exists: existsSync(join(mount.host, arg.slice(mount.target.length))) }).toEqual({
            service: name,
            script: arg,
            exists: true,
          });
      }
    }
  });

  it('persists Temporal in the PostgreSQL service, with a dynamic config file from docker/', () => {
    expect(services.postgresql.image).toBe('postgres:16');
    expect(services.postgresql.volumes).toContain('pgdata:/var/lib/postgresql/data');
    const temporal = env('temporal');
    expect(temporal).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    const dynamic = temporal.DYNAMIC_CONFIG_FILE_PATH;
    const mount = services.temporal
      .volumes!.map((v) => v.split(':'))
      .find(([, target]) => dynamic.startsWith(target.replace('/etc/temporal/', '')));
    expect(mount).toBeDefined();
    const file = join(PROJECT_ROOT, mount![0], dynamic.slice(mount![1].replace('/etc/temporal/', '').length));
    expect(existsSync(file)).toBe(true);
    expect(parser!.parse(readFileSync(file, 'utf8'))).toEqual(expect.any(Object));
    expect(env('temporal-schema').POSTGRES_USER).toBe(temporal.POSTGRES_USER);
    expect(services['temporal-ui'].ports).toContain('8233:8080');
  });

  it('runs the mirror migrations with psql over supabase/migrations, and PostgREST as their authenticator', () => {
    const migrate = services.migrate;
    expect(migrate.image).toBe('postgres:16');
    expect(migrate.volumes).toContain('./supabase/migrations:/migrations:ro');
    expect(readFileSync(join(PROJECT_ROOT, 'docker', 'postgres', 'migrate.sh'), 'utf8')).toMatch(/psql .*--single-transaction -f "\$file"/);
    const uri = new URL(env('postgrest').PGRST_DB_URI);
    expect(uri.username).toBe('authenticator');
    expect(uri.password).toBe(env('migrate').POSTGREST_AUTHENTICATOR_PASSWORD);
    expect(uri.pathname).toBe(`/${env('migrate').PGDATABASE}`);
  });

  it('gives the worker a service-role key that PostgREST accepts (HS256 with the same secret, role service_role)', () => {
    const key = env('worker').SUPABASE_SERVICE_ROLE_KEY;
    const secret = env('postgrest').PGRST_JWT_SECRET;
    expect(secret.length).toBeGreaterThanOrEqual(32); // PostgREST's minimum
    const [header, payload, signature] = key.split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toMatchObject({ alg: 'HS256' });
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toMatchObject({ role: 'service_role' });
    expect(createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url')).toBe(signature);
  });

  it('runs two hardened worker replicas that drain within the stop grace period', () => {
    const worker = services.worker;
    expect(worker.build).toBe('.');
    expect(worker.deploy?.replicas).toBe(2);
    // deploy/worker.env is the settings' one source (the rehearsal reads it too); a local .env overrides it.
    expect(worker.env_file).toEqual([
      { path: 'deploy/worker.env', required: true },
      { path: '.env', required: false },
    ]);
    const workerEnv = env('worker');
    expect(workerEnv.TEMPORAL_ADDRESS).toBe('temporal:7233');
    // The values the worker will actually run with are valid for its env schema.
    const parsed = loadEnv(workerEnv);
    expect(worker.read_only).toBe(true);
    expect(worker.cap_drop).toEqual(['ALL']);
    expect(worker.security_opt).toContain('no-new-privileges:true');
    const tmpfsTargets = (worker.tmpfs ?? []).map((t) => t.split(':')[0]);
    expect(tmpfsTargets).toContain('/tmp');
    expect(tmpfsTargets.some((t) => parsed.SCREENSHOT_DIR === t || parsed.SCREENSHOT_DIR.startsWith(`${t}/`))).toBe(true);
    // Results are read back by clients whichever replica wrote them: one named volume for all replicas.
    expect(worker.volumes).toContain(`results:${parsed.RESULTS_DIR}`);
    expect(parsed.WORKFLOW_BUNDLE_PATH).toBe('/app/dist/workflow-bundle.js');
    expect(worker.mem_limit).toMatch(/^\d+[mg]$/);
    expect(Number(worker.cpus)).toBeGreaterThan(0);
    expect(worker.pids_limit).toBeGreaterThan(0);
    expect(worker.shm_size).toBe('1gb');
    expect(worker.stop_signal ?? 'SIGTERM').toBe('SIGTERM');
    expect(parseDurationSeconds(worker.stop_grace_period!)).toBeGreaterThanOrEqual(parsed.SHUTDOWN_GRACE_MS / 1000 + 5);
    expect(worker.healthcheck!.test!.join(' ')).toContain(`http://127.0.0.1:${workerEnv.HEALTH_PORT}/health`);
    // Above the memory watermark the worker stops taking sessions before the container limit is hit.
    const limitMb = Number(worker.mem_limit!.slice(0, -1)) * (worker.mem_limit!.endsWith('g') ? 1024 : 1);
    expect(Number(workerEnv.MEMORY_HIGH_WATERMARK_MB)).toBeLessThan(limitMb);
  });

  it('runs the Runs API from the worker image on the shared results volume, with token hashes from the environment', () => {
    const api = services.api;
    expect(api.image).toBe(services.worker.image);
    expect(api.build).toBe('.');
    // The compiled entry the image builds (tsc: src/api.ts -> dist/src/api.js), as the worker runs dist/src/worker.js.
    expect(api.command).toEqual(['node', 'dist/src/api.js']);
    expect(existsSync(join(PROJECT_ROOT, 'src', 'api.ts'))).toBe(true);
    // The worker's settings (job limits the API validates against), then the API's, then .env (as the rehearsal reads them).
    expect(api.env_file).toEqual([
      { path: 'deploy/worker.env', required: true },
      { path: 'deploy/api.env', required: true },
      { path: '.env', required: false },
    ]);
    const apiEnv = env('api');
    const parsed = loadEnv(apiEnv);
    expect(apiEnv.TEMPORAL_ADDRESS).toBe(env('worker').TEMPORAL_ADDRESS);
    expect(parsed.API_HOST).toBe('0.0.0.0');
    expect(api.ports).toContain(`127.0.0.1:${parsed.API_PORT}:${parsed.API_PORT}`);
    // Results and live event files are read where the workers write them.
    expect(parsed.RESULTS_DIR).toBe(loadEnv(env('worker')).RESULTS_DIR);
    expect(api.volumes).toContain(`results:${parsed.RESULTS_DIR}`);
    // Token hashes come from the environment, never a token in the file; an unset API_TOKENS is valid (no tokens).
    expect(String(api.environment?.API_TOKENS)).toBe('${API_TOKENS:-}');
    expect(parsed.API_TOKENS).toBeUndefined();
    expect(api.healthcheck!.test!.join(' ')).toContain(`http://127.0.0.1:${parsed.API_PORT}/health`);
    expect(api.read_only).toBe(true);
    expect(api.cap_drop).toEqual(['ALL']);
    expect(api.profiles).toBeUndefined();
  });

  it('has a demo profile running `npm run demo` on its own task queue against the stack', () => {
    const demo = services.demo;
    expect(demo.profiles).toEqual(['demo']);
    expect(demo.command).toEqual(['npm', 'run', 'demo']);
    const demoEnv = env('demo');
    expect(demoEnv.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(demoEnv.SETUP_SKIP_TEMPORAL_CLI).toBe('1'); // scripts/setup.mjs must not try to build the Temporal CLI
    const workerQueue = loadEnv(env('worker')).TEMPORAL_TASK_QUEUE;
    expect(loadEnv(demoEnv).TEMPORAL_TASK_QUEUE).not.toBe(workerQueue);
    expect(services.worker.profiles).toBeUndefined();
  });

  it('runs the Temporal server the dev server of tests and demo embeds, with admin tools (here and in k8s) of that version', () => {
    const cli = resolveToolPaths().temporal;
    expect(cli).toBeDefined();
    const embedded = /Server (\d+\.\d+\.\d+)/.exec(spawnSync(cli!, ['--version'], { encoding: 'utf8' }).stdout)?.[1];
    const images = Object.values(services).map((svc) => interpolate(svc.image ?? ''));
    const server = images.filter((i) => i.startsWith('temporalio/server:'));
    const adminTools = images.filter((i) => i.startsWith('temporalio/admin-tools:'));
    expect(server).toEqual([`temporalio/server:${embedded}`]);
    expect(adminTools.length).toBeGreaterThan(0);
    // admin-tools tags name the server, then the tctl and CLI versions it carries: 1.29.1-tctl-1.18.4-cli-1.5.0
    for (const image of adminTools) expect(image).toMatch(new RegExp(`^temporalio/admin-tools:${embedded!.replace(/\./g, '\\.')}(-|$)`));
    const k8sSetup = readFileSync(join(PROJECT_ROOT, 'deploy', 'k8s', 'temporal-setup-job.yaml'), 'utf8');
    expect(/image: (temporalio\/admin-tools:\S+)/.exec(k8sSetup)?.[1]).toBe(adminTools[0]);
  });
});
