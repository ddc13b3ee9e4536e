import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RowResult } from './types';

/**
 * Per-row results as JSON Lines, one directory per job and one file per batch. A batch is written to a temp
 * file and renamed, so a retried activity rewrites the same part instead of appending duplicates.
 */
export async function writeResultsPart(rootDir: string, jobId: string, part: number, results: RowResult[]): Promise<string> {
  const dir = resolve(rootDir, jobId);
  await mkdir(dir, { recursive: true });
  const file = join(dir, `part-${String(part).padStart(6, '0')}.jsonl`);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, results.map((r) => JSON.stringify(r)).join('\n') + '\n');
  await rename(tmp, file);
  return dir;
}

/**
 * Records, beside the original job's results, that `link.jobId` reruns some of its rows: one file per rerun,
 * so a retried activity rewrites it. The original's summary (read through ExecutionClient) lists them.
 */
export async function writeRerunLink(rootDir: string, originalJobId: string, link: { jobId: string; rows: number[] }): Promise<void> {
  const dir = resolve(rootDir, originalJobId, 'reruns');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${link.jobId}.json`), JSON.stringify(link) + '\n');
}

export async function readRerunLinks(location: string): Promise<Array<{ jobId: string; rows: number[] }>> {
  const dir = join(location, 'reruns');
  const files = await readdir(dir).catch(() => [] as string[]);
  const links = await Promise.all(
    files
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8'))),
  );
  return links;
}

/** Every row's result of a job, in row order, from the directory a summary's `resultsLocation` names. */
export async function readRowResults(location: string): Promise<RowResult[]> {
  const parts = (await readdir(location)).filter((f) => /^part-\d+\.jsonl$/.test(f)).sort();
  const rows: RowResult[] = [];
  for (const part of parts) {
    const text = await readFile(join(location, part), 'utf8');
    for (const line of text.split('\n')) if (line.trim()) rows.push(JSON.parse(line));
  }
  return rows.sort((a, b) => a.row - b.row);
}
