import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright';
import { SessionRegistry } from '../../src/browser/session-registry';
import { videoMaskScript } from '../../src/browser/video-mask';
import { maskedShare, type Box } from '../support/png-pixels';

/**
 * A video shows what Chromium paints: with the mask script, no painted pixel shows a secret value (checked on the
 * pixels of a real Chromium screenshot taken without Playwright's own mask), wherever the page puts the value.
 */

const SECRET = 'Hunter2-Sekr3t';
const PAGE = `<!doctype html><body style="font: 20px sans-serif">
  <p><span id="before">Signed up with</span> <span id="echo"><b>${SECRET.slice(0, 6)}</b>${SECRET.slice(6)}</span></p>
  <p><span id="later"></span></p>
  <p><x-card></x-card></p>
  <p><input id="pw" type="text" style="width: 300px"> <input id="other" type="text" value="ada@example.com"></p>
  <iframe id="frame" style="width: 500px; height: 60px; border: 0" srcdoc="<body style='font: 20px sans-serif'><span id='inframe'>key: ${SECRET}</span></body>"></iframe>
  <script>
    customElements.define('x-card', class extends HTMLElement {
      connectedCallback() { this.attachShadow({ mode: 'open' }).innerHTML = '<span id="shadow">${SECRET}</span>'; }
    });
    setTimeout(() => (document.getElementById('later').textContent = 'Later: ${SECRET.toUpperCase()}'), 100);
  </script>
</body>`;

let server: Server;
let url: string;
let registry: SessionRegistry;

beforeAll(async () => {
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  registry = new SessionRegistry({ spareContext: false });
});
afterAll(async () => {
  await registry.closeAll();
  await new Promise((ok) => server.close(ok));
});

async function openPage(script: string | undefined, attempt: number): Promise<Page> {
  const { session } = await registry.lease({
    browser: 'chromium',
    headless: true,
    viewport: { width: 800, height: 400 },
    holder: { jobId: 'video-mask', row: 1, attempt },
  });
  if (script) await session.context.addInitScript({ content: script });
  const page = session.mainPage;
  await page.goto(url);
  await page.locator('#later').filter({ hasText: 'Later' }).waitFor();
  await page.fill('#pw', SECRET);
  return page;
}

async function boxes(page: Page): Promise<Record<'before' | 'echo' | 'later' | 'shadow' | 'inframe', Box>> {
  const box = async (l: ReturnType<Page['locator']>) => (await l.boundingBox())!;
  return {
    before: await box(page.locator('#before')),
    echo: await box(page.locator('#echo')),
    later: await box(page.locator('#later')),
    shadow: await box(page.locator('#shadow')), // Playwright's CSS pierces the open shadow root
    inframe: await box(page.frameLocator('#frame').locator('#inframe')),
  };
}

it('paints over shown text that holds a secret (split across elements, added later, in shadow DOM, in a frame), and only that', async () => {
  const page = await openPage(videoMaskScript([SECRET, '']), 0);
  const b = await boxes(page);
  const shot = await page.screenshot();
  const [before, echo, later, shadow, inframe] = await maskedShare(page.context().browser()!, shot, [
    b.before,
    b.echo,
    b.later,
    b.shadow,
    b.inframe,
  ]);
  for (const [where, share] of Object.entries({ echo, later, shadow, inframe })) {
    expect({ where, covered: share > 0.9 }).toEqual({ where, covered: true });
  }
  expect(before).toBe(0);
  // Text fields draw their value as discs; the page's DOM gained no node for any of it.
  const fieldStyle = await page.evaluate(() =>
    ['pw', 'other'].map((id) => getComputedStyle(document.getElementById(id)!).getPropertyValue('-webkit-text-security')),
  );
  expect(fieldStyle).toEqual(['disc', 'disc']);
  expect(await page.evaluate(() => document.querySelectorAll('style').length)).toBe(0);
});

it('control: without the script the same text is painted as it is', async () => {
  const page = await openPage(undefined, 1);
  const b = await boxes(page);
  const shares = await maskedShare(page.context().browser()!, await page.screenshot(), [b.echo, b.later, b.shadow, b.inframe]);
  expect(shares).toEqual([0, 0, 0, 0]);
});
