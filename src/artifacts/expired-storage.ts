import type { SupabaseClient } from '@supabase/supabase-js';

/** Tables whose rows each name one Storage object (bucket, storage_path) and date it (created_at). */
const OBJECT_TABLES = ['execution_artifacts', 'execution_screenshots'] as const;
const PAGE = 500;

/**
 * Deletes the Storage objects of artifacts and screenshots created before a time, and their mirror rows:
 * objects first, so a failure half-way leaves rows that the next run finds again (never an orphan object).
 */
export class ExpiredStorage {
  constructor(private readonly db: SupabaseClient) {}

  async removeCreatedBefore(before: Date): Promise<{ objects: number; rows: number }> {
    const removed = { objects: 0, rows: 0 };
    for (const table of OBJECT_TABLES) {
      for (;;) {
        const { data, error } = await this.db
          .from(table)
          .select('id, bucket, storage_path')
          .lt('created_at', before.toISOString())
          .order('created_at', { ascending: true })
          .limit(PAGE);
        if (error) throw new Error(`Supabase: ${table}: ${error.message}`);
        const rows = (data ?? []) as Array<{ id: string; bucket: string; storage_path: string }>;
        if (rows.length === 0) break;
        for (const bucket of new Set(rows.map((r) => r.bucket))) {
          const paths = rows.filter((r) => r.bucket === bucket).map((r) => r.storage_path);
          const { error: removeError } = await this.db.storage.from(bucket).remove(paths);
          if (removeError && !/not found/i.test(removeError.message)) throw new Error(`Storage: ${bucket}: ${removeError.message}`);
          removed.objects += paths.length;
        }
        const { error: deleteError } = await this.db.from(table).delete().in('id', rows.map((r) => r.id));
        if (deleteError) throw new Error(`Supabase: ${table}: ${deleteError.message}`);
        removed.rows += rows.length;
        if (rows.length < PAGE) break;
      }
    }
    return removed;
  }
}
