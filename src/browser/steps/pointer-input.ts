import type { Page } from 'playwright';
import type { PointerButtonType, PointerDeviceType } from '../../recording/types';
import type { BrowserSession } from '../session';
import { sleep } from '../wait';
import type { PressPoint } from './press-point';

/**
 * Presses at a point of the page with the device and button the recording names. Mouse buttons Playwright
 * knows go through page.mouse; back and forward (which it does not know) through CDP's
 * Input.dispatchMouseEvent, so the page sees `button` 3 or 4 as the Recorder saw it. Touch taps go through
 * CDP's Input.dispatchTouchEvent, which is how a long press can last `duration` ms; a context opened
 * without touch support (hasTouch: false) gets mouse presses, as the reference runner always does.
 */

export interface Press {
  button?: PointerButtonType;
  deviceType?: PointerDeviceType;
  /** How long the button or finger stays down, in ms. */
  duration?: number;
  clickCount: 1 | 2;
}

const PLAYWRIGHT_BUTTONS = { primary: 'left', auxiliary: 'middle', secondary: 'right' } as const;
/** The `buttons` bitmask bit of each CDP button. */
const CDP_BUTTON_BITS = { back: 8, forward: 16 } as const;

export async function pressAt(session: BrowserSession, page: Page, at: PressPoint, press: Press, signal?: AbortSignal): Promise<void> {
  const button = press.button ?? 'primary';
  if (press.deviceType === 'touch' && session.hasTouch && session.browserName === 'chromium') {
    for (let n = 0; n < press.clickCount; n++) await tap(session, page, at, press.duration ?? 0, signal);
    return;
  }
  if (button === 'back' || button === 'forward') {
    await cdpClick(session, page, at, button, press, signal);
    return;
  }
  const options = { button: PLAYWRIGHT_BUTTONS[button], delay: press.duration };
  if (press.clickCount === 2) await page.mouse.dblclick(at.x, at.y, options);
  else await page.mouse.click(at.x, at.y, options);
}

async function cdpClick(
  session: BrowserSession,
  page: Page,
  at: PressPoint,
  button: 'back' | 'forward',
  press: Press,
  signal?: AbortSignal,
): Promise<void> {
  // Playwright's own mouse state learns the position too, so a later hover or click starts from here.
  await page.mouse.move(at.x, at.y);
  const cdp = await session.cdpSession(page);
  const point = { x: at.x, y: at.y, button };
  for (let clickCount = 1; clickCount <= press.clickCount; clickCount++) {
    await cdp.send('Input.dispatchMouseEvent', { type: 'mousePressed', ...point, clickCount, buttons: CDP_BUTTON_BITS[button] });
    if (press.duration) await sleep(press.duration, signal);
    await cdp.send('Input.dispatchMouseEvent', { type: 'mouseReleased', ...point, clickCount, buttons: 0 });
  }
}

async function tap(session: BrowserSession, page: Page, at: PressPoint, duration: number, signal?: AbortSignal): Promise<void> {
  const cdp = await session.cdpSession(page);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: at.x, y: at.y }] });
  if (duration > 0) await sleep(duration, signal);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}
