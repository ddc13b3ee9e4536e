import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { InputError } from '../../src/recording/input-error';
import { PROJECT_ROOT } from '../../src/support/tools';
import type { ExecutionInput } from '../../src/workflows/types';
import { runCliCapturing } from '../support/cli-run';
import { startHarness, Harness, newJobId } from '../support/harness';

/**
 * Bad or hostile input, as a new user or a portal would send it: every case is refused with exit 2 from the CLI
 * (or InputError from ExecutionClient.startExecution), a message that names the problem, no stack trace, and no
 * workflow started, checked through Temporal's API (describe per job, then a count of the suite's task queue).
 */

const SIGNUP = join(PROJECT_ROOT, 'examples', 'recordings', 'signup.json');
const signupCsv = readFileSync(join(PROJECT_ROOT, 'examples', 'data', 'signup.csv'), 'utf8');
const STACK_LINE = /^\s+at .+[:(]\d+/m;

/** Limits lowered for this suite where the defaults would need very large files. */
const LIMITS = { MAX_ROWS_PER_JOB: '5', MAX_RECORDING_STEPS: '50', MAX_CSV_COLUMNS: '20', MAX_CSV_CELL_LENGTH: '100' };

const recording = (...steps: unknown[]) => JSON.stringify({ title: 't', steps });
const navigate = (url: string) => recording({ type: 'navigate', url });
const click = (extra: Record<string, unknown> = {}) => ({ type: 'click', selectors: [['#a']], offsetX: 1, offsetY: 1, ...extra });

describe('bad inputs: refused before anything starts', () => {
  let h: Harness;
  let dir: string;
  const saved = { ...process.env };
  const jobIds: string[] = [];

  beforeAll(async () => {
    h = await startHarness(); // no worker: a workflow that started anyway would wait on the suite's queue
    Object.assign(process.env, {
      TEMPORAL_ADDRESS: h.env.TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: h.env.TEMPORAL_TASK_QUEUE,
      TEMPORAL_PAYLOAD_KEY: h.env.TEMPORAL_PAYLOAD_KEY,
      ...LIMITS,
    });
    dir = mkdtempSync(join(tmpdir(), 'bad-inputs-'));
  });
  afterAll(async () => {
    process.env = saved;
    // Nothing at all reached the suite's task queue (visibility lags a little behind a start: give it time).
    await new Promise((ok) => setTimeout(ok, 1500));
    const count = await h.client.client.workflow.count(`TaskQueue = '${h.env.TEMPORAL_TASK_QUEUE}'`);
    await h.close();
    expect(count.count).toBe(0);
  });

  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  /** The CLI with `env` set over the process environment for this one call (undefined: unset). */
  async function cli(args: string[], env: Record<string, string | undefined> = {}) {
    const before = { ...process.env };
    for (const [k, v] of Object.entries(env)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    try {
      return await runCliCapturing(args);
    } finally {
      process.env = before;
    }
  }

  async function expectNotStarted(jobId: string) {
    await expect(h.client.client.workflow.getHandle(`execution-${jobId}`).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  }

  const csvFor = (csv: string) => ['--csv', file(`c${Math.random().toString(36).slice(2)}.csv`, csv)];
  const rec = (json: string) => file(`r${Math.random().toString(36).slice(2)}.json`, json);
  const signupArgs = (...extra: string[]) => [
    SIGNUP,
    ...csvFor(signupCsv.split('\n').slice(0, 3).join('\n')),
    '--default',
    'baseUrl=http://127.0.0.1:1',
    ...extra,
  ];

  type CliCase = [name: string, args: () => string[], message: RegExp, env?: Record<string, string | undefined>];
  const cliCases: CliCase[] = [
    // Recording
    ['a recording that is not JSON', () => [rec('{ "title": ')], /recording is not valid JSON/],
    ['a recording that is a JSON array', () => [rec('[]')], /\(recording\): Expected object, received array/],
    ['a recording with no title', () => [rec(JSON.stringify({ steps: [click()] }))], /title: Required/],
    ['a recording with no steps', () => [rec(recording())], /steps: a recording needs at least one step/],
    ['an unknown step type', () => [rec(recording({ type: 'teleport' }))], /steps\[0\]\.type: unknown step type "teleport"/],
    ['a click with no selectors', () => [rec(recording({ type: 'click', offsetX: 1, offsetY: 1 }))], /steps\[0\]\.selectors: Required/],
    ['a click whose offset is text', () => [rec(recording(click({ offsetX: 'left' })))], /steps\[0\]\.offsetX: Expected number/],
    [
      'a step timeout over the maximum',
      () => [rec(recording(click({ timeout: 600000 })))],
      /steps\[0\]\.timeout: must be at most 30000 ms/,
    ],
    [
      'a negative think time',
      () => [rec(recording(click({ delayMs: -5 })))],
      /steps\[0\]\.delayMs: Number must be greater than or equal to 0/,
    ],
    ['an empty selector', () => [rec(recording(click({ selectors: [''] })))], /steps\[0\]\.selectors\[0\]: must not be empty/],
    [
      'a bad waitForElement operator',
      () => [rec(recording({ type: 'waitForElement', selectors: ['#a'], operator: '=>' }))],
      /steps\[0\]\.operator: Invalid enum value/,
    ],
    ['a setViewport with missing fields', () => [rec(recording({ type: 'setViewport', width: 800 }))], /steps\[0\]\.height: Required/],
    [
      'a negative frame index',
      () => [rec(recording(click({ frame: [-1] })))],
      /steps\[0\]\.frame\[0\]: Number must be greater than or equal to 0/,
    ],
    ['an empty navigate URL', () => [rec(navigate(''))], /steps\[0\]\.url: must not be empty/],
    [
      'navigate to file:///etc/passwd',
      () => [rec(navigate('file:///etc/passwd'))],
      /steps\[0\] \(navigate\)\.url: file: URLs are not allowed \(only http:, https: and about:blank\)/,
    ],
    [
      'navigate to javascript:',
      () => [rec(navigate('javascript:alert(document.cookie)'))],
      /steps\[0\] \(navigate\)\.url: javascript: URLs are not allowed/,
    ],
    ['navigate to a top-level data: URL', () => [rec(navigate('data:text/html,<script>alert(1)</script>'))], /data: URLs are not allowed/],
    ['navigate to chrome://', () => [rec(navigate('chrome://settings'))], /chrome: URLs are not allowed/],
    ['navigate to view-source:', () => [rec(navigate('view-source:http://127.0.0.1/'))], /view-source: URLs are not allowed/],
    [
      'navigate to the cloud metadata address',
      () => [rec(navigate('http://169.254.169.254/latest/meta-data/'))],
      /host 169\.254\.169\.254 is in BLOCKED_HOSTS \(169\.254\.0\.0\/16\)/,
    ],
    [
      'navigate to the metadata address spelled as a number',
      () => [rec(navigate('http://2852039166/'))],
      /host 169\.254\.169\.254 is in BLOCKED_HOSTS/,
    ],
    [
      'a file: scheme before a placeholder',
      () => [rec(navigate('file:///{{path}}')), ...csvFor('path\netc/passwd\n')],
      /steps\[0\] \(navigate\)\.url: file: URLs are not allowed/,
    ],
    ['a URL that is not absolute', () => [rec(navigate('example.com/login'))], /steps\[0\] \(navigate\)\.url: not an absolute URL/],
    [
      'an unclosed placeholder',
      () => [rec(navigate('http://127.0.0.1/{{path')), ...csvFor('path\nx\n')],
      /steps\[0\] \(navigate\)\.url: unclosed placeholder "\{\{path" \(no closing "\}\}"\)/,
    ],
    [
      'an empty placeholder',
      () => [rec(recording(click(), { type: 'change', selectors: ['#a'], value: 'x{{}}' }))],
      /steps\[1\] \(change\)\.value: malformed placeholder "\{\{\}\}"/,
    ],
    [
      'a placeholder with a brace inside',
      () => [rec(recording(click({ selectors: ['#{{a{b}}'] })))],
      /steps\[0\] \(click\)\.selectors\[0\]: malformed placeholder "\{\{a\{b\}\}"/,
    ],
    [
      'a 12 MB recording',
      () => [rec(JSON.stringify({ title: 'x'.repeat(12 * 1024 * 1024), steps: [click()] }))],
      /Recording is 12582\d{3} bytes, more than the limit of 524288 \(MAX_RECORDING_BYTES\)/,
    ],
    [
      'more steps than MAX_RECORDING_STEPS',
      () => [rec(recording(...Array.from({ length: 51 }, () => click())))],
      /Recording has 51 steps, more than the limit of 50 \(MAX_RECORDING_STEPS\)/,
    ],
    ['a missing recording file', () => [join(dir, 'nope.json')], /Cannot read recording file .*nope\.json: ENOENT/],
    // CSV
    ['an empty CSV', () => [SIGNUP, ...csvFor('')], /CSV file is empty/],
    ['a header-only CSV', () => [SIGNUP, ...csvFor('first_name,email,password,country\n')], /has a header row .* but no data rows/],
    [
      'a ragged CSV row',
      () => [SIGNUP, ...csvFor('first_name,email,password,country\nA,b,c\n')],
      /line 2 \(data row 1\): expected 4 columns, found 3/,
    ],
    ['duplicate CSV headers', () => [SIGNUP, ...csvFor('email,email\n1,2\n')], /duplicate header name "email" \(columns 1, 2\)/],
    ['a blank CSV header', () => [SIGNUP, ...csvFor('email,,password\n1,2,3\n')], /header of column 2 is blank/],
    ['an unclosed quote in the CSV', () => [SIGNUP, ...csvFor('a,b\n"x,1\n')], /Invalid CSV: Quote Not Closed/],
    [
      'more rows than MAX_ROWS_PER_JOB',
      () => [SIGNUP, ...csvFor('first_name,email,password,country\n' + 'a,b,c,d\n'.repeat(6))],
      /6 data rows, more than the limit of 5 per job \(MAX_ROWS_PER_JOB\)/,
    ],
    [
      'a CSV over MAX_CSV_BYTES',
      () => [SIGNUP, ...csvFor('a\n' + 'x\n'.repeat(600_000))],
      /CSV file is 1200002 bytes, more than the limit of 1048576 \(MAX_CSV_BYTES\)/,
    ],
    [
      'more columns than MAX_CSV_COLUMNS',
      () => [SIGNUP, ...csvFor(Array.from({ length: 21 }, (_, i) => `c${i}`).join(',') + '\n' + '1,'.repeat(20) + '1\n')],
      /21 columns, more than the limit of 20 \(MAX_CSV_COLUMNS\)/,
    ],
    [
      'a CSV cell over MAX_CSV_CELL_LENGTH',
      () => [SIGNUP, ...csvFor(`first_name,email,password,country\nA,a@b.c,${'P'.repeat(150)},FR\n`)],
      /line 2 \(data row 1\), column "password": 150 characters/,
    ],
    [
      'a placeholder no CSV column provides',
      () => [SIGNUP, ...csvFor('first_name,email\nA,a@b.c\n'), '--default', 'baseUrl=http://x'],
      /placeholder\(s\) with no CSV column or default: .*password/,
    ],
    ['a missing CSV file', () => [SIGNUP, '--csv', join(dir, 'nope.csv')], /Cannot read CSV file .*nope\.csv: ENOENT/],
    // Options
    ['--concurrency 0', () => signupArgs('--concurrency', '0'), /config\.maxConcurrentRows: Number must be greater than or equal to 1/],
    ['--concurrency that is not a number', () => signupArgs('--concurrency', 'lots'), /--concurrency must be a number, got "lots"/],
    ['an unknown timing mode', () => signupArgs('--timing', 'warp'), /config\.timingMode: Invalid enum value.*'warp'/],
    ['an unknown browser', () => signupArgs('--browser', 'opera'), /config\.browser: Invalid enum value.*'opera'/],
    ['an unknown screenshots mode', () => signupArgs('--screenshots', 'sometimes'), /config\.screenshots: Invalid enum value/],
    ['--speed 0', () => signupArgs('--speed', '0'), /config\.speedMultiplier: Number must be greater than 0/],
    ['--default without a value', () => signupArgs('--default', 'novalue'), /--default must be name=value, got "novalue"/],
    ['an unknown option', () => signupArgs('--frobnicate'), /Unknown option '--frobnicate'/],
    // Configuration
    [
      'a malformed BLOCKED_HOSTS',
      () => signupArgs(),
      /BLOCKED_HOSTS: "10\.0\.0\.0\/99" has an invalid prefix length/,
      { BLOCKED_HOSTS: '10.0.0.0/99' },
    ],
    [
      'ALLOWED_HOSTS overlapping BLOCKED_HOSTS',
      () => signupArgs(),
      /ALLOWED_HOSTS: 169\.254\.169\.254 overlaps BLOCKED_HOSTS 169\.254\.0\.0\/16/,
      { ALLOWED_HOSTS: '169.254.169.254' },
    ],
    ['a malformed limit', () => signupArgs(), /MAX_CSV_BYTES: Expected number, received nan/, { MAX_CSV_BYTES: 'a lot' }],
    [
      'a server and no payload key',
      () => signupArgs(),
      /TEMPORAL_ADDRESS is set but TEMPORAL_PAYLOAD_KEY is not: make one with `openssl rand -base64 32`/,
      { TEMPORAL_PAYLOAD_KEY: undefined },
    ],
  ];

  // A rest parameter: jest takes a callback with more parameters than a row has values for its `done`.
  it.each(cliCases)('CLI: %s → exit 2, named, no stack trace, nothing started', async (...[, args, message, env]: CliCase) => {
    const jobId = newJobId('bad');
    jobIds.push(jobId);
    const r = await cli(['run', ...args(), '--job-id', jobId], env);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 2, stderr: expect.stringMatching(message) });
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stdout).toBe('');
    await expectNotStarted(jobId);
  });

  it('CLI: a job id that is not one, an unknown command, no command → exit 2', async () => {
    const badId = await cli(['run', ...signupArgs(), '--job-id', '../../etc/passwd']);
    expect(badId).toMatchObject({ code: 2, stderr: expect.stringMatching(/Invalid jobId/) });
    const unknown = await cli(['launch', SIGNUP]);
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringMatching(/Unknown command "launch"/) });
    expect(await cli([])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^Usage:/) });
    for (const r of [badId, unknown]) expect(r.stderr).not.toMatch(STACK_LINE);
  });

  const ok = {
    recording: readFileSync(SIGNUP, 'utf8'),
    csv: signupCsv.split('\n').slice(0, 3).join('\n'),
    config: { defaults: { baseUrl: 'http://127.0.0.1:1' } },
  };
  type LibraryCase = [name: string, input: (jobId: string) => unknown, message: RegExp];
  const libraryCases: LibraryCase[] = [
    ['no input at all', () => null, /startExecution needs an object/],
    ['a recording that is a number', (jobId) => ({ ...ok, jobId, recording: 42 }), /\(recording\): Expected object, received number/],
    ['a CSV that is not text', (jobId) => ({ ...ok, jobId, csv: { rows: [] } }), /CSV must be text, got object/],
    [
      'a config with an unknown key',
      (jobId) => ({ ...ok, jobId, config: { ...ok.config, turbo: true } }),
      /config: Unrecognized key\(s\) in object: 'turbo'/,
    ],
    ['a config that is not an object', (jobId) => ({ ...ok, jobId, config: 'fast' }), /config must be an object/],
    ['a jobId missing', () => ({ ...ok }), /Invalid jobId/],
    ['a jobId too long', () => ({ ...ok, jobId: 'j'.repeat(201) }), /Invalid jobId/],
    ['a portal job with a bad jobId', () => ({ jobId: '../jobs' }), /Invalid jobId/],
    [
      'maxConcurrentRows over 500',
      (jobId) => ({ ...ok, jobId, config: { ...ok.config, maxConcurrentRows: 1000 } }),
      /config\.maxConcurrentRows: Number must be less than or equal to 500/,
    ],
    [
      'a default that is not text',
      (jobId) => ({ ...ok, jobId, config: { defaults: { baseUrl: 8080 } } }),
      /config\.defaults\.baseUrl: Expected string, received number/,
    ],
    [
      'steps that are not a list',
      (jobId) => ({ ...ok, jobId, recording: { title: 't', steps: { 0: click() } } }),
      /steps: Expected array, received object/,
    ],
    [
      'a recording object that cannot be JSON',
      (jobId) => {
        const circular: Record<string, unknown> = { title: 't', steps: [] };
        circular.self = circular;
        return { ...ok, jobId, recording: circular };
      },
      /recording cannot be written as JSON/,
    ],
  ];

  it.each(libraryCases)('library: %s → InputError, named, nothing started', async (_name, input, message) => {
    const jobId = newJobId('lib');
    const err = await h.client.startExecution(input(jobId) as ExecutionInput).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(message);
    expect((err as InputError).message).not.toMatch(STACK_LINE);
    await expectNotStarted(jobId);
  });

  it('a cell over the limit is named by where it is, never by what it holds', async () => {
    const secret = 'S3cret-'.repeat(20);
    const r = await cli([
      'run',
      SIGNUP,
      ...csvFor(`first_name,email,password,country\nA,a@b.c,${secret},FR\n`),
      '--default',
      'baseUrl=http://x',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('S3cret');
  });
});
