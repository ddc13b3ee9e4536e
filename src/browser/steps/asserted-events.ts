import type { Page } from 'playwright';
import type { NavigationEvent, Step } from '../../recording/types';
import { StepError } from '../errors';
import { isTimeoutError, toStepError } from '../error-mapping';
import { normalizeUrl } from '../session';
import { sleep } from '../wait';
import type { StepRun } from './run';

/**
 * assertedEvents: the recorder notes that a step caused a navigation (to `url`, with `title`).
 * After the step's action we wait, within what is left of the step budget, for the target page
 * to reach that URL and load, then for the title. Not getting there is AssertionFailed: the page
 * did something other than what was recorded.
 */

const TITLE_POLL_MS = 100;

function canonical(url: string): string {
  try {
    return normalizeUrl(new URL(url).href);
  } catch {
    return normalizeUrl(url);
  }
}

async function assertNavigation(page: Page, event: NavigationEvent, run: StepRun): Promise<void> {
  if (event.url) {
    const expected = canonical(event.url);
    try {
      await run.guard(page.waitForURL((u) => canonical(u.href) === expected, { timeout: run.remaining(), waitUntil: 'load' }));
    } catch (err) {
      if (!isTimeoutError(err)) throw toStepError(err, { what: 'assertedEvents navigation' });
      throw new StepError('AssertionFailed', `assertedEvents: expected navigation to ${event.url}, but the page is at ${page.url()}`);
    }
  }
  if (event.title !== undefined) {
    // Titles are often set by script right after load, so give it the rest of the budget.
    let actual = '';
    for (;;) {
      try {
        actual = await run.guard(page.title());
        if (actual === event.title) return;
      } catch (err) {
        if (err instanceof StepError) throw err;
        const mapped = toStepError(err, { what: 'assertedEvents title' });
        if (mapped.type === 'SessionLost') throw mapped;
      }
      if (run.deadline.expired()) break;
      await sleep(Math.min(TITLE_POLL_MS, run.remaining()), run.signal);
    }
    throw new StepError(
      'AssertionFailed',
      `assertedEvents: expected title ${JSON.stringify(event.title)}, got ${JSON.stringify(actual)} (at ${page.url()})`,
    );
  }
}

export async function assertEvents(step: Step, run: StepRun): Promise<void> {
  const navigations = (step.assertedEvents ?? []).filter((e) => e.type === 'navigation');
  if (navigations.length === 0 || step.type === 'close') return;
  const page = await run.page('target' in step ? step.target : undefined);
  for (const event of navigations) await assertNavigation(page, event, run);
}
