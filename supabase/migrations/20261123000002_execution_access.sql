-- Access control and Realtime for the execution mirror tables.
--
--   * service_role (the workers, through PostgREST / supabase-js): full access.
--   * authenticated (portal users): read-only, and only rows of their own jobs / recordings.
--   * anon: nothing (no grants, no policies).
-- On Supabase, service_role also has BYPASSRLS; the explicit policies keep plain PostgreSQL and
-- Supabase behaving the same.

-- ---------------------------------------------------------------------------------------------
-- Grants
-- ---------------------------------------------------------------------------------------------
grant usage on schema public to anon, authenticated, service_role;

grant all on table
  public.recordings, public.execution_jobs, public.execution_rows, public.execution_logs,
  public.execution_screenshots, public.runner_health
  to service_role;

grant select on table
  public.recordings, public.execution_jobs, public.execution_rows, public.execution_logs,
  public.execution_screenshots, public.runner_health
  to authenticated;


-- ---------------------------------------------------------------------------------------------
-- Row level security
-- ---------------------------------------------------------------------------------------------
alter table public.recordings enable row level security;
alter table public.execution_jobs enable row level security;
alter table public.execution_rows enable row level security;
alter table public.execution_logs enable row level security;
alter table public.execution_screenshots enable row level security;
alter table public.runner_health enable row level security;

-- service_role: full access
drop policy if exists service_role_all on public.recordings;
create policy service_role_all on public.recordings
  for all to service_role using (true) with check (true);

drop policy if exists service_role_all on public.execution_jobs;
create policy service_role_all on public.execution_jobs
  for all to service_role using (true) with check (true);

drop policy if exists service_role_all on public.execution_rows;
create policy service_role_all on public.execution_rows
  for all to service_role using (true) with check (true);

drop policy if exists service_role_all on public.execution_logs;
create policy service_role_all on public.execution_logs
  for all to service_role using (true) with check (true);

drop policy if exists service_role_all on public.execution_screenshots;
create policy service_role_all on public.execution_screenshots
  for all to service_role using (true) with check (true);

drop policy if exists service_role_all on public.runner_health;
create policy service_role_all on public.runner_health
  for all to service_role using (true) with check (true);

-- authenticated: own rows only. "(select auth.uid())" is evaluated once per query (Supabase's
-- recommended form) instead of once per row.
drop policy if exists owner_select on public.recordings;
create policy owner_select on public.recordings
  for select to authenticated
  using (user_id = (select auth.uid()));

drop policy if exists owner_select on public.execution_jobs;
create policy owner_select on public.execution_jobs
  for select to authenticated
  using (user_id = (select auth.uid()));

drop policy if exists owner_select on public.execution_rows;
create policy owner_select on public.execution_rows
  for select to authenticated
  using (exists (select 1 from public.execution_jobs j
                 where j.id = execution_rows.job_id and j.user_id = (select auth.uid())));

drop policy if exists owner_select on public.execution_logs;
create policy owner_select on public.execution_logs
  for select to authenticated
  using (exists (select 1 from public.execution_jobs j
                 where j.id = execution_logs.job_id and j.user_id = (select auth.uid())));

drop policy if exists owner_select on public.execution_screenshots;
create policy owner_select on public.execution_screenshots
  for select to authenticated
  using (exists (select 1 from public.execution_jobs j
                 where j.id = execution_screenshots.job_id and j.user_id = (select auth.uid())));

-- runner_health: RLS on, no policy for authenticated => only service_role sees it.

-- ---------------------------------------------------------------------------------------------
-- Realtime: add the tables to publication supabase_realtime when it exists (Supabase), skipping
-- tables that are already members (also covers a FOR ALL TABLES publication).
-- ---------------------------------------------------------------------------------------------
do $$
declare
  t text;
begin
  if exists (select 1 from pg_catalog.pg_publication where pubname = 'supabase_realtime') then
    foreach t in array array['execution_jobs', 'execution_rows', 'execution_logs',
                             'execution_screenshots', 'runner_health'] loop
      if not exists (select 1 from pg_catalog.pg_publication_tables
                     where pubname = 'supabase_realtime' and schemaname = 'public' and tablename = t) then
        execute format('alter publication supabase_realtime add table public.%I', t);
      end if;
    end loop;
  end if;
end
$$;
