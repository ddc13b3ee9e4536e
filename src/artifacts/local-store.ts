import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { artifactPath, type ArtifactKey, type ArtifactKind, type ArtifactRef, type ArtifactStore } from './artifact-store';

/** Artifacts as files under `rootDir` (ARTIFACT_DIR): <jobId>/row-<n>/attempt-<k>/trace.zip | video.webm. */
export class LocalArtifactStore implements ArtifactStore {
  readonly rootDir: string;

  constructor(rootDir: string) {
    this.rootDir = resolve(rootDir);
  }

  async keep(key: ArtifactKey, kind: ArtifactKind, file: string): Promise<ArtifactRef> {
    const target = join(this.rootDir, artifactPath(key, kind));
    await mkdir(dirname(target), { recursive: true });
    try {
      await rename(file, target);
    } catch (err) {
      // Another filesystem (a mounted volume): copy, then drop the original.
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      await copyFile(file, target);
      await rm(file, { force: true });
    }
    const { size } = await stat(target);
    return { kind, attempt: key.attempt, location: target, bytes: size };
  }
}
