/**
 * Worker-side timestamps without touching src/: the bench wraps three methods of the worker's own
 * SessionRegistry instance (RunnerWorker.sessions), which the activities call first thing:
 *   holdSession → sessions.open(...)   (entry = the holder activity began executing on the worker)
 *   runStep     → sessions.get(id)     (entry = a step activity began executing, before think time/templating)
 *   release     → sessions.release(id) (releaseSession activity, or the holder's finally)
 * The wrappers only record Date.now() and delegate; they add well under a microsecond per call.
 */
import type { SessionRegistry } from '../../src/activities/session-registry';

export interface SessionTrace {
  jobId: string;
  row: number;
  /** holdSession began (sessions.open called). */
  openCalledAt: number;
  /** BrowserContext + page ready (sessions.open resolved). */
  openedAt?: number;
  sessionId?: string;
  /** Every runStep activity entry for this session, in order (retries included). */
  stepStarts: number[];
  releaseCalledAt?: number;
  releasedAt?: number;
}

export class WorkerProbe {
  readonly traces: SessionTrace[] = [];
  private readonly bySession = new Map<string, SessionTrace>();

  constructor(registry: SessionRegistry) {
    const open = registry.open.bind(registry);
    const get = registry.get.bind(registry);
    const release = registry.release.bind(registry);
    registry.open = async (args) => {
      const trace: SessionTrace = { jobId: args.jobId, row: args.row, openCalledAt: Date.now(), stepStarts: [] };
      this.traces.push(trace);
      const held = await open(args);
      trace.openedAt = Date.now();
      trace.sessionId = held.session.id;
      this.bySession.set(held.session.id, trace);
      return held;
    };
    registry.get = (sessionId) => {
      this.bySession.get(sessionId)?.stepStarts.push(Date.now());
      return get(sessionId);
    };
    registry.release = async (sessionId) => {
      const trace = this.bySession.get(sessionId);
      if (trace && trace.releaseCalledAt === undefined) trace.releaseCalledAt = Date.now();
      await release(sessionId);
      if (trace && trace.releasedAt === undefined) trace.releasedAt = Date.now();
    };
  }

  forJob(jobId: string): SessionTrace[] {
    return this.traces.filter((t) => t.jobId === jobId);
  }

  /** The trace of a row's first session (attempt 0). */
  row(jobId: string, row: number): SessionTrace | undefined {
    return this.traces.find((t) => t.jobId === jobId && t.row === row);
  }
}
