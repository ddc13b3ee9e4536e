import type { Logger } from '../logging/logger';
import type { MirrorEvent, ScreenshotEvent } from '../mirror/events';
import type { SupabaseMirror } from '../mirror/supabase-mirror';

export interface MirrorActivityDeps {
  mirror?: SupabaseMirror;
  logger: Logger;
}

function requireMirror(mirror: SupabaseMirror | undefined): SupabaseMirror {
  if (!mirror) throw new Error('Supabase mirror is not configured on this worker (SUPABASE_URL, SUPABASE_SERVICE_ROLE_KEY)');
  return mirror;
}

/** Writes to Supabase; each call is retried by Temporal until Supabase answers. */
export function createMirrorActivities(deps: MirrorActivityDeps) {
  return {
    async applyMirrorBatch(events: MirrorEvent[]): Promise<void> {
      await requireMirror(deps.mirror).apply(events);
    },
    /** Runs on the worker that took the screenshot: the file is only there. */
    async uploadScreenshot(event: ScreenshotEvent): Promise<void> {
      await requireMirror(deps.mirror).uploadScreenshot(event);
    },
  };
}
