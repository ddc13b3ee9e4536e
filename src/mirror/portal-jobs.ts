import type { SupabaseClient } from '@supabase/supabase-js';
import type { JobConfigInput } from '../config/job-config';
import { InputError } from '../recording/input-error';

/** What the portal stored for a job it created: the inputs of an execution. */
export interface PortalJob {
  /** The recordings row the job was made from (the job's RecordingId search attribute). */
  recordingId: string;
  recording: unknown;
  csv?: string;
  config: JobConfigInput;
}

export interface PortalJobs {
  /** Reads execution_jobs + its recordings row. A missing or incomplete one is an InputError naming what. */
  load(jobId: string): Promise<PortalJob>;
}

/** Reads jobs the portal created in Supabase. A transport or permission error throws (the activity retries it). */
export function supabasePortalJobs(db: SupabaseClient): PortalJobs {
  async function byId<T>(table: string, id: string, columns: string): Promise<T | undefined> {
    const { data, error } = await db.from(table).select(columns).eq('id', id).maybeSingle();
    if (error) throw new Error(`Supabase: ${error.message}`);
    return (data ?? undefined) as T | undefined;
  }
  return {
    async load(jobId) {
      const job = await byId<{ recording_id: string | null; csv_data: string | null; config: unknown }>(
        'execution_jobs',
        jobId,
        'recording_id,csv_data,config',
      );
      if (!job) throw new InputError(`Job ${jobId} not found in execution_jobs`);
      if (!job.recording_id) throw new InputError(`Job ${jobId} has no recording_id`);
      const recording = await byId<{ recording: unknown }>('recordings', job.recording_id, 'recording');
      if (!recording) throw new InputError(`Recording ${job.recording_id} of job ${jobId} not found in recordings`);
      return { recordingId: job.recording_id, recording: recording.recording, csv: job.csv_data ?? undefined, config: (job.config ?? {}) as JobConfigInput };
    },
  };
}
