/**
 * Bench options, from argv (`--name=value`, `--flag`) or env (`BENCH_NAME=value`). `--quick` scales every
 * benchmark down to a smoke run (CI); explicit options still win over the quick defaults.
 */
export const BENCHMARKS = ['p1', 'p2', 'replay', 'suite', 'p3', 'p4', 'cancel', 'mirror', 'flags', 'artifacts', 'api'] as const;
export type BenchName = (typeof BENCHMARKS)[number];

export interface BenchOptions {
  quick: boolean;
  only: BenchName[];
  /** P1: measured jobs (after one warm-up job). */
  p1Samples: number;
  /** P2: rows, steps per row, concurrency, repetitions of (system, plain, engine). */
  p2Rows: number;
  p2Steps: number;
  p2Concurrency: number;
  p2Reps: number;
  /** Against @puppeteer/replay: CSV rows and alternating repetitions (system, reference). */
  replayRows: number;
  replayReps: number;
  /** Recorder suite: replays of each recording per runner. */
  suiteReps: number;
  /** P3: concurrent sessions to measure at. */
  p3Levels: number[];
  /** P4: rows and steps per job, and the concurrencies. */
  p4Rows: number;
  p4Steps: number;
  p4Levels: number[];
  /** Mirror overhead: measured rounds (one off + one on job each), rows, steps per row, concurrency. */
  mirrorRounds: number;
  mirrorRows: number;
  mirrorSteps: number;
  mirrorConcurrency: number;
  /** Cancel: repetitions and sessions open at each. */
  cancelReps: number;
  cancelSessions: number;
  /** Worker log level (pino); the default keeps the table readable. */
  logLevel: string;
  /** Write bench/results/<timestamp>.json. */
  write: boolean;
  /** Exit 1 when a target is missed (default: report only). */
  strict: boolean;
  /**
   * Keep tsx's source-map support on. Off by default: the production image runs compiled JS without source
   * maps, and with them on every stack trace (Playwright captures one per API call) is source-mapped.
   */
  sourceMaps: boolean;
  /**
   * Extra dynamic config for the dev server (`key=value`), e.g. history.transferProcessorMaxPollRPS=1000.
   * Empty (default): the server exactly as src/temporal/dev-server.ts starts it.
   */
  serverConfig: string[];
  /** Before starting, wait up to this many seconds for the machine to be quiet (< 0.3 cores busy). 0: don't. */
  waitIdle: number;
}

const USAGE = `usage: npm run bench -- [--quick] [--only=p1,p2,replay,suite,p3,p4,cancel,mirror,flags,artifacts,api] [--p1-samples=N]
  [--p2-rows=N] [--p2-steps=N] [--p2-concurrency=N] [--p2-reps=N] [--replay-rows=N] [--replay-reps=N] [--suite-reps=N] [--p3-levels=1,2,4,8]
  [--p4-rows=N] [--p4-steps=N] [--p4-levels=1,2,4] [--cancel-reps=N] [--cancel-sessions=N]
  [--mirror-rounds=N] [--mirror-rows=N] [--mirror-steps=N] [--mirror-concurrency=N]
  [--log-level=warn] [--no-write] [--strict] [--wait-idle=SECONDS] [--source-maps]
  [--server-config=key=value,key=value]  (extra dev-server dynamic config, to compare a tuned server)
  (each also as env BENCH_<NAME>, e.g. BENCH_QUICK=1 BENCH_P1_SAMPLES=20)`;

/** Settle time and samples for memory readings: shorter in a quick run, whose numbers are not the point. */
export const memorySampling = (o: BenchOptions) => (o.quick ? { settleMs: 300, samples: 2 } : { settleMs: 1500, samples: 5 });

export function parseOptions(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const given = new Map<string, string>();
  for (const [k, v] of Object.entries(env)) {
    if (k.startsWith('BENCH_') && v !== undefined && v !== '') given.set(k.slice(6).toLowerCase().replace(/_/g, '-'), v);
  }
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    const m = /^--(no-)?([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unknown argument ${arg}\n${USAGE}`);
    given.set(m[2], m[1] ? 'false' : (m[3] ?? 'true'));
  }
  const known = new Set(['quick', 'only', 'p1-samples', 'p2-rows', 'p2-steps', 'p2-concurrency', 'p2-reps', 'replay-rows', 'replay-reps', 'suite-reps', 'p3-levels', 'p4-rows', 'p4-steps', 'p4-levels', 'mirror-rounds', 'mirror-rows', 'mirror-steps', 'mirror-concurrency', 'cancel-reps', 'cancel-sessions', 'log-level', 'write', 'strict', 'wait-idle', 'source-maps', 'server-config']);
  for (const k of given.keys()) if (!known.has(k)) throw new Error(`unknown option --${k}\n${USAGE}`);

  const flag = (k: string, def: boolean) => (given.has(k) ? /^(1|true|yes)$/i.test(given.get(k)!) : def);
  const quick = flag('quick', false);
  const int = (k: string, full: number, q: number, min = 1) => {
    const raw = given.get(k);
    if (raw === undefined) return quick ? q : full;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${k} must be an integer >= ${min} (got ${raw})`);
    return n;
  };
  const list = (k: string, full: number[], q: number[]) => {
    const raw = given.get(k);
    if (raw === undefined) return quick ? q : full;
    const xs = raw.split(',').map(Number);
    if (xs.some((x) => !Number.isInteger(x) || x < 1)) throw new Error(`--${k} must be a comma-separated list of integers >= 1 (got ${raw})`);
    return xs;
  };
  const only = (given.get('only')?.split(',').map((s) => s.trim().toLowerCase()) ?? [...BENCHMARKS]) as BenchName[];
  for (const b of only) if (!BENCHMARKS.includes(b)) throw new Error(`--only: unknown benchmark ${b} (expected ${BENCHMARKS.join(', ')})`);

  return {
    quick,
    only,
    p1Samples: int('p1-samples', 50, 2),
    p2Rows: int('p2-rows', 20, 2),
    p2Steps: int('p2-steps', 25, 5),
    p2Concurrency: int('p2-concurrency', 4, 2),
    p2Reps: int('p2-reps', 3, 1),
    replayRows: int('replay-rows', 12, 2),
    replayReps: int('replay-reps', 3, 1),
    suiteReps: int('suite-reps', 3, 1),
    p3Levels: list('p3-levels', [1, 2, 4, 8], [1, 2]),
    p4Rows: int('p4-rows', 12, 2),
    p4Steps: int('p4-steps', 10, 3),
    p4Levels: list('p4-levels', [1, 2, 4], [1, 2]),
    mirrorRounds: int('mirror-rounds', 6, 1),
    mirrorRows: int('mirror-rows', 8, 2),
    mirrorSteps: int('mirror-steps', 10, 5),
    mirrorConcurrency: int('mirror-concurrency', 2, 2),
    cancelReps: int('cancel-reps', 5, 1),
    cancelSessions: int('cancel-sessions', 4, 1),
    logLevel: given.get('log-level') ?? 'warn',
    write: flag('write', true),
    strict: flag('strict', false),
    waitIdle: int('wait-idle', 0, 0, 0),
    sourceMaps: flag('source-maps', false),
    serverConfig: (given.get('server-config') ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  };
}
