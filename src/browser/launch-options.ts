/**
 * How this project launches a browser: which binary and which flags. Policy only; the pool (browser-pool.ts)
 * applies it.
 */
import { existsSync } from 'node:fs';
import { chromium, firefox, webkit, type BrowserType } from 'playwright';
import type { BrowserName } from './types';

export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * The features Playwright 1.65 disables for Chromium. Chromium honours only the last `--disable-features`
 * switch, and Playwright puts its own before ours, so ours must repeat its list (test/browser/pool.test.ts
 * checks the real command line against the installed Playwright, so an upgrade that changes it fails there).
 */
export const PLAYWRIGHT_DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
];

/**
 * Debian's Chromium runs the "new" headless mode, a full browser: every window (one per context) preloads
 * the omnibox popup WebUI in a renderer process of its own. Without it a session costs one renderer, not two,
 * and the browser opens and closes sessions about twice as fast on 2 cores (BENCHMARKS.md, browser flags).
 */
export const OMNIBOX_POPUP_FEATURES = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup'];

/** Flags for headless Chromium in containers: no sandbox (root), no GPU, no background traffic. */
export const DEFAULT_CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--no-first-run',
  `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, ...OMNIBOX_POPUP_FEATURES].join(',')}`,
];

export const LAUNCHERS: Record<BrowserName, BrowserType> = { chromium, firefox, webkit };

/** The launch flags for a browser when the operator gave none. */
export function defaultLaunchArgs(name: BrowserName): string[] {
  return name === 'chromium' ? DEFAULT_CHROMIUM_ARGS : [];
}

/** Where the Chromium builds are; a headless session prefers the headless shell. */
export interface ChromiumExecutables {
  /** The full browser (headed sessions; headless ones when there is no shell). */
  chromium?: string;
  /** Chromium's headless shell: no browser UI, a third of the full browser's CPU per session. */
  headlessShell?: string;
}

/**
 * The executable to launch, checked to exist so a missing browser fails with a message that says what to do.
 * Chromium: the headless shell for headless sessions when there is one, else the full browser (Debian's;
 * scripts/setup.mjs installs both); firefox/webkit need Playwright's patched builds.
 */
export function resolveExecutable(name: BrowserName, headless: boolean, chromiumBuilds: ChromiumExecutables = {}): string {
  if (!(name in LAUNCHERS)) throw new Error(`unsupported browser "${name}" (expected chromium, firefox or webkit)`);
  if (name === 'chromium') {
    if (headless && chromiumBuilds.headlessShell) {
      const shell = chromiumBuilds.headlessShell;
      if (!existsSync(shell)) {
        throw new Error(`chromium headless shell not found at ${shell}; set CHROMIUM_HEADLESS_SHELL_PATH or run npm run setup`);
      }
      return shell;
    }
    const path = chromiumBuilds.chromium ?? DEFAULT_CHROMIUM_PATH;
    if (!existsSync(path)) throw new Error(`chromium executable not found at ${path}; set CHROMIUM_PATH or run npm run setup`);
    return path;
  }
  const path = LAUNCHERS[name].executablePath();
  if (!path || !existsSync(path)) {
    throw new Error(
      `${name} is not installed (expected executable at ${path || '<unknown>'}); ` +
        `install it with "npx playwright install ${name}" or pass its path. Only chromium is available by default.`,
    );
  }
  return path;
}
