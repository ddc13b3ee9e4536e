/**
 * Scrapes every running replica's /metrics at a fixed interval, as Prometheus would (each replica its own
 * `instance`), and keeps the rounds for the alert-rule evaluation (alert-rules.ts).
 */
import type { Fleet } from './fleet';

export interface ScrapeRound {
  /** ms since the first round. */
  at: number;
  /** Sample key `name{labels}` (instance and job added) → value. */
  values: Record<string, number>;
}

/** `name{a="b"} 1` → [`name{a="b",instance="w1",job="recorder-runner"}`, 1]; comments and bad lines skipped. */
export function parseSamples(text: string, instance: string): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    if (!m) continue;
    const value = Number(/^[+-]?inf/i.test(m[3]) ? (m[3].startsWith('-') ? -Infinity : Infinity) : m[3]);
    const labels = [m[2], `instance="${instance}"`, 'job="recorder-runner"'].filter(Boolean).join(',');
    out.push([`${m[1]}{${labels}}`, value]);
  }
  return out;
}

export class MetricsRecorder {
  readonly samples: ScrapeRound[] = [];
  private readonly started = Date.now();
  private readonly timer: NodeJS.Timeout;
  private lastAt = -Infinity;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly fleet: Fleet,
    readonly intervalMs: number,
  ) {
    this.timer = setInterval(() => void this.scrapeOnce(), intervalMs);
  }

  /**
   * One round, in the slot after the previous round's at the latest: rounds keep the order they started in even
   * when a slow scrape answers after a later one, so the last round is what the replicas said last.
   */
  scrapeOnce(): Promise<void> {
    const at = Math.max(Math.round((Date.now() - this.started) / this.intervalMs) * this.intervalMs, this.lastAt + this.intervalMs);
    this.lastAt = at;
    const round: ScrapeRound = { at, values: {} };
    const work = this.fleet.scrape().then((scraped) => {
      for (const [instance, text] of scraped) for (const [key, value] of parseSamples(text, instance)) round.values[key] = value;
      this.samples.push(round);
      this.samples.sort((a, b) => a.at - b.at);
    });
    this.inFlight.add(work);
    return work.finally(() => this.inFlight.delete(work));
  }

  /** No more rounds; resolves once the ones under way are in. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.inFlight);
  }
}
