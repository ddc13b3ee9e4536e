import type { SlotReserveContext } from '@temporalio/worker';
import { createSessionSlotSupplier } from '../../src/worker/session-slot-supplier';

const ctx = {} as SlotReserveContext;
const settledWithin = async (p: Promise<unknown>, ms: number) =>
  Promise.race([
    p.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((r) => setTimeout(() => r(false), ms)),
  ]);

describe('session slot supplier', () => {
  it('hands out maxSessions slots; the next reservation waits for a release', async () => {
    const supplier = createSessionSlotSupplier(2);
    const signal = new AbortController().signal;
    await supplier.reserveSlot(ctx, signal);
    await supplier.reserveSlot(ctx, signal);
    expect(supplier.tryReserveSlot(ctx)).toBeNull();
    const third = supplier.reserveSlot(ctx, signal);
    expect(await settledWithin(third, 100)).toBe(false);
    supplier.releaseSlot({} as never);
    expect(await settledWithin(third, 100)).toBe(true);
  });

  it('gives none while memory is high', async () => {
    let high = true;
    const supplier = createSessionSlotSupplier(2, { isHigh: () => high });
    expect(supplier.tryReserveSlot(ctx)).toBeNull();
    const waiting = supplier.reserveSlot(ctx, new AbortController().signal);
    expect(await settledWithin(waiting, 400)).toBe(false);
    high = false;
    expect(await settledWithin(waiting, 400)).toBe(true);
  });

  it("rejects an aborted reservation with the signal's own reason, which the SDK does not log as an error", async () => {
    const supplier = createSessionSlotSupplier(1);
    await supplier.reserveSlot(ctx, new AbortController().signal);
    const abort = new AbortController();
    const waiting = supplier.reserveSlot(ctx, abort.signal);
    const reason = new Error('worker shutting down');
    abort.abort(reason);
    await expect(waiting).rejects.toBe(reason);
  });
});
