import { parseArgs } from 'node:util';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { EnvError, loadEnv } from '../config/env';
import { InputError } from '../recording/input-error';
import { PayloadKeyError } from '../temporal/payload-key';
import type { Step } from '../recording/types';
import type { JobSummary } from '../workflows/types';
import { ExecutionClient, validateExecution } from './execution-client';
import { configFromRunOptions, readInput, RUN_OPTIONS, stringOptions } from './run-options';
import { scheduleCommand, SCHEDULE_USAGE } from './schedule-cli';
import { formatSummary } from './format-summary';
import { waitWithProgress } from './wait-with-progress';
import { rerunFailedInput } from './rerun';
import { jobReport, parseReportFormats, writeJobReports, writeReportFile, type ReportContext } from './job-reports';
import { secretColumnMatcher } from '../recording/secrets';
import { dirname, join, resolve } from 'node:path';

export const EXIT = { PASSED: 0, FAILED: 1, INVALID_INPUT: 2, CANCELLED_OR_ERROR: 3 } as const;

const USAGE = `Usage:
  npm run client -- run <recording.json> [--csv <file>] [--concurrency N] [--browser chromium|firefox|webkit]
                       [--timing realistic|fast|instant] [--speed X] [--screenshots off|on-failure|every-step]
                       [--trace off|on|retain-on-failure] [--video off|on|retain-on-failure]
                       [--headed] [--default name=value ...] [--priority 1-5] [--fairness-key K] [--fairness-weight W]
                       [--notify URL [--notify-format json|slack] [--notify-events started,ended,rowFailed]]
                       [--job-id ID] [--wait] [--json]
                       [--report html,junit,json --out DIR]   (with --wait: reports written to DIR)
  npm run client -- report <jobId> --format html|junit|json [--out FILE] [--csv <file>] [--key-column NAME]
  npm run client -- rerun <jobId> --failed [--job-id ID] [--wait] [--json] [--report ... --out DIR]
  npm run client -- status <jobId>
  npm run client -- result <jobId> [--json]
  npm run client -- cancel <jobId>
${SCHEDULE_USAGE}
Exit codes: 0 all rows passed, 1 a row failed, 2 invalid input or configuration (nothing started), 3 cancelled or other error.`;

export function exitCodeFor(summary: JobSummary): number {
  return summary.status === 'passed' ? EXIT.PASSED : summary.status === 'failed' ? EXIT.FAILED : EXIT.CANCELLED_OR_ERROR;
}

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...RUN_OPTIONS,
      ...stringOptions('report', 'format', 'out', 'key-column', 'job-id'),
      failed: { type: 'boolean' },
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
  if (!['run', 'rerun', 'report', 'status', 'result', 'cancel'].includes(command))
    throw new InputError(`Unknown command "${command}"\n${USAGE}`);
  if (!target) throw new InputError(`${command} needs ${command === 'run' ? 'a recording file' : 'a jobId'}\n${USAGE}`);

  // Read and validate local input before connecting, so bad input fails fast even with no server.
  const env = loadEnv();
  if (command === 'rerun' && !values.failed) throw new InputError('rerun needs --failed (it reruns the rows that failed)');
  const reportFormats = values.report !== undefined ? parseReportFormats(values.report, '--report') : undefined;
  if (reportFormats && !values.wait) throw new InputError('--report needs --wait (reports are written when the job ends)');
  const reportFormat = command === 'report' ? parseReportFormats(values.format ?? '', '--format') : undefined;
  if (reportFormat && reportFormat.length !== 1) throw new InputError('report --format takes one format (html, junit or json)');
  const reportCtx: ReportContext = {
    csv: values.csv ? readInput(values.csv, 'CSV') : undefined,
    keyColumn: values['key-column'],
    isSecret: secretColumnMatcher(env.SECRET_COLUMNS),
  };
  let input: Parameters<ExecutionClient['startExecution']>[0] | undefined;
  if (command === 'run') {
    const config = configFromRunOptions(values);
    input = {
      jobId: values['job-id'] ?? randomUUID(),
      recording: readInput(target, 'recording'),
      csv: reportCtx.csv,
      config,
      origin: { triggeredBy: 'cli' },
    };
    validateExecution(input, env);
    // Valid by now: the report shows the selectors a failing step tried, as recorded.
    reportCtx.steps = (JSON.parse(input.recording as string) as { steps: Step[] }).steps;
  }

  const client = await ExecutionClient.connect(env);
  try {
    switch (command) {
      case 'rerun':
      case 'run': {
        if (command === 'rerun') {
          input = await rerunFailedInput(client, target, values['job-id'] ?? randomUUID());
          reportCtx.csv = input.csv;
          console.error(`Rerunning failed row(s) ${input.rerunOf!.rows.join(', ')} of ${target}`);
        }
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
        if (reportFormats) {
          const outDir = values.out ?? join('artifacts', 'reports', started.jobId);
          for (const path of await writeJobReports(client, started.jobId, reportFormats, outDir, reportCtx))
            console.error(`Report: ${path}`);
        }
        return exitCodeFor(summary);
      }
      case 'report': {
        const format = reportFormat![0];
        const text = await jobReport(client, target, format, reportCtx, values.out ? dirname(resolve(values.out)) : undefined);
        if (!values.out) process.stdout.write(text);
        else {
          await writeReportFile(values.out, text);
          console.error(`Report: ${resolve(values.out)}`);
        }
        return EXIT.PASSED;
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
    return args[0] === 'schedule' ? await scheduleCommand(args.slice(1)) : await run(args);
  } catch (err) {
    if (err instanceof InputError) {
      console.error(`Invalid input: ${err.message}`);
      return EXIT.INVALID_INPUT;
    }
    if (err instanceof EnvError || err instanceof PayloadKeyError) {
      console.error(err.message);
      return EXIT.INVALID_INPUT;
    }
    // By its code, not `instanceof TypeError`: Node's own errors come from another realm under a test runner's VM.
    if (String((err as NodeJS.ErrnoException | undefined)?.code).startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(err as Error).message}\n${USAGE}`);
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
    if (err instanceof ScheduleNotFoundError) {
      console.error(`No such schedule: ${err.scheduleId}`);
      return EXIT.CANCELLED_OR_ERROR;
    }
    if (err instanceof ScheduleAlreadyRunning) {
      console.error(`Schedule ${err.scheduleId} already exists: delete it first or pick another id`);
      return EXIT.INVALID_INPUT;
    }
    if (err instanceof WorkflowNotFoundError) {
      console.error(`No such job: ${err.message}`);
      return EXIT.CANCELLED_OR_ERROR;
    }
    console.error(`Error: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT.CANCELLED_OR_ERROR;
  }
}
