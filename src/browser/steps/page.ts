import type { CloseStep, EmulateNetworkConditionsStep, SetViewportStep } from '../../recording/types';
import { sameDevice } from '../device-emulation';
import { StepError } from '../errors';
import { toStepError } from '../error-mapping';
import type { StepOutcome } from '../types';
import type { StepRun } from './run';

/** Page-level steps that touch no element: setViewport, close, emulateNetworkConditions. */

/**
 * Width and height apply to the page as they are. Device scale factor, mobile mode, touch and orientation
 * are fixed when a context opens, so the recording's opening setViewport shaped the session already
 * (device-emulation.ts); a later one asking for another device is applied to this page through CDP's
 * Emulation domain (Chromium; elsewhere it is refused as InvalidStep). Pages that open afterwards (popups)
 * keep the session's device.
 */
export async function setViewport(step: SetViewportStep, run: StepRun): Promise<StepOutcome> {
  const page = await run.page(step.target);
  const device = {
    deviceScaleFactor: step.deviceScaleFactor,
    isMobile: step.isMobile,
    hasTouch: step.hasTouch,
    isLandscape: step.isLandscape,
  };
  try {
    await run.guard(page.setViewportSize({ width: step.width, height: step.height }));
    if (sameDevice(run.session.device, device)) return {};
    if (run.session.browserName !== 'chromium') {
      throw new StepError(
        'InvalidStep',
        `setViewport: changing the device after the session opened needs chromium, not ${run.session.browserName}`,
      );
    }
    const cdp = await run.guard(run.session.cdpSession(page));
    await run.guard(
      cdp.send('Emulation.setDeviceMetricsOverride', {
        width: step.width,
        height: step.height,
        deviceScaleFactor: step.deviceScaleFactor,
        mobile: step.isMobile,
        screenOrientation: step.isLandscape ? { angle: 90, type: 'landscapePrimary' } : { angle: 0, type: 'portraitPrimary' },
      }),
    );
    await run.guard(cdp.send('Emulation.setTouchEmulationEnabled', { enabled: step.hasTouch }));
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
