/**
 * What the navigation policy and the browser sandbox cost, on the browser alone (no worker, no Temporal):
 *
 *   npx tsx bench/navigation-policy.ts [--rounds 6] [--loads 15] [--resources 30]
 *
 * Variants, launched side by side and measured in interleaved rounds so machine noise falls on all of them:
 * - none:   the worker's Chromium flags, no policy (a plain Playwright context wrapped in a BrowserSession);
 * - policy: BrowserPool as the worker runs it: host-resolver rules + PAC script, scrubbed env, denied prompts,
 *           per-session downloads, the context's guard (chromium-policy.ts, browser-sandbox.ts);
 * - route:  the rejected alternative: the same checks in a Playwright route, every request through Node.
 * Per variant: a page load (navigate step, `load`) of a page with N subresources on a host the PAC script is
 * asked about (this machine's name), and the time to open a session (context + page, and for `policy` its
 * guard and download directory). Writes bench/results/navigation-policy-<timestamp>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser } from 'playwright';
import { DEFAULT_CHROMIUM_ARGS } from '../src/browser/launch-options';
import { SessionRegistry } from '../src/browser/session-registry';
import { installNavigationPolicy } from '../src/browser/navigation-policy';
import { BrowserSession } from '../src/browser/session';
import { executeStep } from '../src/browser/step-engine';
import { parseHostPolicy } from '../src/browser/url-policy';
import { PROJECT_ROOT, resolveToolPaths } from '../src/support/tools';
import { round, summarize, type Summary } from './lib/stats';

type Variant = 'none' | 'policy' | 'route';
const VARIANTS: Variant[] = ['none', 'policy', 'route'];

const { values } = parseArgs({ options: { rounds: { type: 'string' }, loads: { type: 'string' }, resources: { type: 'string' } } });
const ROUNDS = Number(values.rounds ?? 6);
const LOADS = Number(values.loads ?? 15);
const RESOURCES = Number(values.resources ?? 30);

function page(resources: number): string {
  const items = Array.from({ length: resources }, (_, i) =>
    i % 3 === 0
      ? `<img src="/r/${i}.svg">`
      : i % 3 === 1
        ? `<link rel="stylesheet" href="/r/${i}.css">`
        : `<script src="/r/${i}.js"></script>`,
  );
  return `<!doctype html><html><body><h1 id="ok">bench</h1>${items.join('')}</body></html>`;
}

const TYPES: Record<string, string> = { svg: 'image/svg+xml', css: 'text/css', js: 'text/javascript' };

interface Opened {
  session: BrowserSession;
  close(): Promise<void>;
}

async function main(): Promise<void> {
  const html = page(RESOURCES);
  const server = createServer((req, res) => {
    if (!req.url?.startsWith('/r/')) return res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    const ext = req.url.split('.').pop()!;
    const body = ext === 'svg' ? '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>' : '/* x */';
    res.writeHead(200, { 'content-type': TYPES[ext], 'cache-control': 'max-age=3600' }).end(body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  // A name, not a loopback literal: Chromium asks the PAC script about names only.
  const name = await lookup(hostname(), { family: 4 }).then(
    (a) => (a.address === '127.0.0.1' ? hostname() : '127.0.0.1'),
    () => '127.0.0.1',
  );
  const url = `http://${name}:${port}/page`;
  const tools = resolveToolPaths();
  // The build headless sessions run.
  const executablePath = tools.chromiumHeadlessShell ?? tools.chromium ?? '/usr/bin/chromium';
  const policy = parseHostPolicy();

  const registry = new SessionRegistry({ chromiumBuilds: { chromium: executablePath, headlessShell: executablePath }, spareContext: false });
  const plain: Browser = await chromium.launch({ executablePath, args: DEFAULT_CHROMIUM_ARGS });
  const open: Record<Variant, () => Promise<Opened>> = {
    none: async () => {
      const context = await plain.newContext();
      const session = new BrowserSession(context, await context.newPage());
      return { session, close: () => session.close() };
    },
    policy: async () => {
      const { session } = await registry.lease({ browser: 'chromium', headless: true, holder: { jobId: 'bench', row: 0, attempt: 0 } });
      return { session, close: () => session.close() };
    },
    route: async () => {
      const context = await plain.newContext();
      const p = await context.newPage();
      await installNavigationPolicy(context, policy, { enforceInNode: true });
      const session = new BrowserSession(context, p);
      return { session, close: () => session.close() };
    },
  };

  const loadMs: Record<Variant, number[]> = { none: [], policy: [], route: [] };
  const openMs: Record<Variant, number[]> = { none: [], policy: [], route: [] };
  try {
    for (const v of VARIANTS) await (await open[v]()).close(); // launch and warm
    for (let round = 0; round < ROUNDS; round++) {
      for (const v of round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()) {
        const t = performance.now();
        const o = await open[v]();
        openMs[v].push(performance.now() - t);
        try {
          for (let i = 0; i <= LOADS; i++) {
            const start = performance.now();
            await executeStep(o.session, { type: 'navigate', url }, { timeoutMs: 10_000 });
            if (i > 0) loadMs[v].push(performance.now() - start); // the first load fills the cache
          }
        } finally {
          await o.close();
        }
      }
      process.stderr.write(`round ${round + 1}/${ROUNDS}\n`);
    }
  } finally {
    await registry.closeAll();
    await plain.close();
    server.close();
  }

  const rows = VARIANTS.map((v) => ({ variant: v, load: summarize(loadMs[v]), open: summarize(openMs[v]) }));
  const base = rows[0];
  const delta = (s: Summary, b: Summary) => `${s.p50 - b.p50 >= 0 ? '+' : ''}${round(s.p50 - b.p50)}`;
  console.log(`page load (navigate step, ${RESOURCES} subresources, ${url.replace(/:\d+.*/, '')}), ${ROUNDS}×${LOADS} loads per variant`);
  console.log('| variant | load p50 | load p95 | Δ p50 vs none | open session p50 | Δ p50 vs none |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.variant} | ${r.load.p50} ms | ${r.load.p95} ms | ${delta(r.load, base.load)} ms | ${r.open.p50} ms | ${delta(r.open, base.open)} ms |`,
    );
  }
  const dir = join(PROJECT_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `navigation-policy-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ rounds: ROUNDS, loads: LOADS, resources: RESOURCES, host: name, rows }, null, 2));
  console.log(`raw: ${file}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
