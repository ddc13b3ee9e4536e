import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright';
import { PROJECT_ROOT, resolveToolPaths } from '../../src/support/tools';
import { runCliCapturing } from '../support/cli-run';
import { startHarness, Harness, newJobId, useHarnessEnvForCli } from '../support/harness';

const EXAMPLES = join(PROJECT_ROOT, 'examples');
const SIGNUP = join(EXAMPLES, 'recordings', 'signup.json');
const SIGNUP_CSV = join(EXAMPLES, 'data', 'signup.csv');
const JUNIT_XSD = join(PROJECT_ROOT, 'test', 'fixtures', 'schemas', 'junit.xsd');
const PASSWORDS = ['Vx7#qLm2!pRt9w', 'Qe3!vB7nKs0pLd'];

const cli = (...args: string[]) => runCliCapturing(args);

describe('reports: run --wait --report, report <jobId> (real Temporal, real Chromium, xmllint)', () => {
  let h: Harness;
  let browser: Browser;
  let outDir: string;
  let jobId: string;
  let run: { code: number; stdout: string; stderr: string };
  let restoreEnv: () => void;

  beforeAll(async () => {
    h = await startHarness({ siteRoot: join(EXAMPLES, 'site') });
    await h.startWorker();
    restoreEnv = useHarnessEnvForCli(h);
    outDir = mkdtempSync(join(tmpdir(), 'reports-'));
    jobId = newJobId('report');
    run = await cli(
      ...['run', SIGNUP, '--csv', SIGNUP_CSV, '--timing', 'instant', '--default', `baseUrl=${h.site.url}`, '--job-id', jobId],
      ...['--wait', '--report', 'html,junit,json', '--out', outDir],
    );
    browser = await chromium.launch({ executablePath: resolveToolPaths().chromium });
  });
  afterAll(async () => {
    restoreEnv?.();
    await browser?.close();
    await h.close();
  });

  it('run --wait --report writes the three reports and exits as the job did', () => {
    expect(run.code).toBe(1);
    for (const name of ['report.html', 'junit.xml', 'results.json']) {
      expect(run.stderr).toContain(`Report: ${join(outDir, name)}`);
      expect(existsSync(join(outDir, name))).toBe(true);
    }
  });

  it('the JUnit file validates against the JUnit schema: one suite, a testcase per row, the failure with its step', () => {
    const xml = join(outDir, 'junit.xml');
    // Throws (non-zero exit) when the file does not validate.
    execFileSync(resolveToolPaths().xmllint ?? 'xmllint', ['--noout', '--schema', JUNIT_XSD, xml], { stdio: 'pipe' });
    const text = readFileSync(xml, 'utf8');
    expect(text.match(/<testsuite /g)).toHaveLength(1);
    expect(text.match(/<testcase /g)).toHaveLength(7);
    expect(text).toMatch(/<testsuite name="job [^"]+" tests="7" failures="1" errors="0" skipped="0" time="\d+\.\d{3}"/);
    expect(text).toContain('<testcase name="row 1 (email=anne-marie.dupont@example.fr)"');
    expect(text).toMatch(
      /<testcase name="row 4 \(email=not-an-email\)"[^>]*time="\d+\.\d{3}">\s*<failure message="step 12 \(waitForElement\): [^"]+" type="\w+">/,
    );
    for (const p of PASSWORDS) expect(text).not.toContain(p);
  });

  it('a broken JUnit file does not validate (the schema check can fail)', () => {
    const broken = join(outDir, 'broken.xml');
    writeFileSync(broken, readFileSync(join(outDir, 'junit.xml'), 'utf8').replace(/tests="7"/g, 'tests="seven"'));
    expect(() =>
      execFileSync(resolveToolPaths().xmllint ?? 'xmllint', ['--noout', '--schema', JUNIT_XSD, broken], { stdio: 'pipe' }),
    ).toThrow();
  });

  it('the JSON report holds every row in one document', () => {
    const doc = JSON.parse(readFileSync(join(outDir, 'results.json'), 'utf8'));
    expect(doc).toMatchObject({ jobId, status: 'failed', rows: expect.any(Array) });
    expect(doc.rows.map((r: { row: number }) => r.row)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(doc.rows[3]).toMatchObject({ status: 'failed', error: { stepIndex: 12 }, key: 'email=not-an-email' });
  });

  it('the HTML report, opened offline in Chromium, shows counters, filters to failures, and details the failed row', async () => {
    const context = await browser.newContext({ offline: true });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(join(outDir, 'report.html')).href);
    await expect(page.locator('#job-status').textContent()).resolves.toBe('failed');
    await expect(page.locator('[data-count="total"]').textContent()).resolves.toBe('7');
    await expect(page.locator('[data-count="failed"]').textContent()).resolves.toBe('1');
    expect(await page.locator('tr.row:visible').count()).toBe(7);
    await page.getByLabel('Failures only').check();
    const visible = page.locator('tr.row:visible');
    expect(await visible.count()).toBe(1);
    await expect(visible.first().textContent()).resolves.toContain('row 4 (email=not-an-email)');

    const failure = page.locator('section.failure#row-4');
    await expect(failure.locator('.failing-step').textContent()).resolves.toMatch(/Step 12 · waitForElement · \w+/);
    await expect(failure.locator('pre.message').textContent()).resolves.toContain('#welcome');
    await expect(failure.locator('ul.selectors').textContent()).resolves.toContain('#welcome');
    // The screenshot is inline and decodes.
    const width = await failure.locator('img.screenshot').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth);
    expect(width).toBeGreaterThan(100);
    // The trace link (retain-on-failure by default) leads to the kept trace.
    const href = await failure.locator('a.artifact.trace').getAttribute('href');
    expect(existsSync(resolve(outDir, href!))).toBe(true);
    expect(requests.every((u) => u.startsWith('file:') || u.startsWith('data:'))).toBe(true);
    const html = await page.content();
    for (const p of PASSWORDS) expect(html).not.toContain(p);
    await context.close();
  });

  it('report <jobId> --format junit --out FILE writes the same report; a bad format is an input error', async () => {
    const file = join(outDir, 'again', 'junit.xml');
    const again = await cli('report', jobId, '--format', 'junit', '--out', file, '--csv', SIGNUP_CSV);
    expect(again.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(join(outDir, 'junit.xml'), 'utf8'));
    const json = await cli('report', jobId, '--format', 'json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).rows).toHaveLength(7);
    const bad = await cli('report', jobId, '--format', 'xml');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--format must be one or more of html, junit, json');
  });

  it('a row that passed only thanks to a healed selector is flaky: in the result, the counters and the reports', async () => {
    const flakyJob = newJobId('flaky');
    const recording = {
      title: 'healed',
      steps: [
        { type: 'navigate', url: '{{baseUrl}}/index.html' },
        { type: 'waitForElement', selectors: [['#no-such-element'], ['#get-started']] },
      ],
    };
    const recordingFile = join(outDir, 'healed.json');
    writeFileSync(recordingFile, JSON.stringify(recording));
    const flakyRun = await cli(
      ...['run', recordingFile, '--timing', 'instant', '--default', `baseUrl=${h.site.url}`, '--job-id', flakyJob],
      ...['--wait', '--json', '--report', 'html,junit', '--out', join(outDir, 'flaky')],
    );
    expect(flakyRun.code).toBe(0);
    const summary = JSON.parse(flakyRun.stdout);
    expect(summary.rows).toEqual({ total: 1, passed: 1, failed: 0, cancelled: 0, flaky: 1 });
    expect(summary.results[0]).toMatchObject({
      status: 'passed',
      flaky: true,
      steps: [{}, { healed: true, selectorUsed: '#get-started' }],
    });
    expect(readFileSync(join(outDir, 'flaky', 'junit.xml'), 'utf8')).toContain('flaky: passed only after');
    const page = await browser.newPage();
    await page.goto(pathToFileURL(join(outDir, 'flaky', 'report.html')).href);
    await expect(page.locator('[data-count="flaky"]').textContent()).resolves.toBe('1');
    await expect(page.locator('tr.row .badge.flaky').count()).resolves.toBe(1);
    await expect(page.locator('tr.row .badge.healed').textContent()).resolves.toBe('1 healed');
    await page.close();
  });

  it('rerun <jobId> --failed runs only the failed rows with their values, linked both ways', async () => {
    const noFlag = await cli('rerun', jobId);
    expect(noFlag.code).toBe(2);
    expect(noFlag.stderr).toContain('rerun needs --failed');

    const rerunId = newJobId('rerun');
    const rerun = await cli('rerun', jobId, '--failed', '--job-id', rerunId, '--wait', '--json');
    expect(rerun.code).toBe(1);
    const summary = JSON.parse(rerun.stdout);
    expect(summary).toMatchObject({ jobId: rerunId, rerunOf: { jobId, rows: [4] } });
    expect(summary.rows).toEqual({ total: 1, passed: 0, failed: 1, cancelled: 0, flaky: 0 });
    // Row 4's own values again (not-an-email): the same step fails the same way.
    expect(summary.results[0].error).toMatchObject({ stepIndex: 12 });
    expect((await h.client.getResult(jobId)).reruns).toEqual([{ jobId: rerunId, rows: [4] }]);
    const text = await cli('result', jobId);
    expect(text.stdout).toContain(`rerun as job ${rerunId}: row(s) 4`);
  });
});
