/**
 * Browser flags: what the worker's Chromium costs per session with its launch flags (DEFAULT_CHROMIUM_ARGS)
 * and without the omnibox-popup switch in them (Playwright's defaults), measured on the browser alone
 * (BrowserPool, as the worker uses it; no worker runs meanwhile): PSS of the browser processes at 1..N
 * sessions on the bench page, and the time to open a session (BrowserContext + page).
 *
 * Why: Debian's Chromium runs the "new" headless mode, a full browser whose every window (one per context)
 * preloads the omnibox popup WebUI (chrome://omnibox-popup.top-chrome/) in a renderer of its own.
 */
import { BrowserPool, DEFAULT_CHROMIUM_ARGS, PLAYWRIGHT_DISABLED_FEATURES } from '../src/browser/browser-pool';
import type { BrowserSession } from '../src/browser/session';
import { executeStep } from '../src/browser/step-engine';
import type { Step } from '../src/recording/types';
import { sampleMemory } from './p3-memory';
import { memorySampling } from './lib/options';
import { chromiumProcessTypes } from './lib/proc';
import type { BenchContext } from './lib/setup';
import { linearFit, sleep, summarize, type Summary } from './lib/stats';

/** The worker's flags with Playwright's own feature list in place of ours: the omnibox popup comes back. */
const WITHOUT_OMNIBOX_SWITCH = DEFAULT_CHROMIUM_ARGS.map((a) =>
  a.startsWith('--disable-features=') ? `--disable-features=${PLAYWRIGHT_DISABLED_FEATURES.join(',')}` : a,
);
export const COMPARED = 'omnibox popup off (--disable-features=…,WebUIOmniboxPopup,WebUIOmniboxAimPopup)';

export interface FlagsVariant {
  name: 'current' | 'playwright-defaults';
  args: string[];
  /** Browser processes' PSS (MB) per number of open sessions. */
  levels: Array<{ sessions: number; browserPssMb: number; processes: Record<string, number> }>;
  pssMbPerSession: number;
  openSessionMs: Summary;
}

export interface FlagsResult {
  compared: string;
  variants: FlagsVariant[];
}

async function measure(ctx: BenchContext, name: FlagsVariant['name'], args: string[]): Promise<FlagsVariant> {
  const serverPid = ctx.server.process.pid;
  const pool = new BrowserPool({ browser: 'chromium', headless: true, executablePath: ctx.chromiumPath, launchArgs: args });
  const sessions: BrowserSession[] = [];
  const openMs: number[] = [];
  const levels: FlagsVariant['levels'] = [];
  const navigate = { type: 'navigate', url: `${ctx.site.url}/index.html` } as Step;
  try {
    await (await pool.openSession()).close(); // launch
    const { settleMs, samples } = memorySampling(ctx.opts);
    for (let i = 0; i < (ctx.opts.quick ? 0 : 3); i++) {
      // a few unmeasured opens: warm
      await (await pool.openSession({ viewport: { width: 1280, height: 720 } })).close();
    }
    for (const n of ctx.opts.p3Levels) {
      while (sessions.length < n) {
        const t = Date.now();
        const s = await pool.openSession({ viewport: { width: 1280, height: 720 } });
        openMs.push(Date.now() - t);
        await executeStep(s, navigate, { timeoutMs: 10_000 });
        sessions.push(s);
      }
      await sleep(settleMs);
      const mem = await sampleMemory(serverPid, samples);
      levels.push({ sessions: n, browserPssMb: mem.browserPssMb, processes: chromiumProcessTypes(serverPid) });
    }
  } finally {
    await pool.close();
  }
  const fit = levels.length > 1 ? linearFit(levels.map((l) => l.sessions), levels.map((l) => l.browserPssMb)).slope : NaN;
  return { name, args, levels, pssMbPerSession: fit, openSessionMs: summarize(openMs) };
}

export async function benchBrowserFlags(ctx: BenchContext): Promise<FlagsResult> {
  const variants: FlagsVariant[] = [];
  variants.push(await measure(ctx, 'playwright-defaults', WITHOUT_OMNIBOX_SWITCH));
  variants.push(await measure(ctx, 'current', DEFAULT_CHROMIUM_ARGS));
  return { compared: COMPARED, variants };
}

