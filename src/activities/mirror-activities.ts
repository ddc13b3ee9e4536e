import type { ScreenshotEvent, MirrorEvent } from '../mirror/events';
import type { SupabaseStore } from '../mirror/supabase-store';

export interface MirrorActivityDeps {
  /** Absent when this worker has no Supabase configured: the activities then fail, and Temporal retries them. */
  store?: SupabaseStore;
}

function requireStore(store: SupabaseStore | undefined): SupabaseStore {
  if (!store) throw new Error('Supabase mirror is not configured on this worker (SUPABASE_URL, SUPABASE_SERVICE_ROLE_KEY)');
  return store;
}

/** The outbox workflow's writes to Supabase; each call is retried by Temporal until Supabase answers. */
export function createMirrorActivities(deps: MirrorActivityDeps) {
  return {
    async applyMirrorBatch(events: MirrorEvent[]): Promise<void> {
      await requireStore(deps.store).apply(events);
    },
    /** Runs on the worker that took the screenshot: the file is only there. */
    async uploadScreenshot(event: ScreenshotEvent): Promise<void> {
      await requireStore(deps.store).uploadScreenshot(event);
    },
  };
}
