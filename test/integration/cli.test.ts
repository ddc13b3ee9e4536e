import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { PROJECT_ROOT } from '../../src/support/tools';
import { runCliCapturing, useCliHarness, type CliRun } from '../support/cli-run';
import { newJobId, type Harness } from '../support/harness';

const EXAMPLES = join(PROJECT_ROOT, 'examples');
const SIGNUP = join(EXAMPLES, 'recordings', 'signup.json');
const signupCsv = readFileSync(join(EXAMPLES, 'data', 'signup.csv'), 'utf8');

describe('CLI (npm run client)', () => {
  const suite = useCliHarness({ siteRoot: join(EXAMPLES, 'site'), scratchPrefix: 'cli-test', env: { MAX_ROWS_PER_JOB: '5' } });
  const { file } = suite;
  let h: Harness;
  beforeAll(() => {
    h = suite.h;
  });

  const cli = (...args: string[]): Promise<CliRun> => runCliCapturing(args);

  /** `run` of the signup recording on the test site, waiting, with a JSON summary. */
  const runSignup = (csv: string, jobId: string, ...extra: string[]) =>
    cli(
      'run',
      SIGNUP,
      '--csv',
      csv,
      '--timing',
      'instant',
      ...extra,
      '--default',
      `baseUrl=${h.site.url}`,
      '--job-id',
      jobId,
      '--wait',
      '--json',
    );

  async function expectNotStarted(jobId: string) {
    await expect(h.client.client.workflow.getHandle(`execution-${jobId}`).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  }

  const badInputs: Array<[string, () => string[], RegExp]> = [
    ['a recording that is not JSON', () => [file('bad.json', '{ "title": '), '--csv', file('ok.csv', 'a\n1\n')], /not valid JSON/],
    [
      'a step with a missing field',
      () => [file('nosel.json', JSON.stringify({ title: 't', steps: [{ type: 'click', offsetX: 1, offsetY: 1 }] }))],
      /steps\[0\]\.selectors/,
    ],
    [
      'an unknown step type',
      () => [file('unk.json', JSON.stringify({ title: 't', steps: [{ type: 'teleport' }] }))],
      /steps\[0\]\.type.*teleport/,
    ],
    [
      'a placeholder with no CSV column',
      () => [SIGNUP, '--csv', file('cols.csv', 'first_name,email\nA,a@b.c\n'), '--default', 'baseUrl=http://x'],
      /password.*country|country.*password/,
    ],
    ['an empty CSV', () => [SIGNUP, '--csv', file('empty.csv', '')], /empty/i],
    ['a header-only CSV', () => [SIGNUP, '--csv', file('header.csv', 'first_name,email,password,country\n')], /no data rows/i],
    [
      'a ragged CSV row',
      () => [SIGNUP, '--csv', file('ragged.csv', 'first_name,email,password,country\nA,b,c\n')],
      /expected 4 columns, found 3/,
    ],
    ['duplicate CSV headers', () => [SIGNUP, '--csv', file('dup.csv', 'email,email\n1,2\n')], /duplicate/i],
    [
      'more rows than MAX_ROWS_PER_JOB',
      () => [SIGNUP, '--csv', file('many.csv', 'first_name,email,password,country\n' + 'a,b,c,d\n'.repeat(6))],
      /MAX_ROWS_PER_JOB/,
    ],
    [
      'a bad concurrency',
      () => [SIGNUP, '--csv', file('ok2.csv', signupCsv), '--default', 'baseUrl=x', '--concurrency', '0'],
      /maxConcurrentRows/,
    ],
    [
      'an unknown timing mode',
      () => [SIGNUP, '--csv', file('ok3.csv', signupCsv), '--default', 'baseUrl=x', '--timing', 'warp'],
      /timingMode/,
    ],
    ['a missing recording file', () => [join(suite.dir, 'nope.json')], /Cannot read recording/],
    [
      'a notify target that is not a URL',
      () => [SIGNUP, '--csv', file('ok4.csv', signupCsv), '--default', 'baseUrl=x', '--notify', 'not-a-url'],
      /config\.notify\.url/,
    ],
    [
      'a notify event that does not exist',
      () => [
        SIGNUP,
        '--csv',
        file('ok5.csv', signupCsv),
        '--default',
        'baseUrl=x',
        '--notify',
        'http://127.0.0.1:9/h',
        '--notify-events',
        'ended,exploded',
      ],
      /config\.notify\.events/,
    ],
  ];

  it.each(badInputs)('rejects %s with exit 2 and starts nothing', async (_name, args, message) => {
    const jobId = newJobId('bad');
    const r = await cli('run', ...args(), '--job-id', jobId, '--wait');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    await expectNotStarted(jobId);
  });

  it('run --wait --json prints only the summary on stdout and exits 1 when a row fails', async () => {
    const jobId = newJobId('cli');
    const csv = file('three.csv', signupCsv.split('\n').slice(0, 5).join('\n')); // rows 1-4, row 4 fails
    const r = await runSignup(csv, jobId, '--concurrency', '2');
    expect(r.code).toBe(1);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ jobId, status: 'failed', rows: { total: 4, passed: 3, failed: 1, cancelled: 0 } });

    const again = await cli('result', jobId, '--json');
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout).results).toEqual(summary.results);

    const human = await cli('result', jobId);
    expect(human.stdout).toMatch(/row 4: failed/);
    expect(human.stdout).toMatch(/screenshot: .*row-4-step-12-failure\.png/);

    const status = await cli('status', jobId);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'failed', rows: { total: 4, passed: 3, failed: 1 } });
  });

  it('exits 0 when every row passes, and 3 for an unknown job', async () => {
    const jobId = newJobId('ok');
    const csv = file('one.csv', signupCsv.split('\n').slice(0, 2).join('\n'));
    const r = await runSignup(csv, jobId);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).status).toBe('passed');
    expect((await cli('result', 'no-such-job')).code).toBe(3);
  });
});
