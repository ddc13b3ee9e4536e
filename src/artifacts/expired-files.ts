import { readdir, rm, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** What one cleanup removed from a local directory. */
export interface LocalRemoval {
  files: number;
  bytes: number;
}

/**
 * Deletes every file under `root` last written before `before` (ms since the epoch), then the directories
 * left empty. A missing root removes nothing.
 */
export async function removeFilesOlderThan(root: string, before: number): Promise<LocalRemoval> {
  const removed: LocalRemoval = { files: 0, bytes: 0 };
  const walk = async (dir: string): Promise<boolean> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
    if (!entries) return false;
    let left = entries.length;
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (await walk(path)) left--;
        continue;
      }
      const info = await stat(path).catch(() => undefined);
      if (info && info.mtimeMs < before) {
        await rm(path, { force: true });
        removed.files++;
        removed.bytes += info.size;
        left--;
      }
    }
    if (left > 0 || dir === root) return false;
    return rmdir(dir).then(
      () => true,
      () => false,
    );
  };
  await walk(root);
  return removed;
}

/** Deletes each job's results directory under `root` whose newest file was written before `before`. */
export async function removeResultDirsOlderThan(root: string, before: number): Promise<{ jobs: number; bytes: number }> {
  const removed = { jobs: 0, bytes: 0 };
  const jobs = await readdir(root, { withFileTypes: true }).catch(() => []);
  for (const job of jobs.filter((e) => e.isDirectory())) {
    const dir = join(root, job.name);
    const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
    const infos = await Promise.all(files.map((f) => stat(join(f.parentPath, f.name))));
    if (infos.length && infos.some((i) => i.mtimeMs >= before)) continue;
    await rm(dir, { recursive: true, force: true });
    removed.jobs++;
    removed.bytes += infos.reduce((n, i) => n + i.size, 0);
  }
  return removed;
}
