/**
 * Per-recording wall time over the conformance suite (test/conformance/recorder-cases.ts): every recording
 * both runners pass, replayed by our engine directly (a leased session, the row runner; no Temporal) and by
 * @puppeteer/replay, one after the other, alternating which goes first, on the same Chromium build, against
 * test/fixtures/recorder served on 127.0.0.1. Failing cases are left out: their time is their timeouts.
 *
 * Per recording: the median of its replays for each runner. Reported: the median over recordings of each
 * runner, their ratio (ours ÷ reference, the target ≤ 1), and the median per-recording ratio.
 */
import { join } from 'node:path';
import type { UserFlow } from '@puppeteer/replay';
import { PROJECT_ROOT } from '../src/support/tools';
import { startStaticServer } from '../src/support/static-server';
import { RECORDER_CASES } from '../test/conformance/recorder-cases';
import { atOrigin, openOurRunner } from '../test/support/our-replay';
import { openReferenceRunner } from '../test/support/reference-replay';
import type { BenchContext } from './lib/setup';
import { median, round, summarize, type Summary } from './lib/stats';

export interface RecorderSuiteResult {
  recordings: number;
  reps: number;
  /** Median over recordings of each recording's median replay time. */
  oursMedianMs: number;
  referenceMedianMs: number;
  /** oursMedianMs ÷ referenceMedianMs (target ≤ 1). */
  ratio: number;
  /** Median of the per-recording ratios. */
  perRecordingRatioMedian: number;
  ours: Summary;
  reference: Summary;
  slowest: Array<{ name: string; oursMs: number; referenceMs: number }>;
  /** Replays whose outcome was not the expected one (should be 0). */
  unexpected: number;
}

export async function benchRecorderSuite(ctx: BenchContext): Promise<RecorderSuiteResult> {
  const reps = ctx.opts.quick ? 1 : ctx.opts.suiteReps;
  const cases = RECORDER_CASES.filter((c) => c.reference === 'passed' && (c.ours ?? c.reference) === 'passed');
  const site = await startStaticServer(join(PROJECT_ROOT, 'test', 'fixtures', 'recorder'));
  const reference = await openReferenceRunner(ctx.chromiumPath);
  const ours = openOurRunner({ chromiumHeadlessShell: ctx.chromiumPath });
  const perCase = cases.map((c) => ({
    name: c.name,
    recording: atOrigin(c.recording, site.url),
    ours: [] as number[],
    reference: [] as number[],
  }));
  let unexpected = 0;
  try {
    // One unmeasured pass: both browsers launched, code paths warm.
    for (const c of perCase.slice(0, 3)) {
      await ours.replay(c.recording);
      await reference.replay(c.recording as unknown as UserFlow);
    }
    for (let rep = 0; rep < reps; rep++) {
      for (const [i, c] of perCase.entries()) {
        const order = (rep + i) % 2 === 0 ? (['ours', 'reference'] as const) : (['reference', 'ours'] as const);
        for (const which of order) {
          const out = which === 'ours' ? await ours.replay(c.recording) : await reference.replay(c.recording as unknown as UserFlow);
          if (!out.passed) unexpected++;
          c[which].push(out.durationMs);
        }
      }
    }
  } finally {
    await Promise.all([reference.close(), ours.close()]);
    await site.close();
  }
  const oursPer = perCase.map((c) => median(c.ours));
  const refPer = perCase.map((c) => median(c.reference));
  const oursMedianMs = round(median(oursPer));
  const referenceMedianMs = round(median(refPer));
  return {
    recordings: perCase.length,
    reps,
    oursMedianMs,
    referenceMedianMs,
    ratio: round(oursMedianMs / referenceMedianMs, 2),
    perRecordingRatioMedian: round(median(perCase.map((_, i) => oursPer[i] / refPer[i])), 2),
    ours: summarize(oursPer),
    reference: summarize(refPer),
    slowest: perCase
      .map((c, i) => ({ name: c.name, oursMs: round(oursPer[i]), referenceMs: round(refPer[i]) }))
      .sort((a, b) => b.oursMs / b.referenceMs - a.oursMs / a.referenceMs)
      .slice(0, 5),
    unexpected,
  };
}
