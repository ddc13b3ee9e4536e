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
 *
 * What a hit test would catch is guarded instead: the page moving the element away between the moment its box
 * was measured and the press (a late banner, a hover that shifts the layout). Once the element is ready, a
 * press guard listens in the element's window (capture phase): a press whose point is no longer inside the
 * element's box is stopped before the page sees it, and the step presses again at the new point
 * (takePressMissed()). An overlay over the element lets the press through, since the point is still in its box.
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
function readiness(el: Element, guard: boolean): Promise<Readiness> {
  const before = el.getBoundingClientRect();
  return new Promise((resolve) =>
    requestAnimationFrame(() => {
      const after = el.getBoundingClientRect();
      const outside = after.bottom <= 0 || after.right <= 0 || after.top >= innerHeight || after.left >= innerWidth;
      if (outside) el.scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' });
      const state = {
        attached: el.isConnected,
        disabled: (el as Element & { disabled?: unknown }).disabled === true,
        stable: before.x === after.x && before.y === after.y && before.width === after.width && before.height === after.height,
      };
      const holder = el as Element & { [key: symbol]: PressGuard | undefined };
      const key = Symbol.for('recorder-runner.press-guard');
      if (guard && state.attached && !state.disabled && state.stable && !holder[key]) {
        const types = [
          'pointerdown',
          'mousedown',
          'touchstart',
          'pointerup',
          'mouseup',
          'touchend',
          'click',
          'dblclick',
          'auxclick',
          'contextmenu',
        ];
        const g: PressGuard = { missed: false, blocking: false };
        g.listener = (e: Event) => {
          if (!g.blocking && (e.type === 'pointerdown' || e.type === 'mousedown')) {
            const { clientX: x, clientY: y } = e as MouseEvent;
            const r = el.getBoundingClientRect();
            g.blocking = !el.isConnected || x < r.left - 1 || x > r.right + 1 || y < r.top - 1 || y > r.bottom + 1;
            g.missed = g.missed || g.blocking;
          }
          if (g.blocking) {
            e.preventDefault();
            e.stopImmediatePropagation();
          }
        };
        g.release = () => {
          for (const type of types) window.removeEventListener(type, g.listener!, true);
          clearTimeout(g.timer);
          delete holder[key];
        };
        for (const type of types) window.addEventListener(type, g.listener, { capture: true, passive: false });
        // A guard nobody collected (the step was cancelled mid-press) must not outlive its press.
        g.timer = setTimeout(g.release, 10_000);
        holder[key] = g;
      }
      resolve(state);
    }),
  );
}

/** Page-side state of one press (see the file comment). */
interface PressGuard {
  missed: boolean;
  blocking: boolean;
  listener?: (e: Event) => void;
  release?: () => void;
  timer?: ReturnType<typeof setTimeout>;
}

/** Removes the element's press guard; true when it stopped a press that missed the element (press again). */
export async function takePressMissed(element: ElementHandle<Element>): Promise<boolean> {
  return element
    .evaluate((el) => {
      const g = (el as Element & { [key: symbol]: PressGuard | undefined })[Symbol.for('recorder-runner.press-guard')];
      g?.release?.();
      return g?.missed ?? false;
    })
    .catch(() => false); // gone with a navigation the press caused: it did not miss
}

function inViewport(
  box: { x: number; y: number; width: number; height: number },
  viewport: { width: number; height: number } | null,
): boolean {
  if (!viewport) return true;
  return box.x + box.width > 0 && box.y + box.height > 0 && box.x < viewport.width && box.y < viewport.height;
}

/**
 * `element` is the one the step located; `page` the page it is on (boxes are in its viewport's coordinates).
 * With `guard`, a press guard is armed once the element is ready: take it with takePressMissed() after pressing.
 */
export async function pressPoint(
  element: ElementHandle<Element>,
  page: Page,
  run: StepRun,
  offset: Offset,
  what: string,
  opts: { guard: boolean },
): Promise<PressPoint> {
  let last: Readiness | undefined;
  for (;;) {
    try {
      last = await run.guard(element.evaluate(readiness, opts.guard));
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
