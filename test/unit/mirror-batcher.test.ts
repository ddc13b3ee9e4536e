import type { MirrorEvent } from '../../src/mirror/events';
import { createMirrorBatcher } from '../../src/mirror/mirror-batcher';
import { logEvent } from '../support/mirror-events';

const steps = (events: MirrorEvent[]) => events.map((e) => (e as { stepIndex: number }).stepIndex);

describe('mirror batcher', () => {
  it('sends the events of one job that arrive within the interval as one signal, in order', async () => {
    const sent: Array<{ jobId: string; events: MirrorEvent[] }> = [];
    const batcher = createMirrorBatcher({ send: async (jobId, events) => void sent.push({ jobId, events }), intervalMs: 50 });
    const done = Promise.all([
      batcher.emit('a', [logEvent('a', 0)]),
      batcher.emit('b', [logEvent('b', 0)]),
      batcher.emit('a', [logEvent('a', 1), logEvent('a', 2)]),
    ]);
    expect(sent).toHaveLength(0); // nothing goes out before the interval
    await done;
    expect(sent.map((s) => s.jobId).sort()).toEqual(['a', 'b']);
    expect(steps(sent.find((s) => s.jobId === 'a')!.events)).toEqual([0, 1, 2]);
  });

  it("sends a full batch at once, and keeps a job's batches in order even when a send is slow", async () => {
    const sent: number[][] = [];
    let first = true;
    const batcher = createMirrorBatcher({
      send: async (_jobId, events) => {
        if (first) {
          first = false;
          await new Promise((r) => setTimeout(r, 100)); // the first signal is slow
        }
        sent.push(steps(events));
      },
      intervalMs: 10_000,
      maxEvents: 2,
    });
    const a = batcher.emit('job', [logEvent('job', 0), logEvent('job', 1)]); // full: goes now
    const b = batcher.emit('job', [logEvent('job', 2), logEvent('job', 3)]); // full: waits for the first
    await Promise.all([a, b]);
    expect(sent).toEqual([
      [0, 1],
      [2, 3],
    ]);
  });

  it('rejects the callers of a failed send, and flush() sends what is waiting', async () => {
    let fail = true;
    const sent: number[][] = [];
    const batcher = createMirrorBatcher({
      send: async (_jobId, events) => {
        if (fail) throw new Error('workflow not found');
        sent.push(steps(events));
      },
      intervalMs: 10_000,
    });
    const failed = batcher.emit('job', [logEvent('job', 0)]);
    const flushed = batcher.flush();
    await expect(failed).rejects.toThrow('workflow not found');
    await flushed;
    fail = false;
    const later = batcher.emit('job', [logEvent('job', 1)]);
    await batcher.flush();
    await later;
    expect(sent).toEqual([[1]]);
  });
});
