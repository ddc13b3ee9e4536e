import { existsSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createSupabaseClient } from '../../src/mirror/supabase-client';
import { Pool } from 'pg';
import { LocalArtifactStore } from '../../src/artifacts/local-store';
import { SupabaseArtifactStore } from '../../src/artifacts/supabase-artifact-store';
import { applyMigrations } from '../../src/mirror/db/apply-migrations';
import type { CleanupReport } from '../../src/workflows/types';
import { startHarness, Harness } from '../support/harness';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startPostgrestGateway, PostgrestGateway } from '../support/postgrest-gateway';

const DAY = 86_400_000;
const BUCKET = 'execution-artifacts';

/** A file of `bytes` bytes, last written `daysAgo` days ago. */
function fileDated(path: string, daysAgo: number, bytes = 100): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, Buffer.alloc(bytes, 1));
  const at = new Date(Date.now() - daysAgo * DAY);
  utimesSync(path, at, at);
  return path;
}

describe('retention: the worker\'s cleanup Schedule (real Temporal, real PostgreSQL, the Storage stand-in)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let gateway: PostgrestGateway;
  let h: Harness;
  let dirs: { artifacts: string; screenshots: string; results: string };

  beforeAll(async () => {
    db = await createTestDatabase('retention');
    await applyMigrations(db.url);
    pool = new Pool({ connectionString: db.url });
    gateway = await startPostgrestGateway({ databaseUrl: db.url });
    const root = mkdtempSync(join(tmpdir(), 'retention-'));
    dirs = { artifacts: join(root, 'files'), screenshots: join(root, 'shots'), results: join(root, 'results') };
    h = await startHarness({
      env: {
        SUPABASE_URL: gateway.url,
        SUPABASE_SERVICE_ROLE_KEY: 'test-service-role-key',
        ARTIFACT_DIR: dirs.artifacts,
        SCREENSHOT_DIR: dirs.screenshots,
        RESULTS_DIR: dirs.results,
        ARTIFACT_RETENTION_DAYS: '30',
        RESULTS_RETENTION_DAYS: '90',
      },
    });
  });
  afterAll(async () => {
    await h.close();
    await gateway.close();
    await pool.end();
    await db.drop();
  });

  it('deletes expired local files, results, Storage objects and their rows, keeps the rest, and reports it', async () => {
    const old = {
      trace: fileDated(join(dirs.artifacts, 'job-old', 'row-1', 'attempt-0', 'trace.zip'), 40, 5000),
      shot: fileDated(join(dirs.screenshots, 'job-old', 'row-1-step-2-failure.png'), 31, 300),
      results: fileDated(join(dirs.results, 'job-old', 'part-000001.jsonl'), 100),
    };
    const fresh = {
      trace: fileDated(join(dirs.artifacts, 'job-new', 'row-1', 'attempt-0', 'trace.zip'), 1),
      shot: fileDated(join(dirs.screenshots, 'job-new', 'row-1-step-2-failure.png'), 29),
      results: fileDated(join(dirs.results, 'job-mid', 'part-000001.jsonl'), 40),
    };
    // The mirror: one expired and one fresh artifact, each a Storage object with its row.
    const supabase = createSupabaseClient({ url: gateway.url, serviceRoleKey: 'test-service-role-key' });
    await supabase.storage.createBucket(BUCKET, { public: false });
    await pool.query(`insert into execution_jobs (id, status) values ('job-old', 'failed'), ('job-new', 'failed')`);
    for (const [job, daysAgo] of [['job-old', 40], ['job-new', 1]] as const) {
      const path = `${job}/row-1/attempt-0/trace.zip`;
      const { error } = await supabase.storage.from(BUCKET).upload(path, Buffer.from('zip'), { contentType: 'application/zip' });
      expect(error).toBeNull();
      await pool.query(
        `insert into execution_artifacts (id, job_id, row_index, attempt, kind, bucket, storage_path, bytes, created_at)
         values ($1, $2, 1, 0, 'trace', $3, $4, 3, now() - make_interval(days => $5))`,
        [`${job}:1:0:trace`, job, BUCKET, path, daysAgo],
      );
    }

    const worker = await h.startWorker();
    // Created once per deployment: a second worker finds it and keeps it.
    const second = await h.startWorker();
    expect(worker.cleanupSchedule).toBe(`artifact-cleanup-${h.env.TEMPORAL_TASK_QUEUE}`);
    expect(second.cleanupSchedule).toBe(worker.cleanupSchedule);
    const schedule = h.client.client.schedule.getHandle(worker.cleanupSchedule!);
    const described = await schedule.describe();
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'artifactCleanup', args: [{ artifactRetentionDays: 30, resultsRetentionDays: 90 }] });
    expect(described.spec.intervals).toEqual([expect.objectContaining({ every: DAY })]);

    await schedule.trigger();
    let started: { workflowId: string; firstExecutionRunId: string } | undefined;
    for (let i = 0; i < 100 && !started; i++) {
      const action = (await schedule.describe()).info.recentActions[0]?.action;
      if (action?.type === 'startWorkflow') started = action.workflow;
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect(started).toBeDefined();
    const report: CleanupReport = await h.client.client.workflow.getHandle(started!.workflowId, started!.firstExecutionRunId).result();

    expect(report).toEqual({ localFiles: 2, localBytes: 5000 + 300 + 100, resultJobs: 1, storageObjects: 1, mirrorRows: 1 });
    for (const path of Object.values(old)) expect(existsSync(path)).toBe(false);
    for (const path of Object.values(fresh)) expect(existsSync(path)).toBe(true);
    expect(existsSync(join(dirs.artifacts, 'job-old'))).toBe(false);
    const objects = join(gateway.storageDir, BUCKET, 'objects');
    expect(existsSync(join(objects, 'job-old/row-1/attempt-0/trace.zip'))).toBe(false);
    expect(existsSync(join(objects, 'job-new/row-1/attempt-0/trace.zip'))).toBe(true);
    const rows = await pool.query('select id from execution_artifacts order by id');
    expect(rows.rows).toEqual([{ id: 'job-new:1:0:trace' }]);
  });

  it('with the mirror on, a kept artifact is an object in one bucket at job/row/attempt, with its execution_artifacts row', async () => {
    await pool.query(`insert into execution_jobs (id, status) values ('job-store', 'failed')`);
    const local = new LocalArtifactStore(dirs.artifacts);
    const store = new SupabaseArtifactStore(local, createSupabaseClient({ url: gateway.url, serviceRoleKey: 'test-service-role-key' }), 'artifacts-store-test');
    const file = fileDated(join(dirs.artifacts, '.work', 'trace.zip'), 0, 1234);
    const ref = await store.keep({ jobId: 'job-store', row: 3, attempt: 1 }, 'trace', file);
    expect(ref).toMatchObject({ kind: 'trace', attempt: 1, bytes: 1234, storagePath: 'job-store/row-3/attempt-1/trace.zip' });
    expect(ref.location).toBe(join(dirs.artifacts, 'job-store/row-3/attempt-1/trace.zip'));
    expect(existsSync(file)).toBe(false);
    expect(readFileSync(join(gateway.storageDir, 'artifacts-store-test', 'objects', 'job-store/row-3/attempt-1/trace.zip'))).toHaveLength(1234);
    const rows = await pool.query(`select job_id, row_index, attempt, kind, bucket, storage_path, bytes from execution_artifacts where job_id = 'job-store'`);
    expect(rows.rows).toEqual([
      { job_id: 'job-store', row_index: 3, attempt: 1, kind: 'trace', bucket: 'artifacts-store-test', storage_path: 'job-store/row-3/attempt-1/trace.zip', bytes: '1234' },
    ]);
  });
});
