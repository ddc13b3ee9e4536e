import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/client/cli';
import { startHarness, useHarnessEnvForCli, type Harness } from './harness';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI in this process, as a user's shell would see it: exit code, what went to stdout, what went to stderr. */
export async function runCliCapturing(args: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  const error = jest.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  // Reports go to stdout in one write, not through console.log.
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
  try {
    const code = await runCli(args);
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}

export interface CliHarness {
  /** The harness (Temporal, a worker, the site), once beforeAll has run. */
  readonly h: Harness;
  /** This suite's scratch directory. */
  readonly dir: string;
  /** Writes a file the CLI is to read into the scratch directory; its path. */
  file(name: string, content: string): string;
}

/**
 * For a describe block that drives the CLI: a harness with a worker, the CLI's environment pointed at it (plus
 * `env`), and a scratch directory, set up in beforeAll and torn down in afterAll.
 */
export function useCliHarness(opts: { siteRoot: string; env?: Record<string, string>; scratchPrefix: string }): CliHarness {
  let h: Harness | undefined;
  let dir: string | undefined;
  let restoreEnv: (() => void) | undefined;
  beforeAll(async () => {
    h = await startHarness({ siteRoot: opts.siteRoot });
    await h.startWorker();
    restoreEnv = useHarnessEnvForCli(h, opts.env);
    dir = mkdtempSync(join(tmpdir(), `${opts.scratchPrefix}-`));
  });
  afterAll(async () => {
    restoreEnv?.();
    await h?.close();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the CLI harness is set up in beforeAll');
    return value;
  };
  return {
    get h() {
      return ready(h);
    },
    get dir() {
      return ready(dir);
    },
    file(name, content) {
      const path = join(ready(dir), name);
      writeFileSync(path, content);
      return path;
    },
  };
}
