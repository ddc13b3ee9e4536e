/**
 * The conformance recordings marked `temporal` through the real path: each is a job (one row) started by the
 * client on a dev server, validated, run by a worker's csvRow on a leased session. Each must end the way the
 * direct replay in recorder-suite.test.ts ends (which is the reference's outcome or a documented
 * difference), so nothing between the schema and the browser drops a field (offsets left out, a button, a
 * frame path, the opening setViewport's device).
 */
import { join } from 'node:path';
import { atOrigin } from '../support/our-replay';
import { newJobId, startHarness, type Harness } from '../support/harness';
import { RECORDER_CASES } from './recorder-cases';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ siteRoot: join(__dirname, '..', 'fixtures', 'recorder') });
  await h.startWorker({ MAX_CONCURRENT_SESSIONS: '4' });
});
afterAll(() => h?.close());

const cases = RECORDER_CASES.filter((c) => c.temporal);

it('replays at least 10 recordings through Temporal, each ending like the direct replay', async () => {
  expect(cases.length).toBeGreaterThanOrEqual(10);
  const runs = await Promise.all(
    cases.map(async (c) => {
      const jobId = newJobId('conformance');
      await h.client.startExecution({ jobId, recording: atOrigin(c.recording, h.site.url), config: { timingMode: 'instant' } });
      const summary = await h.client.getResult(jobId);
      const [row] = summary.results;
      return { name: c.name, outcome: row.status === 'passed' ? 'passed' : row.error?.stepIndex, error: row.error };
    }),
  );
  const expected = cases.map((c) => ({ name: c.name, outcome: c.ours ?? c.reference }));
  expect(runs.map(({ name, outcome }) => ({ name, outcome }))).toEqual(expected);
});
