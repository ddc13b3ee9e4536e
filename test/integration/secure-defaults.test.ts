import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Client } from '@temporalio/client';
import { chromium } from 'playwright';
import { Pool } from 'pg';
import { DEFAULT_CHROMIUM_ARGS } from '../../src/browser/launch-options';
import { ExecutionClient } from '../../src/client/execution-client';
import { loadEnv, type Env } from '../../src/config/env';
import { createLogger } from '../../src/logging/logger';
import { applyMigrations } from '../../src/mirror/db/apply-migrations';
import { startStaticServer, type StaticServer } from '../../src/support/static-server';
import { PROJECT_ROOT } from '../../src/support/tools';
import type { Step } from '../../src/recording/types';
import { startEmbeddedTemporal } from '../../src/temporal/embedded-temporal';
import { startRunnerWorker } from '../../src/worker/runner-worker';
import { executionWorkflowId, mirrorWorkflowId, rowWorkflowId } from '../../src/workflows/definitions';
import { FIXTURE_PAGES, newJobId, startHarness, testState } from '../support/harness';
import { maskedShare, type Box } from '../support/png-pixels';
import { freePort } from '../support/processes';
import { startPostgrestGateway } from '../support/postgrest-gateway';
import { createTestDatabase } from '../support/test-database';

/**
 * Secure by default, through the public API only (ExecutionClient, startRunnerWorker, the embedded server
 * `npm start` uses): what a job leaves behind is searched for a password it typed.
 */

const PASSWORD = 'Tr0ub4dor&3-Very-Secret';
const EMAIL = 'ada.lovelace@example.com';
const csv = `email,password\n${EMAIL},${PASSWORD}\n`;
/** Opens test/fixtures/pages/secret-field.html and types the password into a field that shows it. */
const TYPE_PASSWORD: Step[] = [
  { type: 'navigate', url: '{{baseUrl}}/secret-field.html' },
  { type: 'change', selectors: [['#visible']], value: '{{password}}' },
];

/** Every byte string in a history (payload data and metadata), as text: where a plaintext value would show. */
function bytesOf(node: unknown, out: string[] = []): string[] {
  if (node instanceof Uint8Array) out.push(Buffer.from(node).toString('latin1'));
  else if (Array.isArray(node)) node.forEach((n) => bytesOf(n, out));
  else if (node && typeof node === 'object') Object.values(node).forEach((n) => bytesOf(n, out));
  return out;
}

/** Every file under `dir`, read whole (latin1: bytes as they are). */
function filesUnder(dir: string): Array<{ path: string; bytes: string }> {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
    .map((path) => ({ path, bytes: readFileSync(path).toString('latin1') }));
}

interface Run {
  env: Env;
  dir: string;
  jobId: string;
}

/** `npm start` with no configuration but its ports and data directory: embedded server, worker, client, one job. */
async function runEmbedded(site: StaticServer, extra: Record<string, string> = {}): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'embedded-'));
  const env = loadEnv({
    TEMPORAL_DEV_DB: join(dir, 'dev.db'),
    TEMPORAL_DEV_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    TEMPORAL_TASK_QUEUE: `embedded-${newJobId('q')}`,
    RESULTS_DIR: join(dir, 'results'),
    SCREENSHOT_DIR: join(dir, 'screenshots'),
    LOG_LEVEL: 'warn',
    ...extra,
  });
  const embedded = await startEmbeddedTemporal(env);
  const jobId = newJobId('embedded');
  try {
    const worker = await startRunnerWorker({
      env,
      address: embedded.address,
      logger: createLogger({ level: 'warn', pretty: false }),
      workflowBundle: { codePath: testState().bundlePath },
    });
    const client = await ExecutionClient.connect(env);
    try {
      await client.startExecution({
        jobId,
        recording: { title: 'types a password', steps: TYPE_PASSWORD },
        csv,
        config: { timingMode: 'instant', defaults: { baseUrl: site.url } },
      });
      await expect(client.getResult(jobId)).resolves.toMatchObject({ status: 'passed' });
      if (embedded.uiUrl && embedded.codecUrl) {
        // The Web UI was started pointing at the codec endpoint (what it tells the browser to call).
        const settings = (await (await fetch(`${embedded.uiUrl}/api/v1/settings`)).json()) as { Codec?: { Endpoint?: string } };
        expect(settings.Codec?.Endpoint).toBe(embedded.codecUrl);
      }
    } finally {
      await client.close();
      await worker.shutdown();
    }
  } finally {
    await embedded.stop(); // the database file is complete once the server has stopped
  }
  return { env, dir, jobId };
}

