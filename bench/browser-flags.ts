/**
 * Browser builds and flags: what a session costs on each Chromium the worker can run, measured on the browser
 * alone (SessionRegistry, as the worker uses it, without spare contexts; no worker runs meanwhile): PSS of the
 * browser processes at 1..N sessions on the bench page, the time to open a session (BrowserContext + page),
 * and the CPU of a whole session's life (open, navigate, close).
 *
 * Variants: the full Chromium (Debian's, "new" headless mode: a full browser whose every window preloads the
 * omnibox popup WebUI in a renderer of its own) with Playwright's flags and with ours (the omnibox popup
 * switched off), and Chromium's headless shell, which headless sessions run.
 */
import { DEFAULT_CHROMIUM_ARGS, PLAYWRIGHT_DISABLED_FEATURES } from '../src/browser/launch-options';
import { SessionRegistry } from '../src/browser/session-registry';
import type { BrowserSession } from '../src/browser/session';
import { executeStep } from '../src/browser/step-engine';
import type { Step } from '../src/recording/types';
import { sampleMemory } from './p3-memory';
import { memorySampling } from './lib/options';
import { chromiumProcessTypes, cpuDelta, sampleCpu } from './lib/proc';
import type { BenchContext } from './lib/setup';
import { linearFit, round, sleep, summarize, type Summary } from './lib/stats';

/** The worker's flags with Playwright's own feature list in place of ours: the omnibox popup comes back. */
const WITHOUT_OMNIBOX_SWITCH = DEFAULT_CHROMIUM_ARGS.map((a) =>
  a.startsWith('--disable-features=') ? `--disable-features=${PLAYWRIGHT_DISABLED_FEATURES.join(',')}` : a,
);
export const COMPARED = 'full Chromium with Playwright\'s flags, with ours (omnibox popup off), and the headless shell';

export interface FlagsVariant {
  name: 'full, playwright flags' | 'full, our flags' | 'headless shell';
  executable: string;
  args: string[];
  /** Browser processes' PSS (MB) per number of open sessions. */
  levels: Array<{ sessions: number; browserPssMb: number; processes: Record<string, number> }>;
  pssMbPerSession: number;
  openSessionMs: Summary;
  /** CPU of a session's whole life (open, navigate to the bench page, close), browser and worker, ms. */
  cpuMsPerSession: { browser: number; node: number };
}

export interface FlagsResult {
  compared: string;
  variants: FlagsVariant[];
}

async function measure(ctx: BenchContext, name: FlagsVariant['name'], executable: string, args: string[]): Promise<FlagsVariant> {
  const serverPid = ctx.server.process.pid;
  const registry = new SessionRegistry({ chromiumBuilds: { chromium: executable, headlessShell: executable }, launchArgs: args, spareContext: false });
  const open = async (viewport?: { width: number; height: number }) => (await registry.lease({ browser: 'chromium', headless: true, viewport, holder: { jobId: 'flags', row: 0, attempt: 0 } })).session;
  const sessions: BrowserSession[] = [];
  const openMs: number[] = [];
  const levels: FlagsVariant['levels'] = [];
  let cpuMsPerSession = { browser: NaN, node: NaN };
  const navigate = { type: 'navigate', url: `${ctx.site.url}/index.html` } as Step;
  try {
    await (await open()).close(); // launch
    const { settleMs, samples } = memorySampling(ctx.opts);
    for (let i = 0; i < (ctx.opts.quick ? 0 : 3); i++) {
      // a few unmeasured opens: warm
      await (await open({ width: 1280, height: 720 })).close();
    }
    const lifeCount = ctx.opts.quick ? 2 : 20;
    const cpu0 = sampleCpu(serverPid);
    for (let i = 0; i < lifeCount; i++) {
      const s = await open({ width: 1280, height: 720 });
      await executeStep(s, navigate, { timeoutMs: 10_000 });
      await s.close();
    }
    const life = cpuDelta(cpu0, sampleCpu(serverPid));
    cpuMsPerSession = { browser: round(life.chromium / lifeCount), node: round(life.node / lifeCount) };
    for (const n of ctx.opts.p3Levels) {
      while (sessions.length < n) {
        const t = Date.now();
        const s = await open({ width: 1280, height: 720 });
        openMs.push(Date.now() - t);
        await executeStep(s, navigate, { timeoutMs: 10_000 });
        sessions.push(s);
      }
      await sleep(settleMs);
      const mem = await sampleMemory(serverPid, samples);
      levels.push({ sessions: n, browserPssMb: mem.browserPssMb, processes: chromiumProcessTypes(serverPid) });
    }
  } finally {
    await registry.closeAll();
  }
  const fit = levels.length > 1 ? linearFit(levels.map((l) => l.sessions), levels.map((l) => l.browserPssMb)).slope : NaN;
  return { name, executable, args, levels, pssMbPerSession: fit, openSessionMs: summarize(openMs), cpuMsPerSession };
}

export async function benchBrowserFlags(ctx: BenchContext): Promise<FlagsResult> {
  const variants: FlagsVariant[] = [];
  const full = ctx.chromiumBuilds.chromium!;
  variants.push(await measure(ctx, 'full, playwright flags', full, WITHOUT_OMNIBOX_SWITCH));
  variants.push(await measure(ctx, 'full, our flags', full, DEFAULT_CHROMIUM_ARGS));
  if (ctx.chromiumBuilds.headlessShell) variants.push(await measure(ctx, 'headless shell', ctx.chromiumBuilds.headlessShell, DEFAULT_CHROMIUM_ARGS));
  return { compared: COMPARED, variants };
}

