import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../recording/input-error';
import type { SecretColumnMatcher } from '../recording/secrets';
import type { Step } from '../recording/types';
import { buildReport, REPORT_FILE_NAMES, REPORT_FORMATS, rowKeysFromCsv, type ReportFormat } from '../results/reports';
import type { ExecutionClient } from './execution-client';

/** "html,junit" → ['html', 'junit']; an unknown name is an input error (exit 2) before anything starts. */
export function parseReportFormats(value: string, option: string): ReportFormat[] {
  const names = value
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const unknown = names.filter((f) => !(REPORT_FORMATS as readonly string[]).includes(f));
  if (names.length === 0 || unknown.length) {
    throw new InputError(`${option} must be one or more of ${REPORT_FORMATS.join(', ')} (comma separated), got "${value}"`);
  }
  return [...new Set(names)] as ReportFormat[];
}

export interface ReportContext {
  /** The job's CSV: rows are named by its key column (never a secret one). */
  csv?: string;
  keyColumn?: string;
  isSecret: SecretColumnMatcher;
  steps?: readonly Step[];
}

/** Builds one report of a finished job from its summary and every row's result (RESULTS_DIR). */
export async function jobReport(
  client: ExecutionClient,
  jobId: string,
  format: ReportFormat,
  ctx: ReportContext,
  linkBase?: string,
): Promise<string> {
  const summary = await client.getResult(jobId);
  const rows = await client.getAllRowResults(jobId);
  const rowKeys = ctx.csv ? rowKeysFromCsv(ctx.csv, ctx.isSecret, ctx.keyColumn) : undefined;
  return buildReport(format, { summary, rows, rowKeys, steps: ctx.steps, linkBase });
}

/** Writes each format to `outDir` under its usual name (report.html, junit.xml, results.json); returns the paths. */
export async function writeJobReports(
  client: ExecutionClient,
  jobId: string,
  formats: ReportFormat[],
  outDir: string,
  ctx: ReportContext,
): Promise<string[]> {
  const dir = resolve(outDir);
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const format of formats) {
    const path = join(dir, REPORT_FILE_NAMES[format]);
    await writeFile(path, await jobReport(client, jobId, format, ctx, dir));
    paths.push(path);
  }
  return paths;
}

export async function writeReportFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(resolve(path)), { recursive: true });
  await writeFile(path, text);
}
