/**
 * Admission caps on active (queued or running) runs: one for the deployment, one per owner. Active runs are
 * read from Temporal visibility, which lags a start by a moment, so the runs this process admitted that
 * visibility does not show yet are counted too. Checks and starts are serialised in this process, so concurrent creates cannot all pass one
 * check; several API replicas may each overshoot by the starts of that lag.
 */
import type { Client } from '@temporalio/client';
import { ApiError } from './errors';
import { activeRunsQuery, quote } from './visibility';

export interface CapacityLimits {
  maxActiveRuns: number;
  maxActiveRunsPerOwner: number;
  retryAfterS: number;
}

/** How long an admitted run counts from memory, whatever visibility says (its indexing lag, generously). */
const RECENT_MS = 10_000;

export class Capacity {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly recent = new Map<string, { ownerId: string; at: number }>();

  constructor(
    private readonly client: Client,
    private readonly limits: CapacityLimits,
  ) {}

  /** Runs `start` only if both caps have room, one admission at a time. */
  admit<T>(ownerId: string, workflowId: string, start: () => Promise<T>): Promise<T> {
    const run = this.tail.then(async () => {
      await this.forgetIndexed();
      const [all, mine] = await Promise.all([
        this.activeIds(activeRunsQuery(), this.limits.maxActiveRuns),
        this.activeIds(`${activeRunsQuery()} AND OwnerId = ${quote(ownerId)}`, this.limits.maxActiveRunsPerOwner),
      ]);
      for (const [id, r] of this.recent) {
        all.add(id);
        if (r.ownerId === ownerId) mine.add(id);
      }
      const full = (what: string, limit: number) =>
        new ApiError('CAPACITY_EXCEEDED', `Too many active runs ${what} (limit ${limit}); retry later`, { limit }, this.limits.retryAfterS);
      if (all.size >= this.limits.maxActiveRuns) throw full('in this deployment', this.limits.maxActiveRuns);
      if (mine.size >= this.limits.maxActiveRunsPerOwner) throw full('for this owner', this.limits.maxActiveRunsPerOwner);
      const started = await start();
      this.recent.set(workflowId, { ownerId, at: Date.now() });
      return started;
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Admitted runs visibility already shows (running or not) are counted from visibility from now on. */
  private async forgetIndexed(): Promise<void> {
    const now = Date.now();
    for (const [id, r] of this.recent) if (now - r.at > RECENT_MS) this.recent.delete(id);
    if (this.recent.size === 0) return;
    const query = `WorkflowId IN (${[...this.recent.keys()].map(quote).join(', ')})`;
    for await (const info of this.client.workflow.list({ query })) this.recent.delete(info.workflowId);
  }

  /** Up to limit + 1 workflow ids matching the query: enough to tell whether the cap is reached. */
  private async activeIds(query: string, limit: number): Promise<Set<string>> {
    const ids = new Set<string>();
    for await (const info of this.client.workflow.list({ query, pageSize: Math.min(1000, limit + 1) })) {
      ids.add(info.workflowId);
      if (ids.size > limit) break;
    }
    return ids;
  }
}
