import { readFile } from 'node:fs/promises';
import type { SupabaseClient } from '@supabase/supabase-js';
import { artifactPath, CONTENT_TYPES, type ArtifactKey, type ArtifactKind, type ArtifactRef, type ArtifactStore } from './artifact-store';

/**
 * Artifacts kept locally (reports read them there) and uploaded to one Storage bucket, path
 * <jobId>/row-<n>/attempt-<k>/<file>, each with its execution_artifacts row (for the portal and for cleanup).
 */
export class SupabaseArtifactStore implements ArtifactStore {
  constructor(
    private readonly local: ArtifactStore,
    private readonly db: SupabaseClient,
    private readonly bucket: string,
  ) {}

  async keep(key: ArtifactKey, kind: ArtifactKind, file: string): Promise<ArtifactRef> {
    const kept = await this.local.keep(key, kind, file);
    const storagePath = artifactPath(key, kind);
    const body = await readFile(kept.location);
    const upload = () => this.db.storage.from(this.bucket).upload(storagePath, body, { contentType: CONTENT_TYPES[kind], upsert: true });
    let { error } = await upload();
    if (error && /bucket not found/i.test(error.message)) {
      // First artifact of this deployment: create the private bucket rather than demand a manual step.
      await this.db.storage.createBucket(this.bucket, { public: false });
      ({ error } = await upload());
    }
    if (error) throw new Error(`artifact upload failed: ${error.message}`);
    const { error: rowError } = await this.db.from('execution_artifacts').upsert(
      {
        id: `${key.jobId}:${key.row}:${key.attempt}:${kind}`,
        job_id: key.jobId,
        row_index: key.row,
        attempt: key.attempt,
        kind,
        bucket: this.bucket,
        storage_path: storagePath,
        bytes: kept.bytes,
      },
      { onConflict: 'id' },
    );
    if (rowError) throw new Error(`Supabase: ${rowError.message}`);
    return { ...kept, storagePath };
  }
}
