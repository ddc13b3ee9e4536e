import { createHash } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright';
import { DEFAULT_CHROMIUM_ARGS } from '../../src/browser/launch-options';
import type { ChromiumExecutables } from '../../src/browser/launch-options';
import { SessionRegistry } from '../../src/browser/session-registry';
import { resolveToolPaths } from '../../src/support/tools';
import type { BrowserSession } from '../../src/browser/session';
import { executeStep } from '../../src/browser/step-engine';
import { installNavigationPolicy } from '../../src/browser/navigation-policy';
import { DEFAULT_BLOCKED_HOSTS, parseHostPolicy } from '../../src/browser/url-policy';
import { applyTemplate } from '../../src/recording/templating';
import type { Step } from '../../src/recording/types';
import { stepError } from './helpers';

/**
 * The navigation policy enforced by real Chromium (launch flags from chromium-policy.ts) on pages served here.
 * Each refusal has a control: the same page in a pool whose policy allows that host, where it loads, so a
 * policy that silently stopped working fails these tests instead of passing them on a network error.
 */

const SECRET_TEXT = 'content-behind-the-policy';
let server: Server;
let base: string;
let port: number;

function pages(): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const to = url.searchParams.get('to') ?? '';
    const html = (body: string) => res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><body>${body}</body>`);
    switch (url.pathname) {
      case '/secret':
        return html(`<p id="secret">${SECRET_TEXT}</p>`);
      case '/redirect':
        return res.writeHead(302, { location: to }).end();
      case '/iframe':
        return html(`<p id="ok">parent</p><iframe id="child" src="${to}"></iframe>`);
      case '/popup':
        return html(`<button id="open" onclick='window.open(${JSON.stringify(to)})'>open</button>`);
      default:
        return html('<p id="ok">ok</p>');
    }
  });
}

const navigate = (url: string): Step => ({ type: 'navigate', url });
const click = (id: string): Step => ({ type: 'click', selectors: [[`#${id}`]], offsetX: 1, offsetY: 1 });
const waitFor = (id: string): Step => ({ type: 'waitForElement', selectors: [[`#${id}`]] });

/** Runs `step`, then a step that only looks: a request refused just after a step returns (a popup's) fails the next one. */
const failsByNextStep = (p: PolicyPool, s: BrowserSession, step: Step) =>
  stepError(
    (async () => {
      await p.run(s, step);
      await p.run(s, { type: 'waitForElement', selectors: ['body'] });
    })(),
  );

/** Chromium commits its error page after the failed navigation has been reported: a next navigation must wait for it. */
const settledOnErrorPage = (s: BrowserSession) => s.mainPage.waitForURL(/^chrome-error:/);

interface PolicyPool {
  registry: SessionRegistry;
  open(): Promise<BrowserSession>;
  run(session: BrowserSession, step: Step): Promise<unknown>;
}

const registries: SessionRegistry[] = [];
const tools = resolveToolPaths();
/** Each Chromium build enforces the policy its own way: the full browser with a PAC script, the headless shell through the worker's egress proxy. */
const BUILDS: Array<[string, ChromiumExecutables]> = [
  ['headless shell, egress proxy', { chromium: tools.chromium, headlessShell: tools.chromiumHeadlessShell }],
  ['full Chromium, PAC script', { chromium: tools.chromium }],
];
let builds: ChromiumExecutables = BUILDS[0][1];
function policyPool(env: { blockedHosts?: string; allowedHosts?: string } = {}): PolicyPool {
  const registry = new SessionRegistry({ spareContext: false, chromiumBuilds: builds, security: { hostPolicy: parseHostPolicy(env) } });
  registries.push(registry);
  return {
    registry,
    open: async () =>
      (await registry.lease({ browser: 'chromium', headless: true, holder: { jobId: 'test', row: 1, attempt: 0 } })).session,
    run: (session, step) => executeStep(session, step, { timeoutMs: 4000 }),
  };
}

