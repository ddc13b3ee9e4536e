import type { Frame, Page } from 'playwright';
import type { Selector, Step, StepType } from '../../recording/types';
import { StepError } from '../errors';
import { locateFirst, type LocateOptions, type LocateResult } from '../selectors';
import type { BrowserSession } from '../session';
import type { StepContext, StepOutcome } from '../types';
import { Deadline, raceAbort, sleep } from '../wait';

/**
 * What a step handler gets: the session plus one shared deadline, so every phase of a step
 * (find page, find frame, locate, act, assert) draws from the same budget.
 */
export class StepRun {
  readonly deadline: Deadline;

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

  /**
   * Context for nested waits (locateFirst). No heartbeat: executeStep already beats for
   * the whole step, and a nested ticker would only double the calls.
   */
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

  /** Page + frame + first matching selector alternative, in one call. */
  async locate(
    step: { target?: string; frame?: number[]; selectors: Selector[] },
    opts?: LocateOptions,
  ): Promise<LocateResult & { page: Page; frame: Frame }> {
    const page = await this.page(step.target);
    const frame = await this.frame(page, step.frame);
    const found = await locateFirst(frame, step.selectors, this.sub(), opts);
    return { ...found, page, frame };
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
