import type { BrowserContextOptions } from 'playwright';
import type { SetViewportStep, Step } from '../recording/types';
import type { BrowserName, ContextOptions, DeviceEmulation } from './types';

/**
 * How a recording's setViewport shapes its session. Playwright fixes device scale factor, mobile mode and
 * touch support when a context is created, so the setViewport a recording starts with (the Recorder writes
 * it first) is read before the session opens and the context is created with it: a mobile recording
 * replays in a mobile context from its first page on, popups included. A later setViewport that asks for
 * another device is applied to its page through CDP (steps/page.ts).
 */

/** The recording's opening setViewport: the first one, when no step that loads or touches a page comes before it. */
export function openingViewport(steps: readonly Step[]): SetViewportStep | undefined {
  for (const step of steps) {
    if (step.type === 'setViewport') return step;
    if (step.type !== 'emulateNetworkConditions') return undefined;
  }
  return undefined;
}

/** The context options a recording asks for; `fallback` (the job's viewport) when it has no opening setViewport. */
export function contextOptionsFor(steps: readonly Step[], fallback?: ContextOptions['viewport']): ContextOptions {
  const step = openingViewport(steps);
  if (!step) return fallback ? { viewport: fallback } : {};
  return {
    viewport: { width: step.width, height: step.height },
    device: { deviceScaleFactor: step.deviceScaleFactor, isMobile: step.isMobile, hasTouch: step.hasTouch, isLandscape: step.isLandscape },
  };
}

export function sameDevice(a: DeviceEmulation | undefined, b: DeviceEmulation): boolean {
  const current = a ?? { deviceScaleFactor: 1, isMobile: false, hasTouch: false, isLandscape: false };
  return (
    current.deviceScaleFactor === b.deviceScaleFactor &&
    current.isMobile === b.isMobile &&
    current.hasTouch === b.hasTouch &&
    current.isLandscape === b.isLandscape
  );
}

/**
 * Playwright's options for a context. Playwright derives a mobile screen's orientation from its
 * dimensions, so isLandscape becomes a screen wider than tall. Firefox has no mobile mode.
 */
export function playwrightContextOptions(options: ContextOptions, browser: BrowserName): BrowserContextOptions {
  const out: BrowserContextOptions = {};
  if (options.viewport) out.viewport = options.viewport;
  const device = options.device;
  if (!device) return out;
  out.deviceScaleFactor = device.deviceScaleFactor;
  out.hasTouch = device.hasTouch;
  if (browser !== 'firefox') out.isMobile = device.isMobile;
  if (device.isMobile && options.viewport) {
    const long = Math.max(options.viewport.width, options.viewport.height);
    const short = Math.min(options.viewport.width, options.viewport.height);
    out.screen = device.isLandscape ? { width: long, height: short } : { width: short, height: long };
  }
  return out;
}
