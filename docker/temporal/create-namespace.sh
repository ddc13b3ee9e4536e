#!/bin/sh
# One-shot `temporal-namespace` service (temporalio/admin-tools): the server image, unlike the old
# auto-setup image, registers no namespace. Creates $DEFAULT_NAMESPACE (the workers' TEMPORAL_NAMESPACE)
# once the cluster answers; idempotent.
set -eu
namespace=${DEFAULT_NAMESPACE:-default}
address=${TEMPORAL_ADDRESS:-temporal:7233}
retention=${NAMESPACE_RETENTION:-72h}

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
