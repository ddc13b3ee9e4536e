import type { CloseStep, EmulateNetworkConditionsStep, SetViewportStep } from '../../recording/types';
import { StepError } from '../errors';
import { toStepError } from '../error-mapping';
import type { StepOutcome } from '../types';
import type { StepRun } from './run';

/** Page-level steps that touch no element: setViewport, close, emulateNetworkConditions. */

/**
 * Only width/height are applied: deviceScaleFactor, isMobile and hasTouch are fixed when a
 * Playwright context is created and cannot change on a live page.
 */
export async function setViewport(step: SetViewportStep, run: StepRun): Promise<StepOutcome> {
  const page = await run.page(step.target);
  try {
    await run.guard(page.setViewportSize({ width: step.width, height: step.height }));
  } catch (err) {
    throw toStepError(err, { what: `setViewport ${step.width}x${step.height}` });
  }
  return {};
}

export async function close(step: CloseStep, run: StepRun): Promise<StepOutcome> {
  const page = await run.page(step.target);
  try {
    await run.guard(page.close());
  } catch (err) {
    throw toStepError(err, { what: 'close page' });
  }
  return {};
}

/**
 * Chromium only, through CDP on a session kept alive for the page (closing it would drop the
 * emulation). DevTools' "Offline" preset is download = upload = 0; "No throttling" is -1/-1.
 * Throughputs are in bytes/s, latency in ms — the same units the recorder uses.
 */
export async function emulateNetworkConditions(step: EmulateNetworkConditionsStep, run: StepRun): Promise<StepOutcome> {
  if (run.session.browserName !== 'chromium') {
    throw new StepError('InvalidStep', `emulateNetworkConditions is only supported in chromium, not ${run.session.browserName}`);
  }
  const page = await run.page(step.target);
  try {
    const cdp = await run.guard(run.session.cdpSession(page));
    await run.guard(
      cdp.send('Network.emulateNetworkConditions', {
        offline: step.download === 0 && step.upload === 0,
        latency: step.latency,
        downloadThroughput: step.download,
        uploadThroughput: step.upload,
      }),
    );
  } catch (err) {
    throw toStepError(err, { what: 'emulateNetworkConditions' });
  }
  return {};
}
