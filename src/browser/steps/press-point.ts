import type { ElementHandle, Page } from 'playwright';
import { StepError } from '../errors';
import { toStepError } from '../error-mapping';
import { sleep } from '../wait';
import type { StepRun } from './run';

/**
 * Where a pointer step presses, found the way the recording format means it (@puppeteer/replay's locator
 * click): the element is visible (the locate did that), enabled, no longer moving, and scrolled into view;
 * the point is its box plus the recorded offset, or its centre when the recording has none. No hit test:
 * Playwright's "receives events" check rejects elements a real pointer reaches (SVG shapes, elements
 * under a transparent overlay the page forwards), and the recording says a person pressed there.
 */

export interface Offset {
  offsetX?: number;
  offsetY?: number;
}

export interface PressPoint {
  x: number;
  y: number;
}

interface Readiness {
  attached: boolean;
  disabled: boolean;
  /** The box did not move between two animation frames. */
  stable: boolean;
}

const RECHECK_MS = 50;

/**
 * Checks the element and, once it is ready, scrolls it into its frame's view the way puppeteer does (centred,
 * instantly), all in one round trip. Page function: no named inner functions (the bundler would wrap them in
 * a helper the page lacks).
 */
function readiness(el: Element): Promise<Readiness> {
  const before = el.getBoundingClientRect();
  return new Promise((resolve) =>
    requestAnimationFrame(() => {
      const after = el.getBoundingClientRect();
      const outside = after.bottom <= 0 || after.right <= 0 || after.top >= innerHeight || after.left >= innerWidth;
      if (outside) el.scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' });
      resolve({
        attached: el.isConnected,
        disabled: (el as Element & { disabled?: unknown }).disabled === true,
        stable: before.x === after.x && before.y === after.y && before.width === after.width && before.height === after.height,
      });
    }),
  );
}

function inViewport(
  box: { x: number; y: number; width: number; height: number },
  viewport: { width: number; height: number } | null,
): boolean {
  if (!viewport) return true;
  return box.x + box.width > 0 && box.y + box.height > 0 && box.x < viewport.width && box.y < viewport.height;
}

/** `element` is the one the step located; `page` the page it is on (boxes are in its viewport's coordinates). */
export async function pressPoint(
  element: ElementHandle<Element>,
  page: Page,
  run: StepRun,
  offset: Offset,
  what: string,
): Promise<PressPoint> {
  let last: Readiness | undefined;
  for (;;) {
    try {
      last = await run.guard(element.evaluate(readiness));
      // The page replaced it: locating again (the step's next attempt) finds the new one.
      if (!last.attached) throw new StepError('StepTimeout', `${what}: the element was replaced before it could be pressed`);
      if (!last.disabled && last.stable) {
        let box = await run.guard(element.boundingBox());
        // In view of its own frame but not of the page (an iframe below the fold): Playwright scrolls every frame.
        if (box && !inViewport(box, page.viewportSize())) {
          await run.guard(element.scrollIntoViewIfNeeded({ timeout: run.remaining() }));
          box = await run.guard(element.boundingBox());
        }
        if (box && box.width > 0 && box.height > 0) {
          return {
            x: box.x + (offset.offsetX ?? box.width / 2),
            y: box.y + (offset.offsetY ?? box.height / 2),
          };
        }
      }
    } catch (err) {
      // Gone with a navigation or replaced (transient: StepTimeout, so the step is tried again with a new locate).
      throw toStepError(err, { timeoutType: 'StepTimeout', what });
    }
    if (run.deadline.expired()) {
      const why = !last ? 'it never settled' : last.disabled ? 'it stayed disabled' : !last.stable ? 'it kept moving' : 'it has no box';
      throw new StepError('StepTimeout', `${what}: the element was found but not ready to press within ${run.timeoutMs}ms (${why})`);
    }
    await sleep(Math.min(RECHECK_MS, run.remaining()), run.signal);
  }
}
