import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright';
import { DENIED_PERMISSIONS } from '../../src/browser/browser-sandbox';
import { DEFAULT_CHROMIUM_ARGS } from '../../src/browser/launch-options';
import type { BrowserSession } from '../../src/browser/session';
import { SessionRegistry } from '../../src/browser/session-registry';
import { resolveToolPaths } from '../../src/support/tools';
import { childPids } from '../support/processes';

/** The browser holds nothing of the worker's: environment, downloads, permissions. Real Chromium. */

const SENTINEL = `service-key-${process.pid}-sentinel`;
let server: Server;
let base: string;
let registry: SessionRegistry;
const openSession = async (): Promise<BrowserSession> =>
  (await registry.lease({ browser: 'chromium', headless: true, holder: { jobId: 'test', row: 1, attempt: 0 } })).session;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/file') {
      return res
        .writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment; filename="../../report.txt"' })
        .end(SENTINEL);
    }
    res.writeHead(200, { 'content-type': 'text/html' }).end('<a id="download" href="/file">download</a>');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  registry = new SessionRegistry({ spareContext: false });
});
afterAll(async () => {
  await registry.closeAll();
  await new Promise((ok) => server.close(ok));
});

/** Every process under `pid`, itself included. */
const tree = (pid: number): number[] => [pid, ...childPids(pid).flatMap(tree)];
const environOf = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return ''; // exited meanwhile
  }
};

it("the browser's processes carry none of the worker's environment (control: a default launch carries it)", async () => {
  const saved = { ...process.env };
  Object.assign(process.env, { SUPABASE_SERVICE_ROLE_KEY: SENTINEL, TEMPORAL_PAYLOAD_KEY: SENTINEL, TEMPORAL_API_KEY: SENTINEL });
  try {
    const control = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: DEFAULT_CHROMIUM_ARGS,
    });
    try {
      const page = await control.newPage();
      await page.goto(base);
      const cdp = await control.newBrowserCDPSession();
      const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: Array<{ type: string; id: number }> };
      const pid = processInfo.find((p) => p.type === 'browser')!.id;
      expect(tree(pid).map(environOf).join('\n')).toContain(SENTINEL);
    } finally {
      await control.close();
    }

    const session = await openSession();
    await session.mainPage.goto(base);
    const browserCdp = await session.context.browser()!.newBrowserCDPSession();
    const { processInfo: ours } = (await browserCdp.send('SystemInfo.getProcessInfo')) as {
      processInfo: Array<{ type: string; id: number }>;
    };
    await browserCdp.detach();
    const pid = ours.find((p) => p.type === 'browser')!.id;
    const processes = tree(pid);
    expect(processes.length).toBeGreaterThan(2); // the browser, its zygotes and a renderer at least
    const environ = processes.map(environOf).join('\n');
    expect(environ).toContain('PATH=');
    expect(environ).not.toContain(SENTINEL);
    await session.close();
  } finally {
    process.env = saved;
  }
});

it("each session's downloads land in a directory of its own, deleted with the session", async () => {
  const downloadDirs = () => readdirSync(tmpdir()).filter((d) => d.startsWith('recorder-runner-downloads-'));
  const before = new Set(downloadDirs());
  const a = await openSession();
  const b = await openSession();
  const mine = downloadDirs().filter((d) => !before.has(d));
  expect(mine).toHaveLength(2);

  await a.mainPage.goto(base);
  const download = await Promise.all([a.mainPage.waitForEvent('download'), a.mainPage.click('#download')]).then(([d]) => d);
  expect(download.suggestedFilename()).not.toContain('/');
  const holding = await waitFor(() =>
    mine.find((d) => readdirSync(join(tmpdir(), d)).some((f) => readFileSync(join(tmpdir(), d, f), 'utf8') === SENTINEL)),
  );
  expect(holding).toBeDefined();

  await a.close();
  await waitFor(() => !downloadDirs().includes(holding!));
  expect(downloadDirs()).toContain(mine.find((d) => d !== holding)); // b's, still open
  await b.close();
  await waitFor(() => mine.every((d) => !downloadDirs().includes(d)));
});

it('permission prompts are denied', async () => {
  const session = await openSession();
  try {
    await session.mainPage.goto(base);
    const answers = await session.mainPage.evaluate(async () => ({
      notifications: await Notification.requestPermission(),
      geolocation: await new Promise<string>((ok) =>
        navigator.geolocation.getCurrentPosition(
          () => ok('granted'),
          (e) => ok(e.code === e.PERMISSION_DENIED ? 'denied' : `error ${e.code}`),
          { timeout: 5000 },
        ),
      ),
      clipboard: await navigator.clipboard.readText().then(
        () => 'granted',
        (e: Error) => e.name,
      ),
    }));
    expect(answers).toEqual({ notifications: 'denied', geolocation: 'denied', clipboard: 'NotAllowedError' });
  } finally {
    await session.close();
  }
});

it.each([
  ['the headless shell', undefined],
  ['the full browser', { chromium: resolveToolPaths().chromium }],
])('every permission on the deny list reads denied in a page of %s', async (_build, chromiumBuilds) => {
  const own = chromiumBuilds ? new SessionRegistry({ spareContext: false, chromiumBuilds }) : registry;
  const { session } = await own.lease({ browser: 'chromium', headless: true, holder: { jobId: 'test', row: 2, attempt: 0 } });
  try {
    await session.mainPage.goto(base);
    const states = await session.mainPage.evaluate(
      async (names) =>
        Object.fromEntries(
          await Promise.all(
            names.map(async (name) => [
              name,
              await navigator.permissions.query({ name: name as PermissionName }).then(
                (status) => status.state,
                (e: Error) => `query refused: ${e.message}`,
              ),
            ]),
          ),
        ),
      DENIED_PERMISSIONS,
    );
    expect(states).toEqual(Object.fromEntries(DENIED_PERMISSIONS.map((name) => [name, 'denied'])));
  } finally {
    await session.close();
    if (own !== registry) await own.closeAll();
  }
});

async function waitFor<T>(check: () => T, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value || Date.now() > deadline) return value;
    await new Promise((ok) => setTimeout(ok, 50));
  }
}
