/**
 * The browser holds nothing of the worker's: its processes get an environment without the worker's service
 * keys, each session's downloads go to a directory of its own that is deleted with the session, permission
 * prompts (geolocation, notifications, camera, clipboard...) are denied, and the navigation policy is on.
 * What BrowserPool applies where it launches a browser and where it opens a context.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright';
import { chromiumHostPolicyArgs } from './chromium-policy';
import type { EgressProxy } from './egress-proxy';
import { installNavigationPolicy } from './navigation-policy';
import type { BrowserName } from './types';
import type { HostPolicy } from './url-policy';

export interface BrowserSecurity {
  hostPolicy: HostPolicy;
  /** The proxy that enforces the policy for a browser without PAC support (egress-proxy.ts). */
  egressProxy?: EgressProxy;
}

/**
 * Variables a browser needs (locale, display, fonts, temp dir); everything else, the worker's keys and tokens
 * among them, stays out. An allow list: a secret added to the worker's environment later stays out too.
 */
const BROWSER_ENV = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
  'DISPLAY',
  'WAYLAND_DISPLAY',
  'XAUTHORITY',
  'XDG_RUNTIME_DIR',
  'XDG_CONFIG_HOME',
  'XDG_CACHE_HOME',
  'XDG_DATA_HOME',
  'FONTCONFIG_FILE',
  'FONTCONFIG_PATH',
  'DBUS_SESSION_BUS_ADDRESS',
]);

export function browserEnvironment(source: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(source).filter((e): e is [string, string] => e[1] !== undefined && (BROWSER_ENV.has(e[0]) || e[0].startsWith('LC_'))),
  );
}

/** Extra launch options: the scrubbed environment and, for Chromium, the flags that enforce the policy. */
export function sandboxLaunchOptions(browser: BrowserName, security: BrowserSecurity): { args: string[]; env: Record<string, string> } {
  const args =
    browser === 'chromium' ? [...chromiumHostPolicyArgs(security.hostPolicy, security.egressProxy?.url), '--deny-permission-prompts'] : [];
  return { args, env: browserEnvironment() };
}

/**
 * One CDP session on the browser target per browser, kept open: the Browser domain is only there, and Chromium
 * drops a context's download behaviour when the session that set it detaches.
 */
const browserSessions = new WeakMap<Browser, Promise<CDPSession>>();
function browserSession(browser: Browser): Promise<CDPSession> {
  let session = browserSessions.get(browser);
  if (!session) {
    session = browser.newBrowserCDPSession();
    session.catch(() => browserSessions.delete(browser));
    browserSessions.set(browser, session);
  }
  return session;
}

/**
 * Points the context's downloads at a fresh directory (0700) deleted when the context closes. Chromium only
 * (a CDP call); Playwright otherwise keeps downloads in one directory per browser and deletes each file when
 * its context closes.
 */
async function isolateDownloads(context: BrowserContext, page: Page): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'recorder-runner-downloads-'));
  context.once('close', () => void rm(dir, { recursive: true, force: true }));
  const pageCdp = await context.newCDPSession(page);
  const { targetInfo } = await pageCdp.send('Target.getTargetInfo').finally(() => pageCdp.detach().catch(() => undefined));
  const browserContextId = targetInfo.browserContextId;
  const browserCdp = await browserSession(context.browser()!);
  await browserCdp.send('Browser.setDownloadBehavior', {
    behavior: 'allowAndName',
    browserContextId,
    downloadPath: dir,
    eventsEnabled: true,
  });
  // --deny-permission-prompts answers a prompt with "denied" where the browser has prompts; the headless shell
  // has none and leaves some at "default": deny them outright, per context.
  await Promise.all(
    DENIED_PERMISSIONS.map((name) =>
      browserCdp.send('Browser.setPermission', { permission: { name }, setting: 'denied', browserContextId }).catch(() => undefined),
    ),
  );
  return dir;
}

/**
 * Permissions that reach past the page (devices, the host's screen, fonts and sensors, a clipboard other rows
 * share): none is granted to a recording. Names are the Permissions API's; CDP refuses others (there is no
 * "sensors"), and the full browser grants the motion sensors unless told. Left as the browser has them:
 * clipboard-write, pointer and keyboard lock, wake lock, persistent storage.
 */
export const DENIED_PERMISSIONS = [
  'notifications',
  'geolocation',
  'camera',
  'microphone',
  'display-capture',
  'clipboard-read',
  'midi',
  'background-sync',
  'accelerometer',
  'gyroscope',
  'magnetometer',
  'idle-detection',
  'local-fonts',
  'window-management',
];

export interface SecuredContext {
  /** Where this context's downloads land (Chromium); removed when the context closes. */
  downloadsDir?: string;
}

/** Everything a fresh context needs before its first step: the navigation policy and its own downloads. */
export async function secureContext(
  context: BrowserContext,
  page: Page,
  browser: BrowserName,
  security: BrowserSecurity,
): Promise<SecuredContext> {
  await installNavigationPolicy(context, security.hostPolicy, { enforceInNode: browser !== 'chromium', egressProxy: security.egressProxy });
  return browser === 'chromium' ? { downloadsDir: await isolateDownloads(context, page) } : {};
}
