/**
 * The format's reference runner: @puppeteer/replay on puppeteer-core, driving the same Chromium binary the
 * workers use (with the same launch flags), one fresh browser context per replay. Used by the recorder
 * conformance suite (same recording, both runners, same outcome) and by the benchmark that compares speed.
 */
import { createRunner, PuppeteerRunnerExtension, type Step, type UserFlow } from '@puppeteer/replay';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { DEFAULT_CHROMIUM_ARGS, DEFAULT_CHROMIUM_PATH } from '../../src/browser/launch-options';
import { resolveToolPaths } from '../../src/support/tools';

export interface ReferenceOutcome {
  passed: boolean;
  /** Index of the step that failed (undefined when passed). */
  failedStep?: number;
  message?: string;
  durationMs: number;
}

/** Remembers which step is running, so a failure can be attributed to its index. */
class IndexedExtension extends PuppeteerRunnerExtension {
  current = -1;
  constructor(browser: Browser, page: Page, timeout: number, private readonly steps: Step[]) {
    super(browser, page, { timeout });
  }
  override async beforeEachStep(step: Step): Promise<void> {
    this.current = this.steps.indexOf(step);
  }
}

export interface ReferenceRunner {
  browser: Browser;
  replay(flow: UserFlow, options?: { timeoutMs?: number }): Promise<ReferenceOutcome>;
  close(): Promise<void>;
}

/** Default: the build our headless sessions run (the headless shell when setup found one). */
export async function openReferenceRunner(
  executablePath = resolveToolPaths().chromiumHeadlessShell ?? resolveToolPaths().chromium ?? DEFAULT_CHROMIUM_PATH,
): Promise<ReferenceRunner> {
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    // The workers' own flags, so both runners drive the same browser the same way (ours come last: Chromium
    // honours the last --disable-features).
    args: DEFAULT_CHROMIUM_ARGS,
    defaultViewport: null,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  return {
    browser,
    async replay(flow, options = {}) {
      const started = Date.now();
      const context = await browser.createBrowserContext();
      try {
        const page = await context.newPage();
        const extension = new IndexedExtension(browser, page, options.timeoutMs ?? flow.timeout ?? 5000, flow.steps);
        const runner = await createRunner(flow, extension);
        try {
          await runner.run();
          return { passed: true, durationMs: Date.now() - started };
        } catch (err) {
          return { passed: false, failedStep: extension.current, message: err instanceof Error ? err.message : String(err), durationMs: Date.now() - started };
        }
      } finally {
        await context.close().catch(() => undefined);
      }
    },
    close: () => browser.close(),
  };
}
