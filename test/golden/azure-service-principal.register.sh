#!/usr/bin/env bash
# Registers ZenML artifact stores provisioned by zenml-remote-storage.
# Secrets come from the environment variables named below, never from arguments.
set -euo pipefail
umask 077
secrets_dir="$(mktemp -d)"
trap 'rm -rf "$secrets_dir"' EXIT
write_secret() {
  if [ -z "${!1:-}" ]; then echo "set the environment variable $1" >&2; exit 2; fi
  printf '%s' "${!1}" > "$secrets_dir/$1"
}

# Store az-store
write_secret ZRS_AZ_STORE_CLIENT_SECRET
zenml service-connector register \
  'az-store-connector' \
  --type 'azure' \
  --auth-method 'service-principal' \
  --resource-type 'blob-container' \
  --resource-id 'az://az-store' \
  --label 'managed-by=zenml-remote-storage' \
  '--client_id=00000000-0000-4000-8000-00000000c11d' \
  '--resource_group=zenml-az-store-1a2b3c4d' \
  '--storage_account=zenmlazstore1a2b3c4d' \
  '--subscription_id=00000000-0000-4000-8000-000000005ab5' \
  '--tenant_id=00000000-0000-4000-8000-00000000e7a7' \
  "--client_secret=@$secrets_dir/ZRS_AZ_STORE_CLIENT_SECRET"
zenml artifact-store register \
  'az-store' \
  --flavor 'azure' \
  --label 'managed-by=zenml-remote-storage' \
  '--path=az://az-store' \
  --connector 'az-store-connector'
zenml stack register \
  'az-stack' \
  --artifact-store 'az-store' \
  --orchestrator 'default'
