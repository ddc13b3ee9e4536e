/**
 * Where a row's traces and videos go once kept: one small interface, a local directory by default
 * (local-store.ts) and Supabase Storage when the mirror is on (supabase-artifact-store.ts).
 */
import type { ArtifactRef } from '../results/types';

export type { ArtifactRef } from '../results/types';
export type ArtifactKind = ArtifactRef['kind'];

/** Which attempt of which row a file belongs to: its path in every store is <jobId>/row-<row>/attempt-<attempt>/. */
export interface ArtifactKey {
  jobId: string;
  row: number;
  attempt: number;
}

export interface ArtifactStore {
  /** Takes `file` (moved, not copied) as the `kind` artifact of `key`; returns where it now is. */
  keep(key: ArtifactKey, kind: ArtifactKind, file: string): Promise<ArtifactRef>;
}

export const ARTIFACT_FILE_NAMES: Record<ArtifactKind, string> = { trace: 'trace.zip', video: 'video.webm' };
export const CONTENT_TYPES: Record<ArtifactKind, string> = { trace: 'application/zip', video: 'video/webm' };

export const artifactPath = (key: ArtifactKey, kind: ArtifactKind): string =>
  `${key.jobId}/row-${key.row}/attempt-${key.attempt}/${ARTIFACT_FILE_NAMES[kind]}`;
