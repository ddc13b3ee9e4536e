/**
 * Worker-side timestamps: the bench wraps the lease call of the worker's own SessionRegistry instance
 * (RunnerWorker.sessions), the first thing runRowAttempt does, and listens to the worker's step feed:
 *   lease(...)       entry = the attempt began executing on the worker; resolved = context + page open
 *   step feed        each step attempt's start (after think time or backoff)
 *   session.ended    the session was closed (or lost)
 * The wrapper only records Date.now() and delegates.
 */
import type { SessionRegistry } from '../../src/browser/session-registry';
import type { StepFeed } from '../../src/worker/step-feed';

export interface SessionTrace {
  jobId: string;
  row: number;
  attempt: number;
  /** runRowAttempt began (sessions.lease called). */
  leaseCalledAt: number;
  /** BrowserContext + page ready (sessions.lease resolved). */
  leasedAt?: number;
  /** Start of each step attempt, in order. */
  stepStarts: number[];
  endedAt?: number;
}

export class WorkerProbe {
  readonly traces: SessionTrace[] = [];

  constructor(registry: SessionRegistry, feed: StepFeed) {
    const lease = registry.lease.bind(registry);
    registry.lease = async (request) => {
      const { jobId, row, attempt } = request.holder;
      const trace: SessionTrace = { jobId, row, attempt, leaseCalledAt: Date.now(), stepStarts: [] };
      this.traces.push(trace);
      const leased = await lease(request);
      trace.leasedAt = Date.now();
      void leased.session.ended.then(() => (trace.endedAt = Date.now()));
      return leased;
    };
    feed.subscribe((n) => {
      if (n.event !== 'started') return;
      this.traces.find((t) => t.jobId === n.jobId && t.row === n.row && t.attempt === n.sessionAttempt)?.stepStarts.push(n.at);
    });
  }

  forJob(jobId: string): SessionTrace[] {
    return this.traces.filter((t) => t.jobId === jobId);
  }

  /** The trace of a row's first session (attempt 0). */
  row(jobId: string, row: number): SessionTrace | undefined {
    return this.traces.find((t) => t.jobId === jobId && t.row === row && t.attempt === 0);
  }
}
