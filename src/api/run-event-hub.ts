/**
 * Live events of runs for the API's event streams. One poller per watched run (however many clients follow it)
 * tails the run's event file (src/results/run-events.ts) and checks whether the job has closed; each client gets
 * the events after its Last-Event-ID, in file order. When the job closes, the file is read to its end (workers
 * write an attempt's events before reporting it), a last `run` event follows with the next id, and the streams end.
 */
import { readRunEvents, runEventsFile, type RunEvent } from '../results/run-events';
import type { RunView } from './run-view';

/** File events as they are (`run` running, rows, steps), then a last `run` event: the run's final view. */
export type StreamEvent = { id: number; type: RunEvent['type']; data: RunEvent } | { id: number; type: 'run'; data: RunView };

interface Subscriber {
  next: number;
  send(event: StreamEvent): void;
  end(): void;
}

interface Watched {
  events: RunEvent[];
  nextByte: number;
  subscribers: Set<Subscriber>;
  timer?: NodeJS.Timeout;
  lastClosedCheck: number;
  busy: boolean;
}

export interface RunEventHubOptions {
  resultsDir: string;
  /** The run's final view once its job has closed; undefined while it runs. */
  closedView(runId: string): Promise<RunView | undefined>;
  pollMs?: number;
  closedCheckMs?: number;
}

export class RunEventHub {
  private readonly runs = new Map<string, Watched>();
  private readonly pollMs: number;
  private readonly closedCheckMs: number;

  constructor(private readonly opts: RunEventHubOptions) {
    this.pollMs = opts.pollMs ?? 100;
    this.closedCheckMs = opts.closedCheckMs ?? 500;
  }

  /** Streams events with id > afterId; returns the unsubscribe. */
  subscribe(runId: string, afterId: number, send: Subscriber['send'], end: Subscriber['end']): () => void {
    let watched = this.runs.get(runId);
    if (!watched) {
      watched = { events: [], nextByte: 0, subscribers: new Set(), lastClosedCheck: 0, busy: false };
      this.runs.set(runId, watched);
      const w = watched;
      w.timer = setInterval(() => void this.tick(runId, w), this.pollMs);
      void this.tick(runId, w);
    }
    const sub: Subscriber = { next: afterId + 1, send, end };
    watched.subscribers.add(sub);
    this.deliver(watched, sub);
    const w = watched;
    return () => {
      w.subscribers.delete(sub);
      if (w.subscribers.size === 0) this.stop(runId, w);
    };
  }

  close(): void {
    for (const [runId, w] of this.runs) {
      for (const sub of w.subscribers) sub.end();
      this.stop(runId, w);
    }
  }

  private stop(runId: string, w: Watched) {
    clearInterval(w.timer);
    if (this.runs.get(runId) === w) this.runs.delete(runId);
  }

  private deliver(w: Watched, sub: Subscriber) {
    while (sub.next <= w.events.length) {
      const data = w.events[sub.next - 1];
      sub.send({ id: sub.next, type: data.type, data } as StreamEvent);
      sub.next++;
    }
  }

  private async readMore(runId: string, w: Watched) {
    const { events, nextByte } = await readRunEvents(runEventsFile(this.opts.resultsDir, runId), w.nextByte);
    w.nextByte = nextByte;
    w.events.push(...events);
  }

  private async tick(runId: string, w: Watched) {
    if (w.busy) return;
    w.busy = true;
    try {
      await this.readMore(runId, w);
      for (const sub of w.subscribers) this.deliver(w, sub);
      if (Date.now() - w.lastClosedCheck < this.closedCheckMs) return;
      w.lastClosedCheck = Date.now();
      const final = await this.opts.closedView(runId);
      if (!final) return;
      await this.readMore(runId, w);
      const finalId = w.events.length + 1;
      for (const sub of w.subscribers) {
        this.deliver(w, sub);
        if (sub.next === finalId) sub.send({ id: finalId, type: 'run', data: final });
        sub.end();
      }
      w.subscribers.clear();
      this.stop(runId, w);
    } catch {
      // A transient read or Temporal error: the next tick tries again.
    } finally {
      w.busy = false;
    }
  }
}
