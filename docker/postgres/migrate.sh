#!/bin/sh
# One-shot `migrate` service (postgres image): applies supabase/migrations/*.sql (mounted at /migrations) in
# name order, each file in its own transaction, then gives PostgREST its login role. The migrations are
# idempotent (see their headers and src/mirror/db/apply-migrations.ts, which applies them the same way), so
# this runs on every `docker compose up`; no history table is kept.
set -eu
export LC_ALL=C # glob order = byte order = the timestamp order of the file names
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" # idempotent DDL's "does not exist, skipping"
dir=${MIGRATIONS_DIR:-/migrations}
here=$(cd "$(dirname "$0")" && pwd)
: "${POSTGREST_AUTHENTICATOR_PASSWORD:?POSTGREST_AUTHENTICATOR_PASSWORD is required}"

tries=0
until pg_isready -q; do
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then echo "migrate: PostgreSQL at ${PGHOST:-localhost} not ready after 60 s" >&2; exit 1; fi
  sleep 1
done

count=0
for file in "$dir"/*.sql; do
  [ -e "$file" ] || { echo "migrate: no .sql files in $dir"; break; }
  echo "migrate: applying $(basename "$file")"
  psql --no-psqlrc --quiet -v ON_ERROR_STOP=1 --single-transaction -f "$file"
  count=$((count + 1))
done

psql --no-psqlrc --quiet -v ON_ERROR_STOP=1 \
  -v authenticator_password="$POSTGREST_AUTHENTICATOR_PASSWORD" -f "$here/postgrest-roles.sql"
# A PostgREST already running (re-run of this service) reloads its schema cache.
psql --no-psqlrc --quiet -c "notify pgrst, 'reload schema'"
echo "migrate: $count migration file(s) applied to ${PGDATABASE:-postgres}"
