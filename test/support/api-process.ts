import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/support/tools';
import { freePort, waitFor } from './processes';

/** The Runs API as its own OS process (`tsx src/api.ts`), reached over real HTTP. */
export class ApiProcess {
  readonly output: string[] = [];
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(env: Record<string, string>, opts: { waitHealthy?: boolean } = {}): Promise<ApiProcess> {
    const port = await freePort();
    const child = spawn(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), [join(PROJECT_ROOT, 'src', 'api.ts')], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env, API_PORT: String(port), API_HOST: '127.0.0.1', LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const api = new ApiProcess(`http://127.0.0.1:${port}`, child);
    child.stdout!.on('data', (d: Buffer) => api.output.push(d.toString()));
    child.stderr!.on('data', (d: Buffer) => api.output.push(d.toString()));
    await waitFor(
      'the API to listen',
      () =>
        fetch(`${api.url}/health`).then(
          (r) => (opts.waitHealthy === false ? true : r.ok),
          () => false,
        ),
      30_000,
      100,
    );
    return api;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}

export interface Answer<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function call<T = any>(
  url: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

export const hs256 = (secret: string, claims: Record<string, unknown>): string => {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc(claims)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
};

export interface SseEvent {
  id?: string;
  event?: string;
  data: any;
}

/**
 * Reads a Server-Sent Events stream until it ends or `stopAfter` events arrived (then disconnects).
 * `comments` counts keep-alive lines.
 */
export async function readSse(
  url: string,
  token: string,
  opts: { lastEventId?: number; stopAfter?: number; onEvent?: (e: SseEvent) => void } = {},
): Promise<{ events: SseEvent[]; comments: number; ended: boolean }> {
  const controller = new AbortController();
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'text/event-stream' };
  if (opts.lastEventId !== undefined) headers['last-event-id'] = String(opts.lastEventId);
  const res = await fetch(url, { headers, signal: controller.signal });
  if (res.status !== 200) throw new Error(`SSE ${res.status}: ${await res.text()}`);
  const events: SseEvent[] = [];
  let comments = 0;
  let buffer = '';
  const decoder = new TextDecoder();
  const reader = res.body!.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return { events, comments, ended: true };
      buffer += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        if (block.startsWith(':')) {
          comments++;
          continue;
        }
        const event: SseEvent = { data: undefined };
        for (const line of block.split('\n')) {
          const [field, ...rest] = line.split(': ');
          const value = rest.join(': ');
          if (field === 'id') event.id = value;
          else if (field === 'event') event.event = value;
          else if (field === 'data') event.data = JSON.parse(value);
        }
        events.push(event);
        opts.onEvent?.(event);
        if (opts.stopAfter !== undefined && events.length >= opts.stopAfter) {
          controller.abort();
          return { events, comments, ended: false };
        }
      }
    }
  } catch (err) {
    if ((err as Error).name === 'AbortError') return { events, comments, ended: false };
    throw err;
  }
}
