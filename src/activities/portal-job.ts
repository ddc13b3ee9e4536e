import type { SupabaseMirror } from '../mirror/supabase-mirror';
import { InputError } from '../recording/input-error';
import type { ExecutionInput } from '../workflows/types';

/** Reads a job the portal created (execution_jobs + its recordings row) into an ExecutionInput. */
export async function loadPortalJob(mirror: SupabaseMirror | undefined, jobId: string): Promise<Omit<ExecutionInput, 'jobId'>> {
  if (!mirror) throw new InputError(`Job ${jobId} has no recording, and Supabase is not configured to load it from (SUPABASE_URL)`);
  const job = await mirror.select<{ recording_id: string | null; csv_data: string | null; config: unknown }>(
    'execution_jobs',
    jobId,
    'recording_id,csv_data,config',
  );
  if (!job) throw new InputError(`Job ${jobId} not found in execution_jobs`);
  if (!job.recording_id) throw new InputError(`Job ${jobId} has no recording_id`);
  const recording = await mirror.select<{ recording: unknown }>('recordings', job.recording_id, 'recording');
  if (!recording) throw new InputError(`Recording ${job.recording_id} of job ${jobId} not found in recordings`);
  return {
    recording: recording.recording,
    csv: job.csv_data ?? undefined,
    config: (job.config ?? {}) as ExecutionInput['config'],
  };
}
