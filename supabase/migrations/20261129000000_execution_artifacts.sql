-- Per-row artifacts (Playwright traces, videos) kept in the Storage bucket SUPABASE_ARTIFACT_BUCKET: one row per
-- object, so the portal lists a row's files and cleanup finds expired ones by created_at. Idempotent.
create table if not exists public.execution_artifacts (
  id text primary key,
  job_id text not null references public.execution_jobs (id) on delete cascade,
  row_index int not null,
  attempt int not null,
  kind text not null check (kind in ('trace', 'video')),
  bucket text not null,
  storage_path text not null,
  bytes bigint not null,
  created_at timestamptz not null default now()
);
create index if not exists execution_artifacts_job_row_idx on public.execution_artifacts (job_id, row_index);
create index if not exists execution_artifacts_created_at_idx on public.execution_artifacts (created_at);

grant all on table public.execution_artifacts to service_role;
grant select on table public.execution_artifacts to authenticated;
alter table public.execution_artifacts enable row level security;

drop policy if exists service_role_all on public.execution_artifacts;
create policy service_role_all on public.execution_artifacts
  for all to service_role using (true) with check (true);

drop policy if exists owner_select on public.execution_artifacts;
create policy owner_select on public.execution_artifacts
  for select to authenticated
  using (exists (select 1 from public.execution_jobs j
                 where j.id = execution_artifacts.job_id and j.user_id = (select auth.uid())));
