import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { InputError } from '../recording/input-error';
import type { JobConfigInput } from '../config/job-config';
import type { JobSummary } from '../workflows/types';
import { ExecutionClient } from './execution-client';
import { formatSummary } from './format-summary';
import { waitWithProgress } from './wait-with-progress';

export const EXIT = { PASSED: 0, FAILED: 1, INVALID_INPUT: 2, CANCELLED_OR_ERROR: 3 } as const;

const USAGE = `Usage:
  npm run client -- run <recording.json> [--csv <file>] [--concurrency N] [--browser chromium|firefox|webkit]
                       [--timing realistic|fast|instant] [--speed X] [--screenshots off|on-failure|every-step]
                       [--headed] [--default name=value ...] [--job-id ID] [--wait] [--json]
  npm run client -- status <jobId>
  npm run client -- result <jobId> [--json]
  npm run client -- cancel <jobId>
Exit codes: 0 all rows passed, 1 a row failed, 2 invalid input (nothing started), 3 cancelled or other error.`;

export function exitCodeFor(summary: JobSummary): number {
  return summary.status === 'passed' ? EXIT.PASSED : summary.status === 'failed' ? EXIT.FAILED : EXIT.CANCELLED_OR_ERROR;
}

function readInput(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`Cannot read ${what} file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function numberOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InputError(`--${name} must be a number, got "${value}"`);
  return n;
}

function parseDefaults(pairs: string[] | undefined): Record<string, string> | undefined {
  if (!pairs?.length) return undefined;
  return Object.fromEntries(
    pairs.map((p) => {
      const eq = p.indexOf('=');
      if (eq <= 0) throw new InputError(`--default must be name=value, got "${p}"`);
      return [p.slice(0, eq), p.slice(eq + 1)];
    }),
  );
}

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      csv: { type: 'string' },
      concurrency: { type: 'string' },
      browser: { type: 'string' },
      timing: { type: 'string' },
      speed: { type: 'string' },
      screenshots: { type: 'string' },
      headed: { type: 'boolean' },
      default: { type: 'string', multiple: true },
      'job-id': { type: 'string' },
      wait: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, target] = positionals;
  if (values.help || !command) {
    console.error(USAGE);
    return values.help ? EXIT.PASSED : EXIT.INVALID_INPUT;
  }
  if (!['run', 'status', 'result', 'cancel'].includes(command)) throw new InputError(`Unknown command "${command}"\n${USAGE}`);
  if (!target) throw new InputError(`${command} needs ${command === 'run' ? 'a recording file' : 'a jobId'}\n${USAGE}`);

  // Read and validate local input before connecting, so bad input fails fast even with no server.
  let input: Parameters<ExecutionClient['startExecution']>[0] | undefined;
  if (command === 'run') {
    const config: JobConfigInput = {};
    const concurrency = numberOption(values.concurrency, 'concurrency');
    if (concurrency !== undefined) config.maxConcurrentRows = concurrency;
    const speed = numberOption(values.speed, 'speed');
    if (speed !== undefined) config.speedMultiplier = speed;
    if (values.browser) config.browser = values.browser as JobConfigInput['browser'];
    if (values.timing) config.timingMode = values.timing as JobConfigInput['timingMode'];
    if (values.screenshots) config.screenshots = values.screenshots as JobConfigInput['screenshots'];
    if (values.headed) config.headless = false;
    const defaults = parseDefaults(values.default);
    if (defaults) config.defaults = defaults;
    input = {
      jobId: values['job-id'] ?? randomUUID(),
      recording: readInput(target, 'recording'),
      csv: values.csv ? readInput(values.csv, 'CSV') : undefined,
      config,
    };
  }

  const client = await ExecutionClient.connect();
  try {
    switch (command) {
      case 'run': {
        const started = await client.startExecution(input!);
        if (!values.json) {
          console.error(
            `${started.existing ? 'Job already exists' : 'Started'} ${started.jobId} (workflow ${started.workflowId}, ${started.rows} row(s))`,
          );
        }
        if (!values.wait) {
          if (values.json) console.log(JSON.stringify(started));
          return EXIT.PASSED;
        }
        const summary = await waitWithProgress(client, started.jobId, !values.json && process.stderr.isTTY === true);
        console.log(values.json ? JSON.stringify(summary) : formatSummary(summary));
        return exitCodeFor(summary);
      }
      case 'status':
        console.log(JSON.stringify(await client.getProgress(target), null, 2));
        return EXIT.PASSED;
      case 'result': {
        const summary = await client.getResult(target);
        console.log(values.json ? JSON.stringify(summary) : formatSummary(summary));
        return exitCodeFor(summary);
      }
      default:
        await client.cancelExecution(target);
        console.error(`Cancel requested for ${target}`);
        return EXIT.PASSED;
    }
  } finally {
    await client.close();
  }
}

/** Runs the CLI and returns its exit code; errors become messages on stderr, never stack traces. */
export async function runCli(args: string[]): Promise<number> {
  try {
    return await run(args);
  } catch (err) {
    if (err instanceof InputError) {
      console.error(`Invalid input: ${err.message}`);
      return EXIT.INVALID_INPUT;
    }
    if (err instanceof TypeError && (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${err.message}\n${USAGE}`);
      return EXIT.INVALID_INPUT;
    }
    if (err instanceof WorkflowFailedError) {
      const cause = err.cause;
      if (cause instanceof ApplicationFailure && cause.type === 'InputError') {
        console.error(`Invalid input: ${cause.message}`);
        return EXIT.INVALID_INPUT;
      }
      if (cause instanceof CancelledFailure) {
        console.error('Job was cancelled before it reported results');
        return EXIT.CANCELLED_OR_ERROR;
      }
      console.error(`Job failed: ${cause?.message ?? err.message}`);
      return EXIT.CANCELLED_OR_ERROR;
    }
    if (err instanceof WorkflowNotFoundError) {
      console.error(`No such job: ${err.message}`);
      return EXIT.CANCELLED_OR_ERROR;
    }
    console.error(`Error: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT.CANCELLED_OR_ERROR;
  }
}
