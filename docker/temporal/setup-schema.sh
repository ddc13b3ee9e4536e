#!/bin/sh
# Creates Temporal's two databases in PostgreSQL and brings both schemas to the version this SQL tool embeds.
# Run by the one-shot `temporal-schema` compose service (temporalio/admin-tools) and by `npm run rehearsal`
# (scripts/rehearsal/, with the tool built from the Go module proxy and databases of its own).
# Safe to re-run: `create` of an existing database fails harmlessly, `setup-schema -v 0.0` leaves a versioned
# database alone and `update-schema` applies only newer versions (this replaces the deprecated auto-setup image).
set -eu
: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
port=${DB_PORT:-5432}
sql_tool_bin=${SQL_TOOL:-temporal-sql-tool}
db=${TEMPORAL_DB:-temporal}
visibility_db=${TEMPORAL_VISIBILITY_DB:-temporal_visibility}

# The admin-tools image has nc; elsewhere the first sql-tool call reports an unreachable server itself.
if command -v nc >/dev/null 2>&1; then
  tries=0
  until nc -z "$POSTGRES_SEEDS" "$port"; do
    tries=$((tries + 1))
    if [ "$tries" -ge 60 ]; then echo "temporal-schema: PostgreSQL not reachable at $POSTGRES_SEEDS:$port" >&2; exit 1; fi
    sleep 1
  done
fi

sql_tool() {
  "$sql_tool_bin" --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$port" -u "$POSTGRES_USER" "$@"
}

for name in "$db" "$visibility_db"; do
  sql_tool --db "$name" create || echo "temporal-schema: database $name already exists"
done
sql_tool --db "$db" setup-schema -v 0.0
sql_tool --db "$db" update-schema --schema-name postgresql/v12/temporal
sql_tool --db "$visibility_db" setup-schema -v 0.0
sql_tool --db "$visibility_db" update-schema --schema-name postgresql/v12/visibility
echo "temporal-schema: done"
