import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { PROJECT_ROOT } from '../../src/support/tools';
import { OWNER_ID, ROWS_FAILED, ROWS_TOTAL, RUN_STATUS, TRIGGERED_BY } from '../../src/workflows/search-attributes';
import { startHarness, Harness, newJobId } from '../support/harness';

const open = { type: 'navigate', url: '{{baseUrl}}/index.html' };
const check = (selector: string) => ({ type: 'waitForElement', selectors: [[selector]], timeout: 500 });

describe('runs are findable in Temporal visibility (the Web UI filters)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ siteRoot: join(PROJECT_ROOT, 'examples', 'site') });
    await h.startWorker({ MAX_CONCURRENT_SESSIONS: '4' });
  });
  afterAll(() => h.close());

  it('RunStatus = "failed" and RecordingId = "…" find exactly the matching runs, with counters kept current', async () => {
    const recordingId = `rec-${randomUUID()}`;
    const ownerId = `owner-${randomUUID().slice(0, 8)}`;
    const start = async (selector: string, rec: string, csv: string) => {
      const jobId = newJobId('vis');
      await h.client.startExecution({
        jobId,
        recording: { title: `checks ${selector}`, steps: [open, check(selector)] },
        csv,
        config: { timingMode: 'instant', defaults: { baseUrl: h.site.url } },
        origin: { ownerId, triggeredBy: 'api', recordingId: rec },
      });
      return jobId;
    };
    const passed = await start('#get-started', recordingId, 'n\n1\n2');
    const failed = await start('#nope', recordingId, 'n\n1\n2\n3');
    const other = await start('#nope', `${recordingId}-other`, 'n\n1');
    await Promise.all([passed, failed, other].map((id) => h.client.getResult(id)));

    const ids = async (query: string) => {
      const found: string[] = [];
      for await (const wf of h.client.client.workflow.list({ query: `${query} AND OwnerId = "${ownerId}"` })) found.push(wf.workflowId);
      return found.sort();
    };
    expect(await ids(`RecordingId = "${recordingId}"`)).toEqual([`execution-${failed}`, `execution-${passed}`].sort());
    expect(await ids(`RunStatus = "failed"`)).toEqual([`execution-${failed}`, `execution-${other}`].sort());
    expect(await ids(`RunStatus = "failed" AND RecordingId = "${recordingId}"`)).toEqual([`execution-${failed}`]);
    expect(await ids(`RunStatus = "passed"`)).toEqual([`execution-${passed}`]);

    const described = await h.client.client.workflow.getHandle(`execution-${failed}`).describe();
    const sa = described.typedSearchAttributes;
    expect([sa.get(RUN_STATUS), sa.get(ROWS_TOTAL), sa.get(ROWS_FAILED), sa.get(OWNER_ID), sa.get(TRIGGERED_BY)]).toEqual([
      'failed',
      3,
      3,
      ownerId,
      'api',
    ]);
    // What the Web UI shows without opening the input: title and size as summary, live counters as details.
    expect(await described.staticSummary()).toBe('checks #nope — 3 row(s) × 2 step(s)');
  });
});
