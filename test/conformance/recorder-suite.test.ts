/**
 * Differential conformance: every recording in recorder-cases.ts replayed by @puppeteer/replay (the format's
 * reference runner, on puppeteer-core) and by our engine, on the same Chromium build, against pages served on
 * 127.0.0.1. Both must end the same way (passed, or failed at the same step), except where a case documents a
 * deliberate difference, which then asserts our behaviour. One browser per runner for the whole file.
 */
import { STEP_TYPES } from '../../src/recording/schema';
import { join } from 'node:path';
import type { UserFlow } from '@puppeteer/replay';
import { startStaticServer, type StaticServer } from '../../src/support/static-server';
import { atOrigin, openOurRunner, type OurOutcome, type OurRunner } from '../support/our-replay';
import { openReferenceRunner, type ReferenceOutcome, type ReferenceRunner } from '../support/reference-replay';
import { RECORDER_CASES, type Outcome } from './recorder-cases';

let site: StaticServer;
let reference: ReferenceRunner;
let ours: OurRunner;

beforeAll(async () => {
  site = await startStaticServer(join(__dirname, '..', 'fixtures', 'recorder'));
  reference = await openReferenceRunner();
  ours = openOurRunner();
});
afterAll(async () => {
  await Promise.all([reference?.close(), ours?.close()]);
  await site?.close();
});

const outcomeOf = (o: ReferenceOutcome | OurOutcome): Outcome => (o.passed ? 'passed' : (o.failedStep as number));

describe('the suite', () => {
  it('has at least 60 recordings, a share without offsets, and every step type', () => {
    expect(RECORDER_CASES.length).toBeGreaterThanOrEqual(60);
    const steps = RECORDER_CASES.flatMap((c) => c.recording.steps);
    const pointer = steps.filter((s) => s.type === 'click' || s.type === 'doubleClick');
    expect(pointer.filter((s) => s.offsetX === undefined).length).toBeGreaterThanOrEqual(5);
    const types = new Set(steps.map((s) => s.type));
    for (const type of STEP_TYPES) {
      expect(types).toContain(type);
    }
    // Each way a recording can fail (SessionLost is the browser's or worker's doing; NavigationBlocked has its own
    // tests in test/browser/navigation-policy.test.ts: the reference has no such policy).
    const kinds = new Set(RECORDER_CASES.map((c) => c.ourErrorType).filter(Boolean));
    expect([...kinds].sort()).toEqual(['AssertionFailed', 'ElementNotFound', 'InvalidStep', 'NavigationError', 'StepTimeout']);
    for (const c of RECORDER_CASES) {
      expect(c.recording.steps[0].type).toBe('setViewport');
      expect((c.ours !== undefined) === (c.difference !== undefined)).toBe(true);
    }
  });
});

describe.each(RECORDER_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  it(c.difference ? `differs on purpose: ${c.difference}` : 'ends like @puppeteer/replay', async () => {
    const recording = atOrigin(c.recording, site.url);
    // Side by side: each has its own browser, and a case's outcome does not hang on timing.
    const [theirs, mine] = await Promise.all([reference.replay(recording as unknown as UserFlow), ours.replay(recording)]);
    // The message of whichever failed says more than "expected 3, received 'passed'".
    const detail = { referenceMessage: theirs.message, ourMessage: mine.message && `${mine.errorType}: ${mine.message}` };
    expect({ reference: outcomeOf(theirs), ...detail }).toEqual({ reference: c.reference, ...detail });
    expect({ ours: outcomeOf(mine), ...detail }).toEqual({ ours: c.ours ?? c.reference, ...detail });
    if (c.ourErrorType) expect({ errorType: mine.errorType, ...detail }).toEqual({ errorType: c.ourErrorType, ...detail });
  });
});
