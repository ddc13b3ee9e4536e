/**
 * supabase-js (PostgREST + Storage clients) against the test gateway on a migrated database.
 */
import { createClient, SupabaseClient } from '@supabase/supabase-js';
import { Client } from 'pg';
import { applyMigrations } from '../../src/mirror/db/apply-migrations';
import { NoRealtimeTransport } from '../../src/mirror/db/no-realtime-transport';
import { PostgrestGateway, startPostgrestGateway } from '../support/postgrest-gateway';
import { createTestDatabase, TestDatabase } from '../support/test-database';

let db: TestDatabase;
let gateway: PostgrestGateway;
let supabase: SupabaseClient;
let pg: Client;

const USER = '11111111-1111-4111-8111-111111111111';

beforeAll(async () => {
  db = await createTestDatabase('mirror_gateway');
  await applyMigrations(db.url);
  gateway = await startPostgrestGateway({ databaseUrl: db.url });
  // Node 20 has no global WebSocket: supabase-js needs a Realtime transport or createClient() throws.
  supabase = createClient(gateway.url, 'service-role-key', {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: NoRealtimeTransport },
  });
  pg = new Client({ connectionString: db.url });
  await pg.connect();
});

afterAll(async () => {
  await pg?.end();
  await gateway?.close();
  await db?.drop();
});

