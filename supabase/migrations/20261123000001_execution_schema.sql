-- Execution mirror schema: recordings, jobs, rows, step logs, screenshots, runner health.
--
-- The Temporal workers mirror progress into these tables (as service_role, through PostgREST /
-- supabase-js); the Next.js portal reads them (as authenticated, with RLS, plus Realtime).
-- Idempotent: every object is created guarded ("if not exists", DO blocks, "create or replace",
-- "drop trigger if exists"), so applying all migrations twice succeeds.
--
-- Storage: screenshots live in a Supabase Storage bucket. The bucket is NOT created here; the app
-- creates it through the Storage API (storage.createBucket) on startup. execution_screenshots only
-- records (bucket, storage_path) for each file.

-- ---------------------------------------------------------------------------------------------
-- Enum types
-- ---------------------------------------------------------------------------------------------
do $$
begin
  if not exists (select 1 from pg_catalog.pg_type t join pg_catalog.pg_namespace n on n.oid = t.typnamespace
                 where n.nspname = 'public' and t.typname = 'job_status') then
    create type public.job_status as enum ('queued', 'running', 'passed', 'failed', 'cancelled');
  end if;
  if not exists (select 1 from pg_catalog.pg_type t join pg_catalog.pg_namespace n on n.oid = t.typnamespace
                 where n.nspname = 'public' and t.typname = 'row_status') then
    create type public.row_status as enum ('queued', 'running', 'passed', 'failed', 'cancelled');
  end if;
  if not exists (select 1 from pg_catalog.pg_type t join pg_catalog.pg_namespace n on n.oid = t.typnamespace
                 where n.nspname = 'public' and t.typname = 'log_event') then
    create type public.log_event as enum ('started', 'passed', 'failed');
  end if;
end
$$;

