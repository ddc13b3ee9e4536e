#!/bin/sh
# First start of the postgresql volume only (docker-entrypoint-initdb.d): a login role for the Temporal
# server, allowed to create its two databases (temporal, temporal_visibility). The mirror schema lives in
# $POSTGRES_DB and is applied by the migrate service on every `up`.
# Changing TEMPORAL_DB_PASSWORD later needs `alter role temporal password '...'` (or a fresh volume).
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v temporal_password="${TEMPORAL_DB_PASSWORD:-temporal}" <<'SQL'
create role temporal login createdb password :'temporal_password';
SQL