describe('PostgREST subset', () => {
  test('upsert twice with the same id leaves one merged row', async () => {
    const first = await supabase
      .from('execution_jobs')
      .upsert(
        { id: 'job-1', user_id: USER, status: 'queued', config: { browser: 'chromium', rows: [1, 2] }, rows_total: 3 },
        { onConflict: 'id' },
      );
    expect(first.error).toBeNull();
    expect(first.status).toBe(201);
    expect(first.data).toBeNull(); // return=minimal

    const second = await supabase
      .from('execution_jobs')
      .upsert({ id: 'job-1', status: 'running', started_at: '2026-11-23T10:00:00.000Z' }, { onConflict: 'id' })
      .select()
      .single();
    expect(second.error).toBeNull();
    expect(second.data).toMatchObject({
      id: 'job-1',
      status: 'running',
      user_id: USER, // not in the second payload: kept
      rows_total: 3,
      config: { browser: 'chromium', rows: [1, 2] },
    });
    expect(new Date(second.data.started_at).toISOString()).toBe('2026-11-23T10:00:00.000Z');

    const { rows } = await pg.query(`SELECT count(*)::int AS n FROM execution_jobs WHERE id = 'job-1'`);
    expect(rows[0].n).toBe(1);
  });

  test('bulk upsert sends columns= and merges every row', async () => {
    const rows = [0, 1, 2].map((i) => ({
      id: `job-1:${i}`,
      job_id: 'job-1',
      row_index: i,
      status: 'queued',
      values_masked: { email: '***' },
    }));
    expect((await supabase.from('execution_rows').upsert(rows, { onConflict: 'id' })).error).toBeNull();
    const again = await supabase
      .from('execution_rows')
      .upsert(
        rows.map((r) => ({ ...r, status: 'running', worker_id: 'w1' })),
        { onConflict: 'id' },
      )
      .select('id,status,worker_id');
    expect(again.error).toBeNull();
    expect(again.data).toEqual([
      { id: 'job-1:0', status: 'running', worker_id: 'w1' },
      { id: 'job-1:1', status: 'running', worker_id: 'w1' },
      { id: 'job-1:2', status: 'running', worker_id: 'w1' },
    ]);
  });

  test('ignoreDuplicates keeps the first write', async () => {
    const log = {
      id: 'job-1:0:0:0:1:started',
      job_id: 'job-1',
      row_index: 0,
      step_index: 0,
      attempt: 1,
      step_type: 'navigate',
      event: 'started',
      occurred_at: '2026-11-23T10:00:01Z',
      message: 'first',
    };
    expect((await supabase.from('execution_logs').upsert(log, { onConflict: 'id', ignoreDuplicates: true })).error).toBeNull();
    const dup = await supabase
      .from('execution_logs')
      .upsert({ ...log, message: 'second' }, { onConflict: 'id', ignoreDuplicates: true })
      .select();
    expect(dup.error).toBeNull();
    expect(dup.data).toEqual([]);
    const { data } = await supabase.from('execution_logs').select('message').eq('id', log.id).single();
    expect(data).toEqual({ message: 'first' });
  });

  test('insert, and a duplicate insert is a 409 23505 error', async () => {
    const ok = await supabase.from('execution_jobs').insert([
      { id: 'job-2', status: 'passed' },
      { id: 'job-3', status: 'failed', user_id: USER },
    ]);
    expect(ok.error).toBeNull();
    const dup = await supabase.from('execution_jobs').insert({ id: 'job-2' });
    expect(dup.status).toBe(409);
    expect(dup.error).toMatchObject({ code: '23505' });
    expect(dup.error?.message).toMatch(/duplicate key/);
    expect(dup.error?.details).toMatch(/job-2/);
  });

  test('select with eq / in / neq / comparison / is / order / limit / range / single / count', async () => {
    const inList = await supabase
      .from('execution_jobs')
      .select('id,status')
      .in('id', ['job-1', 'job-2', 'job-3'])
      .order('id', { ascending: false });
    expect(inList.error).toBeNull();
    expect(inList.data).toEqual([
      { id: 'job-3', status: 'failed' },
      { id: 'job-2', status: 'passed' },
      { id: 'job-1', status: 'running' },
    ]);

    const single = await supabase.from('execution_jobs').select('*').eq('id', 'job-3').single();
    expect(single.error).toBeNull();
    expect(single.data).toMatchObject({ id: 'job-3', status: 'failed', user_id: USER, config: {}, rows_total: 0 });

    const mine = await supabase.from('execution_jobs').select('id').eq('user_id', USER).neq('status', 'running');
    expect(mine.data).toEqual([{ id: 'job-3' }]);

    const rows = await supabase
      .from('execution_rows')
      .select('row_index')
      .eq('job_id', 'job-1')
      .gte('row_index', 1)
      .lt('row_index', 3)
      .order('row_index');
    expect(rows.data).toEqual([{ row_index: 1 }, { row_index: 2 }]);
    const gt = await supabase.from('execution_rows').select('row_index').gt('row_index', 1).lte('row_index', 2);
    expect(gt.data).toEqual([{ row_index: 2 }]);

    const noUser = await supabase.from('execution_jobs').select('id').is('user_id', null).order('id');
    expect(noUser.data).toEqual([{ id: 'job-2' }]);

    const page = await supabase
      .from('execution_rows')
      .select('id', { count: 'exact' })
      .eq('job_id', 'job-1')
      .order('row_index', { ascending: true })
      .range(1, 2);
    expect(page.error).toBeNull();
    expect(page.data).toEqual([{ id: 'job-1:1' }, { id: 'job-1:2' }]);
    expect(page.count).toBe(3);

    const limited = await supabase.from('execution_rows').select('id').order('row_index', { ascending: false }).limit(1);
    expect(limited.data).toEqual([{ id: 'job-1:2' }]);

    const head = await supabase.from('execution_jobs').select('*', { count: 'exact', head: true });
    expect(head.error).toBeNull();
    expect(head.count).toBe(3);

    const aliased = await supabase.from('execution_jobs').select('jobId:id,browser:config->>browser').eq('id', 'job-1').single();
    expect(aliased.data).toEqual({ jobId: 'job-1', browser: 'chromium' });

    const either = await supabase
      .from('execution_jobs')
      .select('id')
      .or('status.eq.passed,and(status.eq.failed,user_id.not.is.null)')
      .order('id');
    expect(either.data).toEqual([{ id: 'job-2' }, { id: 'job-3' }]);
  });

  test('maybeSingle on a missing row is null without error; single is PGRST116', async () => {
    const maybe = await supabase.from('execution_jobs').select('*').eq('id', 'nope').maybeSingle();
    expect(maybe.error).toBeNull();
    expect(maybe.data).toBeNull();

    const single = await supabase.from('execution_jobs').select('*').eq('id', 'nope').single();
    expect(single.data).toBeNull();
    expect(single.status).toBe(406);
    expect(single.error).toMatchObject({ code: 'PGRST116' });
  });

  test('update with eq + in filters touches only the matching rows', async () => {
    const upd = await supabase
      .from('execution_rows')
      .update({ status: 'passed', duration_ms: 1234, completed_at: '2026-11-23T10:01:00Z' })
      .eq('job_id', 'job-1')
      .in('row_index', [0, 2])
      .select('id,status,duration_ms')
      .order('id');
    expect(upd.error).toBeNull();
    expect(upd.data).toEqual([
      { id: 'job-1:0', status: 'passed', duration_ms: 1234 },
      { id: 'job-1:2', status: 'passed', duration_ms: 1234 },
    ]);
    const untouched = await supabase.from('execution_rows').select('status,duration_ms').eq('id', 'job-1:1').single();
    expect(untouched.data).toEqual({ status: 'running', duration_ms: null });

    const minimal = await supabase.from('execution_jobs').update({ rows_passed: 2 }).eq('id', 'job-1');
    expect(minimal.error).toBeNull();
    expect(minimal.status).toBe(204);
  });

  test('the status guard applies through the gateway: a late regressing upsert succeeds but changes nothing', async () => {
    const late = await supabase
      .from('execution_rows')
      .upsert({ id: 'job-1:0', job_id: 'job-1', row_index: 0, status: 'running', duration_ms: null }, { onConflict: 'id' })
      .select()
      .single();
    expect(late.error).toBeNull();
    expect(late.data).toMatchObject({ status: 'passed', duration_ms: 1234 });
  });

  test('delete with a filter', async () => {
    await supabase.from('execution_screenshots').insert([
      { id: 's1', job_id: 'job-1', row_index: 0, step_index: 1, bucket: 'screenshots', storage_path: 'job-1/0/1.png' },
      { id: 's2', job_id: 'job-1', row_index: 0, step_index: 2, bucket: 'screenshots', storage_path: 'job-1/0/2.png' },
    ]);
    const del = await supabase.from('execution_screenshots').delete().eq('id', 's1').select('id');
    expect(del.error).toBeNull();
    expect(del.data).toEqual([{ id: 's1' }]);
    const left = await supabase.from('execution_screenshots').select('id');
    expect(left.data).toEqual([{ id: 's2' }]);
  });

  test('type errors, unknown tables / columns and constraint errors come back in `error`', async () => {
    const badEnum = await supabase.from('execution_jobs').upsert({ id: 'job-x', status: 'exploded' }, { onConflict: 'id' });
    expect(badEnum.status).toBe(400);
    expect(badEnum.error).toMatchObject({ code: '22P02' });
    expect(badEnum.error?.message).toMatch(/invalid input value for enum job_status: "exploded"/);

    const badInt = await supabase.from('execution_rows').select('id').eq('row_index', 'abc');
    expect(badInt.error?.code).toBe('22P02');

    const fk = await supabase.from('execution_rows').insert({ id: 'ghost:0', job_id: 'ghost', row_index: 0 });
    expect(fk.status).toBe(409);
    expect(fk.error?.code).toBe('23503');

    const notNull = await supabase.from('execution_logs').insert({ id: 'l', job_id: 'job-1' });
    expect(notNull.error?.code).toBe('23502');

    const noTable = await supabase.from('no_such_table').select('*');
    expect(noTable.status).toBe(404);
    expect(noTable.error?.code).toBe('PGRST205');

    const noColumn = await supabase.from('execution_jobs').select('id,nope');
    expect(noColumn.error?.code).toBe('42703');
    const noPayloadColumn = await supabase.from('execution_jobs').insert({ id: 'job-y', nope: 1 });
    expect(noPayloadColumn.error?.code).toBe('PGRST204');
  });

  test('identifiers are validated and values are parameters (no SQL injection)', async () => {
    const evilTable = await supabase.from('execution_jobs"; DROP TABLE execution_logs; --').select('*');
    expect(evilTable.error?.code).toBe('PGRST205');
    const evilColumn = await supabase.from('execution_jobs').select('id').eq('id"; DROP TABLE execution_logs; --', 'x');
    expect(evilColumn.error).not.toBeNull();
    const evilOrder = await supabase.from('execution_jobs').select('id').order('id; DROP TABLE execution_logs');
    expect(evilOrder.error).not.toBeNull();

    const evilValue = "it's'); DROP TABLE execution_logs; --";
    expect((await supabase.from('execution_jobs').insert({ id: 'job-evil', error_message: evilValue })).error).toBeNull();
    const back = await supabase.from('execution_jobs').select('error_message').eq('error_message', evilValue).single();
    expect(back.data).toEqual({ error_message: evilValue });
    const inEvil = await supabase.from('execution_jobs').select('id').in('id', ['job-evil', 'a,b', 'x)', "q'uote"]);
    expect(inEvil.data).toEqual([{ id: 'job-evil' }]);

    const { rows } = await pg.query(`SELECT to_regclass('public.execution_logs')::text AS t`);
    expect(rows[0].t).toBe('execution_logs');
  });

  test('tables and columns created after the gateway started are picked up (schema cache reload)', async () => {
    await pg.query('CREATE TABLE public.late_table (id int PRIMARY KEY, note text)');
    expect((await supabase.from('late_table').insert({ id: 1, note: 'hi' })).error).toBeNull();
    await pg.query('ALTER TABLE public.late_table ADD COLUMN extra jsonb');
    const res = await supabase
      .from('late_table')
      .upsert({ id: 1, extra: { a: 1 } })
      .select('id,note,extra')
      .single();
    expect(res.error).toBeNull();
    expect(res.data).toEqual({ id: 1, note: 'hi', extra: { a: 1 } }); // upsert without onConflict uses the primary key
  });
});