-- ---------------------------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------------------------
create table if not exists public.recordings (
  id uuid primary key default gen_random_uuid(),
  user_id uuid,
  name text not null,
  recording jsonb not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- id is text: portal jobs use uuids, CLI jobs use free-text job ids.
create table if not exists public.execution_jobs (
  id text primary key,
  user_id uuid,
  recording_id uuid references public.recordings (id) on delete set null,
  status public.job_status not null default 'queued',
  config jsonb not null default '{}'::jsonb,
  csv_data text,
  rows_total int not null default 0,
  rows_passed int not null default 0,
  rows_failed int not null default 0,
  rows_cancelled int not null default 0,
  steps_total int not null default 0,
  steps_passed int not null default 0,
  steps_failed int not null default 0,
  steps_skipped int not null default 0,
  started_at timestamptz,
  completed_at timestamptz,
  duration_ms int,
  error_message text,
  workflow_id text,
  run_id text,
  results_location text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- id = '<jobId>:<rowIndex>'
create table if not exists public.execution_rows (
  id text primary key,
  job_id text not null references public.execution_jobs (id) on delete cascade,
  row_index int not null,
  status public.row_status not null default 'queued',
  duration_ms int,
  error_message text,
  error_step_index int,
  error_type text,
  session_restarts int not null default 0,
  worker_id text,
  values_masked jsonb,
  started_at timestamptz,
  completed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint execution_rows_job_id_row_index_key unique (job_id, row_index)
);

-- id is deterministic (e.g. '<job>:<row>:<session>:<step>:<attempt>:<event>') so retried writes
-- are idempotent upserts.
create table if not exists public.execution_logs (
  id text primary key,
  job_id text not null references public.execution_jobs (id) on delete cascade,
  row_index int not null,
  session_attempt int not null default 0,
  step_index int not null,
  attempt int not null,
  step_type text not null,
  event public.log_event not null,
  duration_ms int,
  selector_used text,
  healed boolean,
  message text,
  occurred_at timestamptz not null,
  created_at timestamptz not null default now()
);

create table if not exists public.execution_screenshots (
  id text primary key,
  job_id text not null references public.execution_jobs (id) on delete cascade,
  row_index int not null,
  step_index int not null,
  bucket text not null,
  storage_path text not null,
  created_at timestamptz not null default now()
);

create table if not exists public.runner_health (
  worker_id text primary key,
  hostname text,
  last_heartbeat timestamptz not null,
  active_sessions int not null default 0,
  max_sessions int not null default 0,
  sessions_executed bigint not null default 0,
  failures bigint not null default 0,
  uptime_seconds bigint not null default 0,
  draining boolean not null default false,
  started_at timestamptz,
  version text,
  updated_at timestamptz not null default now()
);

-- ---------------------------------------------------------------------------------------------
-- Indexes for the portal's queries
-- ---------------------------------------------------------------------------------------------
create index if not exists recordings_user_id_created_at_idx on public.recordings (user_id, created_at desc);
create index if not exists recordings_created_at_idx on public.recordings (created_at desc);

create index if not exists execution_jobs_user_id_created_at_idx on public.execution_jobs (user_id, created_at desc);
create index if not exists execution_jobs_created_at_idx on public.execution_jobs (created_at desc);
create index if not exists execution_jobs_status_idx on public.execution_jobs (status);
create index if not exists execution_jobs_recording_id_idx on public.execution_jobs (recording_id);

-- (job_id, row_index) is covered by the unique constraint execution_rows_job_id_row_index_key.
create index if not exists execution_rows_job_id_status_idx on public.execution_rows (job_id, status);
create index if not exists execution_rows_status_idx on public.execution_rows (status);
create index if not exists execution_rows_created_at_idx on public.execution_rows (created_at desc);

create index if not exists execution_logs_job_step_order_idx
  on public.execution_logs (job_id, row_index, session_attempt, step_index, attempt, occurred_at);
create index if not exists execution_logs_job_id_occurred_at_idx on public.execution_logs (job_id, occurred_at);
create index if not exists execution_logs_created_at_idx on public.execution_logs (created_at desc);

create index if not exists execution_screenshots_job_row_step_idx
  on public.execution_screenshots (job_id, row_index, step_index);
create index if not exists execution_screenshots_created_at_idx on public.execution_screenshots (created_at desc);

create index if not exists runner_health_last_heartbeat_idx on public.runner_health (last_heartbeat desc);

-- ---------------------------------------------------------------------------------------------
-- Triggers
-- ---------------------------------------------------------------------------------------------
-- Row triggers of the same timing fire in alphabetical order of their names:
--   trg_10_set_updated_at  then  trg_20_status_guard
-- so when the guard discards a write (returns OLD) the updated_at bump is discarded as well.

create or replace function public.execution_set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;

-- Status guard: a status never regresses.
--   * a terminal status (passed / failed / cancelled) never changes once set;
--   * running never goes back to queued.
-- A regressing UPDATE (e.g. a late retry of an earlier upsert) does not raise: the whole write is
-- ignored by returning OLD, i.e. every column keeps its stored value. Updates that keep the
-- status, or move it forward (queued -> running -> terminal, queued -> terminal), apply normally.
create or replace function public.execution_status_guard()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.status is distinct from old.status
     and (old.status::text in ('passed', 'failed', 'cancelled')
          or (old.status::text = 'running' and new.status::text = 'queued')) then
    return old;
  end if;
  return new;
end
$$;

do $$
declare
  t text;
begin
  foreach t in array array['recordings', 'execution_jobs', 'execution_rows', 'runner_health'] loop
    execute format('drop trigger if exists trg_10_set_updated_at on public.%I', t);
    execute format('create trigger trg_10_set_updated_at before update on public.%I '
                   'for each row execute function public.execution_set_updated_at()', t);
  end loop;
  foreach t in array array['execution_jobs', 'execution_rows'] loop
    execute format('drop trigger if exists trg_20_status_guard on public.%I', t);
    execute format('create trigger trg_20_status_guard before update on public.%I '
                   'for each row execute function public.execution_status_guard()', t);
  end loop;
end
$$;
