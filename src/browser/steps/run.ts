import type { Frame, Page } from 'playwright';
import type { Selector, Step, StepType } from '../../recording/types';
import { StepError } from '../errors';
import { locateFirst, type LocateOptions, type LocateResult } from '../locate';
import type { BrowserSession } from '../session';
import type { StepContext, StepOutcome } from '../types';
import { Deadline, raceAbort, sleep } from '../wait';

/** The shortest gap between two looks of a polling step (about a frame). */
const MIN_POLL_MS = 16;

/** Evaluated as a string, so no bundler helper can sneak into the page. */
const mutationOrTimeout = (ms: number) => `new Promise((resolve) => {
  const done = () => { observer.disconnect(); clearTimeout(timer); resolve(true); };
  const observer = new MutationObserver(done);
  observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  const timer = setTimeout(done, ${Math.max(1, Math.round(ms))});
})`;

/**
 * What a step handler gets: the session plus one shared deadline, so every phase of a step
 * (find page, find frame, locate, act, assert) draws from the same budget.
 */
export class StepRun {
  readonly deadline: Deadline;
  /** Elements located during the step, let go of when it ends (release()). */
  private readonly held: LocateResult['element'][] = [];

  constructor(
    readonly session: BrowserSession,
    readonly timeoutMs: number,
    readonly signal?: AbortSignal,
  ) {
    this.deadline = new Deadline(timeoutMs);
  }

  /** Remaining budget in ms (≥ 1, safe to pass as a Playwright timeout). */
  remaining(): number {
    return this.deadline.remaining();
  }

  /** Context for nested waits (locateFirst): what is left of the step's budget. */
  sub(): StepContext {
    return { timeoutMs: this.remaining(), signal: this.signal };
  }

  /** Wraps a Playwright call so cancellation rejects promptly. */
  guard<T>(work: Promise<T>): Promise<T> {
    return raceAbort(work, this.signal);
  }

  page(target: string | undefined): Promise<Page> {
    return this.session.pageFor(target, this.remaining(), this.signal);
  }

  /**
   * Resolves the frame path, retrying until the deadline: iframes injected by script may
   * attach after the previous step finished. A path that never resolves stays InvalidStep.
   */
  async frame(page: Page, framePath?: number[]): Promise<Frame> {
    for (;;) {
      try {
        return this.session.frameFor(page, framePath);
      } catch (err) {
        if (!(err instanceof StepError) || err.type !== 'InvalidStep' || this.deadline.expired()) throw err;
      }
      await sleep(Math.min(100, this.remaining()), this.signal);
    }
  }

  /**
   * Resolves when the frame's DOM changes, or after `maxMs` (whichever is first), but never sooner than
   * MIN_POLL_MS after `since`: a polling step looks again as soon as the page did something instead of on a
   * fixed tick, and a page that mutates every frame cannot make it spin. Changes that touch no DOM (a
   * style sheet animation, a timer-driven expression) are seen at the `maxMs` tick.
   */
  async pageChange(frame: Frame, maxMs: number, since: number): Promise<void> {
    const budget = Math.min(maxMs, this.remaining());
    const change = frame.evaluate(mutationOrTimeout(budget)).catch(() => undefined); // a navigation also ends the wait
    await raceAbort(Promise.race([change, sleep(budget + 50, this.signal)]), this.signal);
    const early = MIN_POLL_MS - (Date.now() - since);
    if (early > 0) await sleep(Math.min(early, this.remaining()), this.signal);
  }

  /** Page + frame + first matching selector alternative, in one call. */
  async locate(
    step: { target?: string; frame?: number[]; selectors: Selector[] },
    opts?: LocateOptions,
  ): Promise<LocateResult & { page: Page; frame: Frame }> {
    const page = await this.page(step.target);
    const frame = await this.frame(page, step.frame);
    const found = await locateFirst(frame, step.selectors, this.sub(), opts);
    this.held.push(found.element);
    return { ...found, page, frame };
  }

  /** Lets the page collect what the step held; nothing waits for it (a navigation drops them anyway). */
  release(): void {
    for (const element of this.held.splice(0)) void element.dispose().catch(() => undefined);
  }
}

export type StepOf<K extends StepType> = Extract<Step, { type: K }>;
export type StepHandler<S extends Step> = (step: S, run: StepRun) => Promise<StepOutcome>;
/** Mapped over StepType, so adding a step type to the union without a handler fails to compile. */
export type StepHandlerMap = { [K in StepType]: StepHandler<StepOf<K>> };

/** The outcome of a step that located an element. */
export function outcomeOf(found: LocateResult): StepOutcome {
  return { selectorUsed: found.selectorUsed, healed: found.healed };
}
