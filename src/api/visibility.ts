/** Visibility queries over execution jobs (search attributes: src/workflows/search-attributes.ts). */
export const quote = (value: string): string => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export const JOBS = `WorkflowType = "executionJob"`;

export const activeRunsQuery = (): string => `${JOBS} AND ExecutionStatus = "Running" AND Deleted = false`;

export function ownerRunsQuery(ownerId: string, filters: { status?: string; recordingId?: string }): string {
  const parts = [JOBS, `OwnerId = ${quote(ownerId)}`, `Deleted = false`];
  if (filters.status) parts.push(`RunStatus = ${quote(filters.status)}`);
  if (filters.recordingId) parts.push(`RecordingId = ${quote(filters.recordingId)}`);
  return parts.join(' AND ');
}
