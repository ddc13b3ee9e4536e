/** Markers of soft-deleted runs (RESULTS_DIR/.deleted/<run id>): hide a run until Temporal has deleted it. */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const marker = (resultsDir: string, id: string) => join(resolve(resultsDir), '.deleted', id);

export async function markDeleted(resultsDir: string, id: string): Promise<void> {
  await mkdir(join(resolve(resultsDir), '.deleted'), { recursive: true });
  await writeFile(marker(resultsDir, id), new Date().toISOString());
}

export const isMarkedDeleted = (resultsDir: string, id: string): boolean => existsSync(marker(resultsDir, id));