describe('Storage subset', () => {
  test('bucket create / get, upload + download, upsert overwrite, duplicate and missing errors', async () => {
    const created = await supabase.storage.createBucket('screenshots', { public: false });
    expect(created.error).toBeNull();
    expect(created.data).toEqual({ name: 'screenshots' });
    const again = await supabase.storage.createBucket('screenshots', { public: false });
    expect(again.error).not.toBeNull();

    const bucket = await supabase.storage.getBucket('screenshots');
    expect(bucket.error).toBeNull();
    expect(bucket.data).toMatchObject({ id: 'screenshots', name: 'screenshots', public: false });
    const missingBucket = await supabase.storage.getBucket('nope');
    expect(missingBucket.data).toBeNull();
    expect(missingBucket.error?.message).toBe('Bucket not found');

    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const up = await supabase.storage.from('screenshots').upload('job-1/0/step 1.png', png, { contentType: 'image/png', upsert: true });
    expect(up.error).toBeNull();
    expect(up.data).toMatchObject({ path: 'job-1/0/step 1.png', fullPath: 'screenshots/job-1/0/step 1.png' });
    expect(typeof up.data?.id).toBe('string');

    const down = await supabase.storage.from('screenshots').download('job-1/0/step 1.png');
    expect(down.error).toBeNull();
    expect(down.data?.type).toBe('image/png');
    expect(Buffer.from(await (down.data as Blob).arrayBuffer())).toEqual(png);

    const replaced = await supabase.storage
      .from('screenshots')
      .upload('job-1/0/step 1.png', Buffer.from('v2'), { contentType: 'text/plain', upsert: true });
    expect(replaced.error).toBeNull();
    expect(replaced.data?.id).toBe(up.data?.id);
    expect(await (await supabase.storage.from('screenshots').download('job-1/0/step 1.png')).data?.text()).toBe('v2');

    const dup = await supabase.storage.from('screenshots').upload('job-1/0/step 1.png', Buffer.from('v3'));
    expect(dup.error).not.toBeNull();

    const missing = await supabase.storage.from('screenshots').download('job-1/0/none.png');
    expect(missing.data).toBeNull();
    expect(missing.error).not.toBeNull();

    const noBucket = await supabase.storage.from('nope').upload('a.txt', Buffer.from('x'));
    expect(noBucket.error?.message).toBe('Bucket not found');

    const traversal = await supabase.storage.from('screenshots').upload('../../escape.txt', Buffer.from('x'));
    expect(traversal.error).not.toBeNull();
  });

  test('Blob uploads (multipart), list and remove', async () => {
    const blob = new Blob(['{"ok":true}'], { type: 'application/json' });
    const up = await supabase.storage.from('screenshots').upload('job-1/1/result.json', blob, { upsert: true });
    expect(up.error).toBeNull();
    const down = await supabase.storage.from('screenshots').download('job-1/1/result.json');
    expect(down.data?.type).toBe('application/json');
    expect(await down.data?.text()).toBe('{"ok":true}');

    const listed = await supabase.storage.from('screenshots').list('job-1');
    expect(listed.error).toBeNull();
    expect(listed.data?.map((f) => f.name)).toEqual(['0', '1']);
    const files = await supabase.storage.from('screenshots').list('job-1/1');
    expect(files.data?.map((f) => [f.name, (f.metadata as Record<string, unknown>).size])).toEqual([['result.json', 11]]);

    const removed = await supabase.storage.from('screenshots').remove(['job-1/1/result.json', 'job-1/1/none.json']);
    expect(removed.error).toBeNull();
    expect(removed.data?.map((f) => f.name)).toEqual(['job-1/1/result.json']);
    expect((await supabase.storage.from('screenshots').list('job-1')).data?.map((f) => f.name)).toEqual(['0']);
  });
});

describe('outage simulation', () => {
  test('stop() makes supabase-js calls fail with a network error; start() serves again on the same port', async () => {
    const port = gateway.port;
    await gateway.stop();

    const down = await supabase
      .from('runner_health')
      .upsert({ worker_id: 'w1', last_heartbeat: new Date().toISOString() }, { onConflict: 'worker_id' });
    expect(down.error).not.toBeNull();
    expect(down.status).toBe(0);
    expect(`${down.error?.message} ${down.error?.details}`).toMatch(/fetch failed|ECONNREFUSED/);

    const read = await supabase.from('runner_health').select('*').retry(false);
    expect(read.error).not.toBeNull();

    const upload = await supabase.storage.from('screenshots').upload('down.txt', Buffer.from('x'), { upsert: true });
    expect(upload.error).not.toBeNull();

    await gateway.start();
    expect(gateway.port).toBe(port);
    const up = await supabase
      .from('runner_health')
      .upsert({ worker_id: 'w1', last_heartbeat: new Date().toISOString(), active_sessions: 2 }, { onConflict: 'worker_id' })
      .select('worker_id,active_sessions')
      .single();
    expect(up.error).toBeNull();
    expect(up.data).toEqual({ worker_id: 'w1', active_sessions: 2 });
  });
});
