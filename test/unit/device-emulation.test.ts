import { contextOptionsFor, openingViewport, playwrightContextOptions } from '../../src/browser/device-emulation';
import type { Step } from '../../src/recording/types';

const mobile: Step = { type: 'setViewport', width: 390, height: 844, deviceScaleFactor: 3, isMobile: true, hasTouch: true, isLandscape: false };
const nav: Step = { type: 'navigate', url: 'http://127.0.0.1/' };

describe('the opening setViewport shapes the session', () => {
  it('is the first setViewport before anything loads a page', () => {
    expect(openingViewport([mobile, nav])).toBe(mobile);
    expect(openingViewport([{ type: 'emulateNetworkConditions', download: 0, upload: 0, latency: 0 }, mobile])).toBe(mobile);
    expect(openingViewport([nav, mobile])).toBeUndefined();
  });

  it('gives the context its viewport and device; without one, the job viewport', () => {
    expect(contextOptionsFor([mobile, nav], { width: 1, height: 1 })).toEqual({
      viewport: { width: 390, height: 844 },
      device: { deviceScaleFactor: 3, isMobile: true, hasTouch: true, isLandscape: false },
    });
    expect(contextOptionsFor([nav], { width: 800, height: 600 })).toEqual({ viewport: { width: 800, height: 600 } });
    expect(contextOptionsFor([nav])).toEqual({});
  });

  it('turns isLandscape into a screen wider than tall on mobile; firefox gets no mobile mode', () => {
    const landscape = contextOptionsFor([{ ...mobile, width: 844, height: 390, isLandscape: true }]);
    expect(playwrightContextOptions(landscape, 'chromium')).toEqual({
      viewport: { width: 844, height: 390 },
      deviceScaleFactor: 3,
      hasTouch: true,
      isMobile: true,
      screen: { width: 844, height: 390 },
    });
    expect(playwrightContextOptions(contextOptionsFor([mobile]), 'chromium').screen).toEqual({ width: 390, height: 844 });
    expect(playwrightContextOptions(contextOptionsFor([mobile]), 'firefox')).not.toHaveProperty('isMobile');
  });
});
