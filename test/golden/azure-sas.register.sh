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

# Store az-sas (ZenML secret az-sas-secret, no service connector)
write_secret ZRS_AZ_SAS_CONNECTION_STRING
zenml secret create \
  'az-sas-secret' \
  "--connection_string=@$secrets_dir/ZRS_AZ_SAS_CONNECTION_STRING"
zenml artifact-store register \
  'az-sas' \
  --flavor 'azure' \
  --label 'managed-by=zenml-remote-storage' \
  '--authentication_secret=az-sas-secret' \
  '--path=az://artifacts'
zenml stack register \
  'az-sas' \
  --artifact-store 'az-sas' \
  --orchestrator 'default'