let secure: PolicyPool; // the default policy
let noLocalhost: PolicyPool; // the default plus `localhost`, a host the test server answers on
let sessions: BrowserSession[] = [];
const open = async (p: PolicyPool) => {
  const s = await p.open();
  sessions.push(s);
  return s;
};

beforeAll(async () => {
  server = pages();
  // Enough of a WebSocket handshake for the browser to call the socket open.
  server.on('upgrade', (req, socket) => {
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.end(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  secure = policyPool();
});
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await Promise.all(registries.map((r) => r.closeAll()));
  await new Promise((ok) => server.close(ok));
});

describe('top-level navigation: http, https and about:blank only', () => {
  it('a CSV value that templates a file: URL is blocked at run time, as NavigationBlocked', async () => {
    const s = await open(secure);
    const step = applyTemplate(navigate('{{target}}'), { target: 'file:///etc/passwd' });
    const err = await stepError(secure.run(s, step));
    expect(err.type).toBe('NavigationBlocked');
    expect(err.message).toBe('navigate to a file: URL blocked: file: URLs are not allowed (only http:, https: and about:blank)');
    expect(s.mainPage.url()).toBe('about:blank');
  });

  it.each([
    'javascript:document.title="x"',
    'data:text/html,<p>hi</p>',
    'chrome://version',
    'view-source:http://127.0.0.1/',
    'about:version',
  ])('refuses %s', async (url) => {
    const s = await open(secure);
    const err = await stepError(secure.run(s, navigate(url)));
    expect(err.type).toBe('NavigationBlocked');
    expect(s.mainPage.url()).toBe('about:blank');
  });

  it('opens http pages and about:blank', async () => {
    const s = await open(secure);
    await secure.run(s, navigate(`${base}/page`));
    await secure.run(s, waitFor('ok'));
    await secure.run(s, navigate('about:blank'));
    expect(s.mainPage.url()).toBe('about:blank');
  });
});

describe.each(BUILDS)('%s', (_name, theseBuilds) => {
  beforeAll(() => {
    builds = theseBuilds;
    secure = policyPool();
    noLocalhost = policyPool({ blockedHosts: `${DEFAULT_BLOCKED_HOSTS},localhost` });
  });
  afterAll(() => {
    builds = BUILDS[0][1];
  });

  describe('hosts, enforced by Chromium on every request of the context', () => {
    it('refuses the cloud metadata address in every spelling before it is requested', async () => {
      const s = await open(secure);
      for (const url of [
        'http://169.254.169.254/latest/meta-data/',
        'http://2852039166/',
        'http://[::ffff:169.254.169.254]/',
        'http://[fe80::1]/',
      ]) {
        const err = await stepError(secure.run(s, navigate(url)));
        expect(err.type).toBe('NavigationBlocked');
        expect(err.message).not.toContain('meta-data'); // scheme and host only: a path may carry row values
      }
    });

    it('a page that redirects to a blocked host fails the step as NavigationBlocked (control: the host answers)', async () => {
      const redirect = `${base}/redirect?to=${encodeURIComponent(`http://localhost:${port}/secret`)}`;
      const control = await open(secure);
      await secure.run(control, navigate(redirect));
      await expect(control.mainPage.textContent('#secret')).resolves.toBe(SECRET_TEXT);

      const s = await open(noLocalhost);
      const err = await stepError(noLocalhost.run(s, navigate(redirect)));
      expect(err.type).toBe('NavigationBlocked');
      expect(err.message).toBe(`http://localhost:${port} blocked: host localhost is in BLOCKED_HOSTS (localhost)`);
      await settledOnErrorPage(s);
      expect(await s.mainPage.content()).not.toContain(SECRET_TEXT);

      const metadata = await stepError(
        secure.run(s, navigate(`${base}/redirect?to=${encodeURIComponent('http://169.254.169.254/latest')}`)),
      );
      expect(metadata.message).toBe('http://169.254.169.254 blocked: host 169.254.169.254 is in BLOCKED_HOSTS (169.254.0.0/16)');
      await settledOnErrorPage(s);
      // An address spelled so that no entry names it, reached by a redirect (not the navigate step's own check).
      const mapped = await stepError(secure.run(s, navigate(`${base}/redirect?to=${encodeURIComponent('http://[::ffff:a9fe:a9fe]/')}`)));
      expect(mapped.message).toBe('http://[::ffff:a9fe:a9fe] blocked: host ::ffff:a9fe:a9fe is an IPv4-mapped IPv6 address');
    });

    it('a page whose iframe points at file: fails the step, and the frame stays empty', async () => {
      const s = await open(secure);
      const err = await stepError(secure.run(s, navigate(`${base}/iframe?to=${encodeURIComponent('file:///etc/hostname')}`)));
      expect(err.type).toBe('NavigationBlocked');
      expect(err.message).toBe('a file: URL blocked: file: URLs are not allowed (only http:, https: and about:blank)');
      const child = s.mainPage.frames().find((f) => f !== s.mainPage.mainFrame());
      expect(child?.url()).not.toMatch(/^file:/);
    });

    it('an iframe on a blocked host fails the step (control: it loads where allowed)', async () => {
      const page = `${base}/iframe?to=${encodeURIComponent(`http://localhost:${port}/secret`)}`;
      const control = await open(secure);
      await secure.run(control, navigate(page));
      await expect(control.mainPage.frameLocator('#child').locator('#secret').textContent()).resolves.toBe(SECRET_TEXT);

      const s = await open(noLocalhost);
      const err = await stepError(noLocalhost.run(s, navigate(page)));
      expect(err).toMatchObject({ type: 'NavigationBlocked', message: expect.stringContaining('host localhost is in BLOCKED_HOSTS') });
    });

    it('a popup to a blocked host fails the click that opened it (control: it opens where allowed)', async () => {
      const page = `${base}/popup?to=${encodeURIComponent(`http://localhost:${port}/secret`)}`;
      const control = await open(secure);
      await secure.run(control, navigate(page));
      const [popup] = await Promise.all([control.context.waitForEvent('page'), secure.run(control, click('open'))]);
      await popup.waitForSelector('#secret');

      const s = await open(noLocalhost);
      await noLocalhost.run(s, navigate(page));
      const err = await failsByNextStep(noLocalhost, s, click('open'));
      expect(err).toMatchObject({
        type: 'NavigationBlocked',
        message: `http://localhost:${port} blocked: host localhost is in BLOCKED_HOSTS (localhost)`,
      });

      const metadata = await open(secure);
      await secure.run(metadata, navigate(`${base}/popup?to=${encodeURIComponent('http://169.254.169.254/')}`));
      const err2 = await failsByNextStep(secure, metadata, click('open'));
      expect(err2.message).toContain('host 169.254.169.254 is in BLOCKED_HOSTS');
    });

    it('what Chromium refuses web content on its own (a file: popup, a top-level data: navigation) fails the step too', async () => {
      const s = await open(secure);
      await secure.run(s, navigate(`${base}/popup?to=${encodeURIComponent('file:///etc/passwd')}`));
      const popup = await failsByNextStep(secure, s, click('open'));
      expect(popup.message).toBe('a file: URL blocked: file: URLs are not allowed (only http:, https: and about:blank)');
      expect(s.openPages()).toHaveLength(1);

      await secure.run(s, navigate(`${base}/page`));
      const toData: Step = { type: 'waitForExpression', expression: `(location.href = 'data:text/html,<p>hi</p>', true)` };
      const data = await failsByNextStep(secure, s, toData);
      expect(data.message).toBe('a data: URL blocked: data: URLs are not allowed (only http:, https: and about:blank)');
      expect(s.mainPage.url()).toBe(`${base}/page`);
    });

    it("a page's own fetch to 169.254.169.254 fails the step", async () => {
      const s = await open(secure);
      await secure.run(s, navigate(`${base}/page`));
      const fetched: Step = {
        type: 'waitForExpression',
        expression: `fetch('http://169.254.169.254/latest/meta-data/').then(() => true, () => true)`,
      };
      const err = await stepError(secure.run(s, fetched));
      expect(err.message).toBe('http://169.254.169.254 blocked: host 169.254.169.254 is in BLOCKED_HOSTS (169.254.0.0/16)');
      // Reported once: the next step starts clean.
      await secure.run(s, waitFor('ok'));
    });

    it('a WebSocket to a blocked host does not open (control: it opens where allowed)', async () => {
      const connect = (s: BrowserSession) =>
        s.mainPage.evaluate(
          (url) =>
            new Promise<string>((ok) => {
              const ws = new WebSocket(url);
              ws.onopen = () => ok('open');
              ws.onerror = () => ok('refused');
            }),
          `ws://localhost:${port}/`,
        );
      const control = await open(secure);
      await secure.run(control, navigate(`${base}/page`));
      await expect(connect(control)).resolves.toBe('open');
      const s = await open(noLocalhost);
      await noLocalhost.run(s, navigate(`${base}/page`));
      await expect(connect(s)).resolves.toBe('refused');
    });

    it('a name that resolves into a blocked range is refused (control: it loads where that range is not blocked)', async () => {
      const name = hostname();
      const { address } = await lookup(name, { family: 4 }); // this machine's own name must resolve (it does on Debian)
      const url = `http://${name}:${port}/secret`;
      const control = await open(secure);
      await secure.run(control, navigate(url));
      await expect(control.mainPage.textContent('#secret')).resolves.toBe(SECRET_TEXT);

      const byAddress = policyPool({ blockedHosts: `${address}/32` });
      const s = await open(byAddress);
      const err = await stepError(byAddress.run(s, navigate(url)));
      expect(err.message).toBe(`http://${name}:${port} blocked: host ${name} resolves to an address in BLOCKED_HOSTS`);
    });
  });

  describe('ALLOWED_HOSTS: only those', () => {
    it('loads allowed hosts and refuses every other, including loopback names not listed', async () => {
      const only = policyPool({ allowedHosts: '127.0.0.1' });
      const s = await open(only);
      await only.run(s, navigate(`${base}/page`));
      await only.run(s, waitFor('ok'));
      const viaRedirect = await stepError(
        only.run(s, navigate(`${base}/redirect?to=${encodeURIComponent(`http://${hostname()}:${port}/secret`)}`)),
      );
      expect(viaRedirect.message).toBe(`http://${hostname()}:${port} blocked: host ${hostname()} is not in ALLOWED_HOSTS`);
      await settledOnErrorPage(s);
      await only.run(s, navigate(`${base}/page`));
      const fetched: Step = {
        type: 'waitForExpression',
        expression: `fetch('http://localhost:${port}/secret').then(() => true, () => true)`,
      };
      const err = await stepError(only.run(s, fetched));
      expect(err.message).toBe(`http://localhost:${port} blocked: host localhost is not in ALLOWED_HOSTS`);
    });
  });
});

describe('browsers without the Chromium flags: the policy enforced by a route in the worker', () => {
  // A route never sees the request a redirect makes: there, a redirect to a blocked host is not caught (README).
  it('refuses blocked hosts on navigations and fetches', async () => {
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: DEFAULT_CHROMIUM_ARGS,
    });
    try {
      const context = await browser.newContext();
      const guard = await installNavigationPolicy(context, parseHostPolicy({ blockedHosts: 'localhost' }), { enforceInNode: true });
      const page = await context.newPage();
      await expect(page.goto(`http://localhost:${port}/secret`)).rejects.toThrow(/ERR_BLOCKED_BY_CLIENT/);
      expect(guard.takeError()?.message).toBe(`http://localhost:${port} blocked: host localhost is in BLOCKED_HOSTS (localhost)`);
      await page.waitForURL(/^chrome-error:/);
      await page.goto(`${base}/page`);
      expect(guard.takeError()).toBeUndefined();
      await expect(page.evaluate((url) => fetch(url).then((r) => r.text()), `http://localhost:${port}/secret`)).rejects.toThrow(
        /Failed to fetch/,
      );
      expect(guard.takeError()?.message).toContain('host localhost is in BLOCKED_HOSTS');
    } finally {
      await browser.close();
    }
  });
});
