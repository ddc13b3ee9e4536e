/** Recordings the portal stored in Supabase (`recordings` table), loaded for `POST /runs { recordingId }`. */
import type { SupabaseClient } from '@supabase/supabase-js';
import { ApiError } from './errors';

export interface StoredRecording {
  id: string;
  name: string;
  recording: unknown;
}

export interface RecordingSource {
  /** The owner's recording; another owner's or a missing one is RECORDING_NOT_FOUND. */
  load(id: string, ownerId: string): Promise<StoredRecording>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function supabaseRecordings(db: SupabaseClient | undefined): RecordingSource {
  return {
    async load(id, ownerId) {
      const notFound = new ApiError('RECORDING_NOT_FOUND', `Recording ${id} not found`);
      if (!db) throw new ApiError('RECORDING_NOT_FOUND', `Recording ${id} not found: no Supabase configured (SUPABASE_URL)`);
      if (!UUID.test(id)) throw notFound;
      const { data, error } = await db.from('recordings').select('id,name,recording,user_id').eq('id', id).maybeSingle();
      if (error) throw new Error(`Supabase: ${error.message}`);
      const row = data as { id: string; name: string; recording: unknown; user_id: string | null } | null;
      if (!row || row.user_id !== ownerId) throw notFound;
      return { id: row.id, name: row.name, recording: row.recording };
    },
  };
}
