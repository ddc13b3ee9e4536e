import type { MirrorEvent } from './events';

/**
 * Where a job's progress goes on its way to Supabase. Two sides implement it: workflows signal the job's
 * outbox workflow (src/workflows/mirror-sink.ts), workers write directly and fall back to that outbox
 * (src/mirror/worker-sink.ts). A sink never makes its caller wait for Supabase.
 */
export interface MirrorSink {
  emit(jobId: string, events: MirrorEvent[]): Promise<void>;
}

/** The sink of a job that is not mirrored. */
export const NO_MIRROR: MirrorSink = { emit: () => Promise.resolve() };
