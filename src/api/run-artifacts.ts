/**
 * A finished row's files as the Runs API links them: its failure screenshot and the traces and videos its
 * attempts kept. The files stay where the worker wrote them (SCREENSHOT_DIR, ARTIFACT_DIR); the API serves them
 * when it shares those directories with the workers (like RESULTS_DIR), and names each file's Storage object when
 * the mirror uploaded it.
 */
import { resolve, sep } from 'node:path';
import type { RowResult } from '../results/types';

export const ARTIFACT_KINDS = ['screenshot', 'trace', 'video'] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

/** How each kind of file is served: its content type and the extension of its download name. */
export const ARTIFACT_FILES: Record<ArtifactKind, { contentType: string; extension: string }> = {
  screenshot: { contentType: 'image/png', extension: 'png' },
  trace: { contentType: 'application/zip', extension: 'zip' },
  video: { contentType: 'video/webm', extension: 'webm' },
};

export interface RowArtifact {
  row: number;
  kind: ArtifactKind;
  /** The row's session attempt that kept it (traces and videos). */
  attempt?: number;
  bytes?: number;
  /** Object path in SUPABASE_ARTIFACT_BUCKET, when the mirror uploaded it. */
  storagePath?: string;
  /** Where the API serves it. */
  url: string;
  /** The file on the worker that wrote it. */
  location: string;
}

export function rowArtifacts(runId: string, result: RowResult): RowArtifact[] {
  const base = `/api/v1/runs/${runId}/rows/${result.row}/artifacts`;
  const files: RowArtifact[] = [];
  if (result.screenshot) files.push({ row: result.row, kind: 'screenshot', url: `${base}/screenshot`, location: result.screenshot });
  for (const a of result.artifacts ?? []) {
    files.push({
      row: result.row,
      kind: a.kind,
      attempt: a.attempt,
      bytes: a.bytes,
      ...(a.storagePath ? { storagePath: a.storagePath } : {}),
      url: `${base}/${a.kind}?attempt=${a.attempt}`,
      location: a.location,
    });
  }
  return files;
}

/** Only files inside the directories workers write artifacts to are served, whatever a result names. */
export function servable(location: string, dirs: string[]): boolean {
  const file = resolve(location);
  return dirs.some((dir) => file.startsWith(resolve(dir) + sep));
}
