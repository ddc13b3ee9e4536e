import type { ActivitySlotInfo, CustomSlotSupplier, SlotPermit } from '@temporalio/worker';
import type { MemoryGuard } from '../ops/memory-guard';

const RECHECK_MS = 250;

/**
 * Task slots of the sessions queue: one per browser session, at most `maxSessions`, and none handed out while
 * memory is above the watermark. Because a slot is reserved before the worker even polls, a full or
 * memory-starved worker takes no new row and the server gives it to another replica.
 */
export function createSessionSlotSupplier(maxSessions: number, memory?: Pick<MemoryGuard, 'isHigh'>): CustomSlotSupplier<ActivitySlotInfo> {
  let reserved = 0;
  let wake: (() => void) | undefined;
  const available = () => reserved < maxSessions && !memory?.isHigh();

  return {
    type: 'custom',
    async reserveSlot(_ctx, abortSignal): Promise<SlotPermit> {
      while (!available()) {
        // The SDK's own reason, not an error of ours: it treats anything else as a supplier failure and logs it.
        if (abortSignal.aborted) throw abortSignal.reason;
        // Woken by a released slot; the timer re-reads memory, which changes without any event.
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            abortSignal.removeEventListener('abort', done);
            resolve();
          };
          const timer = setTimeout(done, RECHECK_MS);
          wake = done;
          abortSignal.addEventListener('abort', done, { once: true });
        });
      }
      reserved++;
      return {};
    },
    tryReserveSlot(): SlotPermit | null {
      if (!available()) return null;
      reserved++;
      return {};
    },
    markSlotUsed(): void {},
    releaseSlot(): void {
      reserved--;
      wake?.();
    },
  };
}
