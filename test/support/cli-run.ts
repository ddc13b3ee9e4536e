import { runCli } from '../../src/client/cli';

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
