-- Supabase compatibility shim.
--
-- On a real Supabase project the roles anon / authenticated / service_role, the schema "auth" and
-- the function auth.uid() already exist and are owned by Supabase: every statement below is guarded
-- so that it only creates what is missing and never alters Supabase's own objects. On a plain
-- PostgreSQL (tests, local development without the Supabase CLI) it creates minimal stand-ins so the
-- later migrations (grants, RLS policies using auth.uid()) apply unchanged.
--
-- Roles are cluster-wide objects: several databases of one cluster may run this file at the same
-- time (parallel test workers), so a concurrent "already exists" is swallowed.

do $$
declare
  r text;
begin
  foreach r in array array['anon', 'authenticated', 'service_role'] loop
    if not exists (select 1 from pg_catalog.pg_roles where rolname = r) then
      begin
        execute format('create role %I nologin noinherit', r);
      exception when duplicate_object or unique_violation then
        null; -- created concurrently by another database's migration run
      end;
    end if;
  end loop;
end
$$;

do $$
begin
  if not exists (select 1 from pg_catalog.pg_namespace where nspname = 'auth') then
    create schema auth;
    grant usage on schema auth to anon, authenticated, service_role;
  end if;
end
$$;

-- Same body as Supabase's auth.uid(): the subject claim of the request's JWT, set by PostgREST
-- (request.jwt.claim.sub on older versions, request.jwt.claims on newer ones). NULL when unset.
do $$
begin
  if not exists (
    select 1
    from pg_catalog.pg_proc p
    join pg_catalog.pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'auth' and p.proname = 'uid'
  ) then
    execute $fn$
      create function auth.uid() returns uuid
      language sql stable
      as $body$
        select coalesce(
          nullif(current_setting('request.jwt.claim.sub', true), ''),
          (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
        )::uuid
      $body$
    $fn$;
    grant execute on function auth.uid() to anon, authenticated, service_role;
  end if;
end
$$;
