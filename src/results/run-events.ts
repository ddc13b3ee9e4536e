/**
 * A job's live events (row and step changes) as JSON Lines in RESULTS_DIR/<jobId>/events.jsonl: how the Runs
 * API's event stream learns what workers do without one workflow-history event per step and without the
 * Supabase mirror. Workers append (one write per line, O_APPEND, so replicas sharing the directory interleave
 * whole lines); an event's id is its line number, the same for every reader, so a stream resumed with
 * Last-Event-ID continues with exactly the next line. Needs RESULTS_DIR shared by workers and the API, like the
 * results files.
 */
import { mkdir, open, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

export type RunEvent =
  /** The job validated its input and starts its rows: always the file's first line. */
  | { type: 'run'; status: 'running'; rowsTotal: number; at: number }
  | {
      type: 'row';
      row: number;
      status: 'running' | 'passed' | 'failed' | 'cancelled' | 'restarting';
      sessionAttempt: number;
      at: number;
      error?: string;
    }
  | {
      type: 'step';
      row: number;
      sessionAttempt: number;
      stepIndex: number;
      stepType: string;
      attempt: number;
      event: 'started' | 'passed' | 'failed';
      durationMs?: number;
      errorType?: string;
      /** Row values already rewritten to their {{column}} placeholders (run-row.ts). */
      message?: string;
      at: number;
    };

export const runEventsFile = (resultsDir: string, jobId: string): string => join(resolve(resultsDir), jobId, 'events.jsonl');

/** A job's lines waiting for the write in flight, that write, and the file kept open between writes. */
interface JobLog {
  waiting: string[];
  /** The write that will carry `waiting` (absent: nothing waits). */
  next?: Promise<void>;
  /** The last write started: the next one begins after it, so lines stay in order. */
  tail: Promise<void>;
  /** Opened (directory made) by the first write, closed once the job's writes pause. */
  file?: Promise<FileHandle>;
  idle?: NodeJS.Timeout;
}

/** A job whose rows pause this long has its file closed (a running row's steps come far more often). */
const CLOSE_AFTER_IDLE_MS = 2_000;

/**
 * Appends events per job in order. Lines that arrive while a write is in flight go out together in the next
 * one, and the file stays open while events keep coming: a row's steps produce two events each, and a
 * mkdir, open and close per event would cost more than the step.
 */
export class RunEventLog {
  private readonly logs = new Map<string, JobLog>();
  constructor(private readonly resultsDir: string) {}

  /** Resolves when the write carrying this event is done (writes that fail are dropped: a live view, not a record). */
  append(jobId: string, event: RunEvent): Promise<void> {
    let log = this.logs.get(jobId);
    if (!log) {
      log = { waiting: [], tail: Promise.resolve() };
      this.logs.set(jobId, log);
    }
    clearTimeout(log.idle);
    log.waiting.push(JSON.stringify(event) + '\n');
    if (log.next) return log.next;
    const current = log;
    const write = current.tail
      .then(async () => {
        current.next = undefined;
        const lines = current.waiting.splice(0).join('');
        current.file ??= this.open(jobId);
        await (await current.file).appendFile(lines);
      })
      .catch(() => {
        // The next write opens the file again (its directory may have been removed meanwhile).
        const failed = current.file;
        current.file = undefined;
        void failed?.then((f) => f.close()).catch(() => undefined);
      });
    current.next = write;
    current.tail = write;
    void write.then(() => {
      if (current.tail !== write || current.next) return;
      current.idle = setTimeout(() => void this.closeJob(jobId, current), CLOSE_AFTER_IDLE_MS);
      current.idle.unref();
    });
    return write;
  }

  /** Resolves when everything appended so far is on disk. */
  async flush(): Promise<void> {
    await Promise.all([...this.logs.values()].map((log) => log.tail));
  }

  /** Flushes and closes every open file (the worker is stopping). */
  async close(): Promise<void> {
    await this.flush();
    await Promise.all([...this.logs].map(([jobId, log]) => this.closeJob(jobId, log)));
  }

  private async open(jobId: string): Promise<FileHandle> {
    const file = runEventsFile(this.resultsDir, jobId);
    await mkdir(dirname(file), { recursive: true });
    // O_APPEND: replicas sharing the directory each write whole lines at the end.
    return open(file, 'a');
  }

  private async closeJob(jobId: string, log: JobLog): Promise<void> {
    clearTimeout(log.idle);
    if (this.logs.get(jobId) === log && !log.next) this.logs.delete(jobId);
    const file = log.file;
    log.file = undefined;
    await file?.then((f) => f.close()).catch(() => undefined);
  }
}

/**
 * Starts the job's event file with its `run running` event. Exclusive create: a prepare that is tried again
 * (or a job prepared twice) does not write it twice, and no row event can come before it (rows start after).
 */
export async function startRunEvents(resultsDir: string, jobId: string, rowsTotal: number): Promise<void> {
  const file = runEventsFile(resultsDir, jobId);
  await mkdir(resolve(file, '..'), { recursive: true });
  const event: RunEvent = { type: 'run', status: 'running', rowsTotal, at: Date.now() };
  await writeFile(file, JSON.stringify(event) + '\n', { flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
}

/** Reads complete lines from a byte offset: a line still being written is left for the next read. */
export async function readRunEvents(file: string, fromByte: number): Promise<{ events: RunEvent[]; nextByte: number }> {
  const handle = await open(file, 'r').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (!handle) return { events: [], nextByte: fromByte };
  try {
    const { size } = await handle.stat();
    if (size <= fromByte) return { events: [], nextByte: fromByte };
    const buffer = Buffer.alloc(size - fromByte);
    await handle.read(buffer, 0, buffer.length, fromByte);
    const end = buffer.lastIndexOf(0x0a);
    if (end < 0) return { events: [], nextByte: fromByte };
    const text = buffer.subarray(0, end).toString('utf8');
    return { events: text.split('\n').map((l) => JSON.parse(l) as RunEvent), nextByte: fromByte + end + 1 };
  } finally {
    await handle.close();
  }
}
