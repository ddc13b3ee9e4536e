import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SessionRegistry } from '../../src/browser/session-registry';
import type { BrowserSession } from '../../src/browser/session';
import { secretMaskLocators } from '../../src/browser/secret-mask';
import { maskedShare, type Box } from '../support/png-pixels';

/** Screenshots never show a secret value: checked on the pixels of real Chromium screenshots. */

const SECRET = 'Hunter2-Sekr3t';
const PAGE = `<!doctype html><body style="font: 16px sans-serif">
  <p><label>Password <input id="pw" type="text" style="width: 300px"></label></p>
  <p><label>Email <input id="email" type="text" style="width: 300px" value="ada@example.com"></label></p>
  <p id="echo">Signed up with <b>${SECRET.slice(0, 6)}</b>${SECRET.slice(6)} as your password</p>
  <iframe id="frame" style="width: 400px; height: 60px" srcdoc="<input id='inner' type='text' style='width: 300px'>"></iframe>
</body>`;

let server: Server;
let registry: SessionRegistry;
let session: BrowserSession;

beforeAll(async () => {
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  registry = new SessionRegistry({ spareContext: false });
  ({ session } = await registry.lease({ browser: 'chromium', headless: true, viewport: { width: 800, height: 400 }, holder: { jobId: 'test', row: 1, attempt: 0 } }));
  const page = session.mainPage;
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  await page.fill('#pw', SECRET);
  await page.frameLocator('#frame').locator('#inner').fill(`x ${SECRET} y`);
});
afterAll(async () => {
  await registry.closeAll();
  await new Promise((ok) => server.close(ok));
});

async function boxes(): Promise<Record<'pw' | 'email' | 'echo' | 'inner', Box>> {
  const page = session.mainPage;
  const box = async (l: ReturnType<typeof page.locator>) => (await l.boundingBox())!;
  return {
    pw: await box(page.locator('#pw')),
    email: await box(page.locator('#email')),
    echo: await box(page.locator('#echo')),
    inner: await box(page.frameLocator('#frame').locator('#inner')),
  };
}

it('masks the field a secret was typed into, text that shows it, and fields in frames; nothing else', async () => {
  const page = session.mainPage;
  const b = await boxes();
  const masked = await page.screenshot({ fullPage: true, mask: await secretMaskLocators(page, [SECRET, '']) });
  const [pw, email, echo, inner] = await maskedShare(session.context.browser()!, masked, [b.pw, b.email, b.echo, b.inner]);
  expect(pw).toBeGreaterThan(0.95);
  expect(echo).toBeGreaterThan(0.95);
  expect(inner).toBeGreaterThan(0.95);
  expect(email).toBe(0);

  // Control: the same screenshot without the mask shows the field (no mask colour there).
  const plain = await page.screenshot({ fullPage: true });
  const [pwPlain] = await maskedShare(session.context.browser()!, plain, [b.pw]);
  expect(pwPlain).toBe(0);
});

it('masks nothing when there is no secret value', async () => {
  await expect(secretMaskLocators(session.mainPage, [])).resolves.toEqual([]);
  await expect(secretMaskLocators(session.mainPage, ['', '  '])).resolves.toEqual([]);
});
