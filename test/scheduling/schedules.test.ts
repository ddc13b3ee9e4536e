import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/support/tools';
import { runCliCapturing, useCliHarness } from '../support/cli-run';
import { newJobId, type Harness } from '../support/harness';

const EXAMPLES = join(PROJECT_ROOT, 'examples');
const SIGNUP = join(EXAMPLES, 'recordings', 'signup.json');
const signupCsv = readFileSync(join(EXAMPLES, 'data', 'signup.csv'), 'utf8')
  .split('\n')
  .slice(0, 2)
  .join('\n');

describe('schedules (npm run client -- schedule ...)', () => {
  const suite = useCliHarness({ siteRoot: join(EXAMPLES, 'site'), scratchPrefix: 'schedule-test' });
  const { file } = suite;
  let h: Harness;
  beforeAll(() => {
    h = suite.h;
  });

  const cli = (...args: string[]) => runCliCapturing(['schedule', ...args]);
  const nightly = (scheduleId: string, recording: string, csv: string, ...extra: string[]) =>
    cli('create', scheduleId, recording, '--csv', csv, '--cron', '0 3 * * *', '--timezone', 'Europe/Berlin', ...extra);

  it.each([
    ['a recording that is not JSON', () => [file('bad.json', '{ "title": '), file('ok.csv', signupCsv)], /not valid JSON/],
    ['a CSV missing a column the recording uses', () => [SIGNUP, file('cols.csv', 'first_name,email\nA,a@b.c\n')], /password/],
  ])('refuses %s when the schedule is created (exit 2, no schedule)', async (_, args, message) => {
    const scheduleId = newJobId('refused');
    const [recording, csv] = args();
    const created = await nightly(scheduleId, recording, csv, '--default', `baseUrl=${h.site.url}`);
    expect(created.code).toBe(2);
    expect(created.stderr).toMatch(message);
    expect((await cli('describe', scheduleId)).code).toBe(3);
  });

  it('refuses a schedule with no time, a bad cron or an unknown time zone (exit 2)', async () => {
    const csv = file('ok2.csv', signupCsv);
    const base = ['create', newJobId('spec'), SIGNUP, '--csv', csv, '--default', 'baseUrl=x'];
    expect((await cli(...base)).stderr).toMatch(/needs --cron or --every/);
    expect((await cli(...base, '--cron', '0 3 *')).stderr).toMatch(/expected 5 fields/);
    const zone = await cli(...base, '--cron', '0 3 * * *', '--timezone', 'Mars/Olympus');
    expect(zone.code).toBe(2);
    expect(zone.stderr).toMatch(/Mars\/Olympus.*IANA/);
  });

  it('refuses a priority outside 1-5 and a non-positive fairness weight (exit 2)', async () => {
    const csv = file('ok3.csv', signupCsv);
    const base = ['create', newJobId('prio'), SIGNUP, '--csv', csv, '--default', 'baseUrl=x', '--cron', '0 3 * * *'];
    const priority = await cli(...base, '--priority', '9');
    expect(priority.code).toBe(2);
    expect(priority.stderr).toMatch(/config\.priority/);
    const weight = await cli(...base, '--fairness-weight', '0');
    expect(weight.code).toBe(2);
    expect(weight.stderr).toMatch(/config\.fairnessWeight/);
  });

  it('creates, lists, describes, triggers a normal job, pauses, unpauses and deletes', async () => {
    const scheduleId = newJobId('nightly');
    const csv = file('signup.csv', signupCsv);
    const created = await nightly(scheduleId, SIGNUP, csv, '--default', `baseUrl=${h.site.url}`, '--timing', 'instant', '--priority', '2');
    expect(created).toMatchObject({ code: 0 });

    const listed = JSON.parse((await cli('list')).stdout) as { scheduleId: string; paused: boolean }[];
    expect(listed).toContainEqual(expect.objectContaining({ scheduleId, paused: false }));
    const described = JSON.parse((await cli('describe', scheduleId)).stdout);
    expect(described).toMatchObject({ scheduleId, paused: false, cron: ['0 3 * * *'], timezone: 'Europe/Berlin', recentRuns: [] });
    // 03:00 in Berlin is 01:00 or 02:00 UTC.
    expect(described.nextRuns[0]).toMatch(/T0[12]:00:00\.000Z$/);

    expect((await cli('trigger', scheduleId)).code).toBe(0);
    let recent: { jobId: string }[] = [];
    for (let i = 0; i < 100 && recent.length === 0; i++) {
      recent = JSON.parse((await cli('describe', scheduleId)).stdout).recentRuns;
      if (recent.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(recent).toHaveLength(1);
    // Its own jobId (schedule id + scheduled time), results like any job's.
    const { jobId } = recent[0];
    expect(jobId).toMatch(new RegExp(`^${scheduleId}-\\d{4}-\\d\\d-\\d\\dT`));
    const summary = await h.client.getResult(jobId);
    expect(summary).toMatchObject({ jobId, status: 'passed', rows: { total: 1, passed: 1 } });
    // Findable as a scheduled run (TriggeredBy) with its final status.
    const attributes = (await h.client.client.workflow.getHandle(summary.workflowId).describe()).searchAttributes;
    expect([attributes.TriggeredBy, attributes.RunStatus]).toEqual([['schedule'], ['passed']]);

    // The CSV (and the recording) sit in the schedule's action encrypted, as every job input does.
    const raw = await h.client.client.workflowService.describeSchedule({ namespace: 'default', scheduleId });
    const payload = raw.schedule!.action!.startWorkflow!.input!.payloads![0];
    expect(Buffer.from(payload.metadata!.encoding!).toString()).toBe('binary/encrypted');
    const email = signupCsv.split('\n')[1].split(',')[1];
    expect(Buffer.from(payload.data!).toString('latin1')).not.toContain(email);

    expect((await cli('pause', scheduleId, '--note', 'maintenance')).code).toBe(0);
    expect(JSON.parse((await cli('describe', scheduleId)).stdout)).toMatchObject({ paused: true, note: 'maintenance' });
    expect((await cli('unpause', scheduleId)).code).toBe(0);
    expect(JSON.parse((await cli('describe', scheduleId)).stdout)).toMatchObject({ paused: false });
    expect((await cli('delete', scheduleId)).code).toBe(0);
    const gone = await cli('describe', scheduleId);
    expect(gone.code).toBe(3);
    expect(gone.stderr).toMatch(/No such schedule/);
  });
});
