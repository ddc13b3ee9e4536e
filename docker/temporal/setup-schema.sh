#!/bin/sh
# One-shot `temporal-schema` service (temporalio/admin-tools): creates Temporal's two databases in the
# shared PostgreSQL and brings both schemas to the version this admin-tools release ships. Safe to re-run:
# `create` of an existing database fails harmlessly, `setup-schema -v 0.0` leaves a versioned database
# alone and `update-schema` applies only newer versions (this replaces the deprecated auto-setup image).
set -eu
: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
port=${DB_PORT:-5432}
schema_root=/etc/temporal/schema/postgresql/v12

tries=0
until nc -z "$POSTGRES_SEEDS" "$port"; do
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then echo "temporal-schema: PostgreSQL not reachable at $POSTGRES_SEEDS:$port" >&2; exit 1; fi
  sleep 1
done

sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$port" -u "$POSTGRES_USER" "$@"
}

for db in temporal temporal_visibility; do
  sql_tool --db "$db" create || echo "temporal-schema: database $db already exists"
done
sql_tool --db temporal setup-schema -v 0.0
sql_tool --db temporal update-schema -d "$schema_root/temporal/versioned"
sql_tool --db temporal_visibility setup-schema -v 0.0
sql_tool --db temporal_visibility update-schema -d "$schema_root/visibility/versioned"
echo "temporal-schema: done"
