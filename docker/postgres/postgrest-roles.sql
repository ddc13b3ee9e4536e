-- PostgREST connects as "authenticator" (login, no privileges of its own) and switches per request to the
-- role named in the JWT: anon without a token, service_role for the workers' service key, authenticated for
-- portal users. The migrations' compat shim creates those three on plain PostgreSQL; they are created here
-- too (same attributes) so this file also works with an empty migrations folder.
do $$
declare
  r text;
begin
  foreach r in array array['anon', 'authenticated', 'service_role'] loop
    if not exists (select 1 from pg_catalog.pg_roles where rolname = r) then
      execute format('create role %I nologin noinherit', r);
    end if;
  end loop;
  if not exists (select 1 from pg_catalog.pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
end
$$;

alter role authenticator with login noinherit password :'authenticator_password';
grant anon, authenticated, service_role to authenticator;
