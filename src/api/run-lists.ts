/**
 * GET /api/v1/runs from Temporal visibility, owner-scoped. Newest-first pages are read straight from
 * visibility (its native order); other orders sort the owner's matching runs in memory, up to LIST_SCAN_LIMIT.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { isMarkedDeleted } from './deleted-runs';
import { runIdOf, runView, statusOf, type RunView } from './run-view';
import type { ListQuery } from './schemas';
import { ownerRunsQuery } from './visibility';

export const LIST_SCAN_LIMIT = 1000;

type Info = Omit<WorkflowExecutionInfo, 'raw'>;

const sortKey: Record<ListQuery['sortBy'], (i: Info) => number | string> = {
  createdAt: (i) => i.startTime.getTime(),
  startedAt: (i) => (i.executionTime ?? i.startTime).getTime(),
  completedAt: (i) => i.closeTime?.getTime() ?? Number.MAX_SAFE_INTEGER,
  status: (i) => statusOf(i),
};

export async function listRuns(
  client: Client,
  resultsDir: string,
  ownerId: string,
  q: ListQuery,
): Promise<{ data: RunView[]; pagination: { page: number; limit: number; total: number; totalPages: number } }> {
  const query = ownerRunsQuery(ownerId, q);
  const { count: total } = await client.workflow.count(query);
  const skip = (q.page - 1) * q.limit;
  const native = q.sortBy === 'createdAt' && q.sortOrder === 'desc';
  const wanted = native ? skip + q.limit : Math.min(total, LIST_SCAN_LIMIT);
  const found: Info[] = [];
  if (skip < total) {
    for await (const info of client.workflow.list({ query, pageSize: Math.min(1000, Math.max(q.limit, wanted)) })) {
      if (isMarkedDeleted(resultsDir, runIdOf(info.workflowId))) continue;
      found.push(info);
      if (found.length >= wanted) break;
    }
  }
  if (!native) {
    const key = sortKey[q.sortBy];
    const dir = q.sortOrder === 'asc' ? 1 : -1;
    found.sort((a, b) => (key(a) < key(b) ? -dir : key(a) > key(b) ? dir : 0));
  }
  return {
    data: found.slice(skip, skip + q.limit).map((info) => runView(info)),
    pagination: { page: q.page, limit: q.limit, total, totalPages: Math.ceil(total / q.limit) },
  };
}
