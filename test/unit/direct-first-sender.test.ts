import type { MirrorEvent } from '../../src/mirror/events';
import { createDirectFirstSender } from '../../src/mirror/direct-first-sender';
import { createLogger } from '../../src/logging/logger';
import { logEvent } from '../support/mirror-events';

const log = (stepIndex: number): MirrorEvent => logEvent('job', stepIndex);
const logger = createLogger({ level: 'silent' });

/** A Supabase that answers or fails on demand, and an outbox that records what it was handed. */
function fixture(opts: { writeTimeoutMs?: number; retryDirectAfterMs?: number } = {}) {
  let clock = 1_000;
  const state = {
    supabase: 'up' as 'up' | 'down' | 'hung',
    written: [] as MirrorEvent[][],
    outbox: [] as Array<{ jobId: string; events: MirrorEvent[] }>,
    outboxFails: false,
    advance: (ms: number) => void (clock += ms),
  };
  const send = createDirectFirstSender({
    write: async (events) => {
      if (state.supabase === 'down') throw new Error('connect ECONNREFUSED 127.0.0.1:54321');
      if (state.supabase === 'hung') await new Promise(() => undefined);
      state.written.push(events);
    },
    toOutbox: async (jobId, events) => {
      if (state.outboxFails) throw new Error('Temporal unavailable');
      state.outbox.push({ jobId, events });
    },
    logger,
    now: () => clock,
    ...opts,
  });
  return { state, send };
}

describe('direct-first mirror sender', () => {
  it('writes to Supabase directly while it answers, and never touches the outbox', async () => {
    const { state, send } = fixture();
    await send('job', [log(0), log(1)]);
    await send('job', [log(2)]);
    expect(state.written).toEqual([[log(0), log(1)], [log(2)]]);
    expect(state.outbox).toEqual([]);
  });

  it('hands a batch Supabase refused to the outbox, skips the direct try while Supabase is failing, then tries again', async () => {
    const { state, send } = fixture({ retryDirectAfterMs: 10_000 });
    state.supabase = 'down';
    await send('job', [log(0)]);
    expect(state.outbox).toEqual([{ jobId: 'job', events: [log(0)] }]);

    state.supabase = 'up'; // back, but the sender does not know yet: the next batch still goes to the outbox
    state.advance(5_000);
    await send('job', [log(1)]);
    expect(state.outbox.map((o) => o.events)).toEqual([[log(0)], [log(1)]]);
    expect(state.written).toEqual([]);

    state.advance(5_000); // retryDirectAfterMs after the failure: direct again
    await send('job', [log(2)]);
    expect(state.written).toEqual([[log(2)]]);
    expect(state.outbox).toHaveLength(2);
  });

  it('a write with no answer within writeTimeoutMs goes to the outbox', async () => {
    const { state, send } = fixture({ writeTimeoutMs: 50 });
    state.supabase = 'hung';
    const started = Date.now();
    await send('job', [log(0)]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(state.outbox).toEqual([{ jobId: 'job', events: [log(0)] }]);
  });

  it('rejects when neither Supabase nor the outbox takes the batch', async () => {
    const { state, send } = fixture();
    state.supabase = 'down';
    state.outboxFails = true;
    await expect(send('job', [log(0)])).rejects.toThrow('Temporal unavailable');
  });
});