describe('secure by default', () => {
  let site: StaticServer;
  beforeAll(async () => {
    site = await startStaticServer(FIXTURE_PAGES);
  });
  afterAll(() => site.close());

  it("with no configuration, the dev server's database file holds no plaintext password (control: it does with encryption off)", async () => {
    const secure = await runEmbedded(site);
    const files = filesUnder(secure.dir).filter((f) => /dev\.db/.test(f.path));
    expect(files.map((f) => f.path)).toContain(join(secure.dir, 'dev.db'));
    expect(files.some((f) => f.bytes.includes(secure.jobId))).toBe(true); // the job is in there...
    for (const f of files) {
      expect({ file: f.path, password: f.bytes.includes(PASSWORD) }).toEqual({ file: f.path, password: false }); // ...its values are not
      expect({ file: f.path, email: f.bytes.includes(EMAIL) }).toEqual({ file: f.path, email: false });
    }
    // The key was made beside the database, for the owner only, and git never sees it.
    const keyFile = join(secure.dir, 'payload.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(
      execFileSync('git', ['check-ignore', '--no-index', '.temporal/payload.key'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim(),
    ).toBe('.temporal/payload.key');

    const plain = await runEmbedded(site, { TEMPORAL_PAYLOAD_ENCRYPTION: 'off' });
    const plainBytes = filesUnder(plain.dir)
      .filter((f) => /dev\.db/.test(f.path))
      .map((f) => f.bytes)
      .join('');
    expect(plainBytes).toContain(PASSWORD);
  });

  it('a CSV value that templates a file: URL runs, and its step fails as NavigationBlocked, once, naming no path', async () => {
    const h = await startHarness();
    try {
      await h.startWorker();
      const jobId = newJobId('blocked');
      await h.client.startExecution({
        jobId,
        recording: {
          title: 'opens what the CSV says',
          steps: [
            { type: 'navigate', url: '{{target}}' },
            { type: 'waitForElement', selectors: ['body'] },
          ],
        },
        csv: `target\nfile:///etc/passwd\n${site.url}/secret-field.html\n`,
        config: { timingMode: 'instant', screenshots: 'off' },
      });
      const summary = await h.client.getResult(jobId);
      expect(summary).toMatchObject({ status: 'failed', rows: { total: 2, passed: 1, failed: 1 } });
      const [blocked] = summary.results.filter((r) => r.status === 'failed');
      expect(blocked.error).toEqual({
        stepIndex: 0,
        type: 'NavigationBlocked',
        message: 'navigate to a file: URL blocked: file: URLs are not allowed (only http:, https: and about:blank)',
      });
      expect(blocked.steps[0]).toMatchObject({ status: 'failed', attempts: 1 });
    } finally {
      await h.close();
    }
  });

  it('a password typed into a visible text field is in no artifact, log line, mirrored row or stored history', async () => {
    const db = await createTestDatabase('secrets');
    await applyMigrations(db.url);
    const gateway = await startPostgrestGateway({ databaseUrl: db.url });
    const dir = mkdtempSync(join(tmpdir(), 'secrets-'));
    const lines: string[] = [];
    const logs = new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const { address, bundlePath } = testState();
    const env = loadEnv({
      TEMPORAL_ADDRESS: address,
      TEMPORAL_PAYLOAD_KEY: randomBytes(32).toString('base64'),
      TEMPORAL_TASK_QUEUE: `secrets-${newJobId('q')}`,
      RESULTS_DIR: join(dir, 'results'),
      SCREENSHOT_DIR: join(dir, 'screenshots'),
      SUPABASE_URL: gateway.url,
      SUPABASE_SERVICE_ROLE_KEY: 'test-service-role-key',
      LOG_LEVEL: 'debug',
    });
    const worker = await startRunnerWorker({
      env,
      address,
      logger: createLogger({ level: 'debug', destination: logs }),
      workflowBundle: { codePath: bundlePath },
    });
    const client = await ExecutionClient.connect(env);
    const pg = new Pool({ connectionString: db.url });
    const jobId = newJobId('secret');
    try {
      await client.startExecution({
        jobId,
        recording: {
          title: 'types a password where it shows',
          steps: [
            ...TYPE_PASSWORD,
            { type: 'change', selectors: [['#note']], value: '{{email}}' },
            // Fails, and its message quotes the expected value: the password.
            { type: 'waitForElement', selectors: [['#visible']], attributes: { 'data-typed': '{{password}}' }, timeout: 800 },
          ],
        },
        csv,
        config: { timingMode: 'instant', screenshots: 'every-step', defaults: { baseUrl: site.url } },
      });
      const summary = await client.getResult(jobId);
      await client.client.workflow.getHandle(mirrorWorkflowId(jobId)).result();
      await new Promise((ok) => setTimeout(ok, 1500)); // the worker's own mirror writes (500 ms batches)

      // The run did what it was meant to: typed the password, failed on the assertion, took screenshots.
      expect(summary).toMatchObject({ status: 'failed', results: [{ error: { stepIndex: 3, type: 'AssertionFailed' } }] });
      expect(summary.results[0].error!.message).toContain('{{password}}');
      const screenshots = summary.results[0].steps
        .flatMap((s) => (s.screenshot ? [s.screenshot] : []))
        .concat(summary.results[0].screenshot ?? []);
      expect(screenshots.length).toBeGreaterThanOrEqual(3);

      // The database is this test's own: every row in it is this job's.
      const mirrored = JSON.stringify(
        await Promise.all(
          ['execution_jobs', 'execution_rows', 'execution_logs', 'execution_screenshots'].map(
            async (table) => (await pg.query(`select * from ${table}`)).rows,
          ),
        ),
      );
      expect(mirrored).toContain('{{password}}'); // the failure message, redacted
      const raw = new Client({ connection: client.client.connection, namespace: env.TEMPORAL_NAMESPACE });
      const histories = await Promise.all(
        [executionWorkflowId(jobId), rowWorkflowId(jobId, 1), mirrorWorkflowId(jobId)].map(async (id) =>
          bytesOf(await raw.workflow.getHandle(id).fetchHistory()).join('\n'),
        ),
      );
      expect(histories.join('').length).toBeGreaterThan(1000);

      const everything: Array<[string, string]> = [
        ['summary', JSON.stringify(summary)],
        ['log lines', lines.join('')],
        ['mirrored rows', mirrored],
        ['stored histories', histories.join('\n')],
        ...filesUnder(dir).map((f): [string, string] => [f.path, f.bytes]),
        ...filesUnder(gateway.storageDir).map((f): [string, string] => [`storage ${f.path}`, f.bytes]),
      ];
      expect(lines.length).toBeGreaterThan(5);
      for (const [where, text] of everything) expect({ where, found: text.includes(PASSWORD) }).toEqual({ where, found: false });
      expect(everything.map(([where]) => where)).toEqual(expect.arrayContaining(screenshots)); // they were searched too

      // Screenshots are pixels: the field holding the password and the text echoing it are painted over.
      const browser = await chromium.launch({ executablePath: env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: DEFAULT_CHROMIUM_ARGS });
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
        await page.goto(`${site.url}/secret-field.html`);
        await page.fill('#visible', PASSWORD);
        const box = async (selector: string) => (await page.locator(selector).boundingBox()) as Box;
        const [visible, echo, note] = [await box('#visible'), await box('#echo'), await box('#note')];
        for (const shot of screenshots.slice(1)) {
          const [field, text, other] = await maskedShare(browser, readFileSync(shot), [visible, echo, note]);
          expect({ shot, field: field > 0.95, text: text > 0.95, other }).toEqual({ shot, field: true, text: true, other: 0 });
        }
      } finally {
        await browser.close();
      }
    } finally {
      await client.close();
      await worker.shutdown();
      await pg.end();
      await gateway.close();
      await db.drop();
    }
  });
});
