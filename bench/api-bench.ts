/**
 * Runs API: (1) 200 concurrent POST /runs against a per-owner cap of 50 active runs (every answer 201 or 429,
 * each accepted run started exactly once),
 * (2) GET /runs latency at a steady 50 requests/s, (3) 100 SSE clients following one job, each receiving
 * every step event; latency = arrival at the client − the step's end on the worker (same machine clock).
 */
import { loadEnv } from '../src/config/env';
import { sha256Hex } from '../src/api/auth';
import { startApi } from '../src/api/start-api';
import type { BenchContext, BenchWorker } from './lib/setup';
import { percentile, sleep, summarize, type Summary } from './lib/stats';

export interface ApiBenchResult {
  creates: {
    concurrent: number;
    accepted: number;
    refused429: number;
    other: number;
    distinctIds: number;
    startedInTemporal: number;
    wallMs: number;
  };
  list: { ratePerS: number; requests: number; ms: Summary & { p99: number } };
  sse: { clients: number; stepEvents: number; everyClientGotAll: boolean; latencyMs: Summary & { p99: number } };
}

const TOKEN = 'bench-token';
const OWNER = 'bench-owner';

export async function benchApi(ctx: BenchContext, bw: BenchWorker): Promise<ApiBenchResult> {
  const env = loadEnv({
    ...Object.fromEntries(
      Object.entries(bw.env)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, String(v)]),
    ),
    API_TOKENS: `${OWNER}:${sha256Hex(TOKEN)}`,
    API_MAX_ACTIVE_RUNS: '150',
    API_MAX_ACTIVE_RUNS_PER_OWNER: '50',
  });
  const api = await startApi(env, ctx.server.address, ctx.logger, 0);
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(api.url + path, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const options = { timingMode: 'instant', defaults: { baseUrl: ctx.site.url } };
  try {
    // (1) concurrent creates of runs that stay active (a 10 s step), so the per-owner cap of 50 refuses the rest
    const hold = { type: 'waitForExpression', expression: 'new Promise((r) => setTimeout(() => r(true), 10000))', timeout: 20000 };
    const recording = { title: 'api bench', steps: [{ type: 'navigate', url: '{{baseUrl}}/index.html' }, hold] };
    const t0 = Date.now();
    const answers = await Promise.all(Array.from({ length: 200 }, () => call('POST', '/api/v1/runs', { recording, options })));
    const wallMs = Date.now() - t0;
    const ids = answers.filter((a) => a.status === 201).map((a) => a.body.data.id as string);
    const { count: started } = await ctx.temporal.workflow.count(`WorkflowType = "executionJob" AND OwnerId = "${OWNER}"`);
    const creates = {
      concurrent: 200,
      accepted: ids.length,
      refused429: answers.filter((a) => a.status === 429).length,
      other: answers.filter((a) => a.status !== 201 && a.status !== 429).length,
      distinctIds: new Set(ids).size,
      startedInTemporal: started,
      wallMs,
    };
    // Cancel them and let them drain before measuring anything else.
    await Promise.all(ids.map((id) => call('POST', `/api/v1/runs/${id}/cancel`)));
    for (;;) {
      const { count } = await ctx.temporal.workflow.count(
        `WorkflowType = "executionJob" AND OwnerId = "${OWNER}" AND ExecutionStatus = "Running"`,
      );
      if (count === 0) break;
      await sleep(500);
    }

    // (2) list latency at 50 req/s for 10 s
    const listMs: number[] = [];
    const pending: Promise<void>[] = [];
    const startAt = Date.now();
    for (let i = 0; i < 500; i++) {
      const due = startAt + i * 20;
      await sleep(Math.max(0, due - Date.now()));
      pending.push(
        (async () => {
          const s = performance.now();
          const r = await call('GET', '/api/v1/runs?limit=20&status=passed');
          if (r.status !== 200) throw new Error(`list answered ${r.status}`);
          listMs.push(performance.now() - s);
        })(),
      );
    }
    await Promise.all(pending);

    // (3) 100 SSE clients on one job: 2 rows × 10 steps of 150 ms each
    const wait = { type: 'waitForExpression', expression: 'new Promise((r) => setTimeout(() => r(true), 150))', timeout: 5000 };
    const sseRecording = {
      title: 'sse bench',
      steps: [{ type: 'navigate', url: '{{baseUrl}}/index.html' }, ...Array.from({ length: 9 }, () => wait)],
    };
    const created = await call('POST', '/api/v1/runs', { recording: sseRecording, csv: 'n\n1\n2', options });
    const id = created.body.data.id as string;
    const latencies: number[] = [];
    const perClient = await Promise.all(
      Array.from({ length: 100 }, async () => {
        const res = await fetch(`${api.url}/api/v1/runs/${id}/events`, { headers: { authorization: `Bearer ${TOKEN}` } });
        const reader = res.body!.getReader();
        const decoder = new TextDecoder();
        let buffer = '';
        let steps = 0;
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return steps;
          buffer += decoder.decode(value, { stream: true });
          let cut: number;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const data = block.split('\n').find((l) => l.startsWith('data: '));
            if (!block.includes('event: step') || !data) continue;
            const event = JSON.parse(data.slice(6));
            steps++;
            if (event.event !== 'started') latencies.push(Date.now() - event.at);
          }
        }
      }),
    );
    const expected = 2 * 10 * 2;
    const withP99 = (v: number[]) => ({ ...summarize(v), p99: Math.round(percentile(v, 99) * 10) / 10 });
    return {
      creates,
      list: { ratePerS: 50, requests: listMs.length, ms: withP99(listMs) },
      sse: { clients: 100, stepEvents: expected, everyClientGotAll: perClient.every((n) => n === expected), latencyMs: withP99(latencies) },
    };
  } finally {
    await api.close();
  }
}
