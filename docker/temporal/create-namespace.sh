#!/bin/sh
# Creates $DEFAULT_NAMESPACE (the workers' TEMPORAL_NAMESPACE) once the cluster answers, and registers the
# custom search attributes listed in search-attributes (beside this script). Idempotent. Run by the one-shot
# `temporal-namespace` compose service (temporalio/admin-tools: the server image, unlike the old auto-setup
# image, registers no namespace) and by `npm run rehearsal`, with the Temporal CLI on PATH.
set -eu
namespace=${DEFAULT_NAMESPACE:-default}
address=${TEMPORAL_ADDRESS:-temporal:7233}
retention=${NAMESPACE_RETENTION:-72h}
attributes_file=${SEARCH_ATTRIBUTES_FILE:-$(dirname "$0")/search-attributes}

tries=0
until temporal operator cluster health --address "$address" >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 90 ]; then echo "temporal-namespace: $address not healthy after 180 s" >&2; exit 1; fi
  sleep 2
done

if temporal operator namespace describe --namespace "$namespace" --address "$address" >/dev/null 2>&1; then
  echo "temporal-namespace: $namespace exists"
else
  temporal operator namespace create --namespace "$namespace" --retention "$retention" --address "$address"
  echo "temporal-namespace: $namespace created (retention $retention)"
fi

# A new namespace reaches the frontend's namespace cache within ~10 s; until then it is "not found".
tries=0
until existing=$(temporal operator search-attribute list --namespace "$namespace" --address "$address" -o json 2>/dev/null); do
  tries=$((tries + 1))
  if [ "$tries" -ge 30 ]; then echo "temporal-namespace: $namespace not usable after 60 s" >&2; exit 1; fi
  sleep 2
done
grep -v '^[[:space:]]*\(#\|$\)' "$attributes_file" | while read -r name type; do
  if printf '%s' "$existing" | grep -q "\"$name\""; then
    echo "temporal-namespace: search attribute $name exists"
  else
    temporal operator search-attribute create --namespace "$namespace" --address "$address" --name "$name" --type "$type"
    echo "temporal-namespace: search attribute $name ($type) registered"
  fi
done
