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

# Store r2-store (ZenML secret r2-store-s3-key, no service connector)
write_secret ZRS_R2_STORE_AWS_ACCESS_KEY_ID
write_secret ZRS_R2_STORE_AWS_SECRET_ACCESS_KEY
zenml secret create \
  'r2-store-s3-key' \
  "--aws_access_key_id=@$secrets_dir/ZRS_R2_STORE_AWS_ACCESS_KEY_ID" \
  "--aws_secret_access_key=@$secrets_dir/ZRS_R2_STORE_AWS_SECRET_ACCESS_KEY"
zenml artifact-store register \
  'r2-store' \
  --flavor 's3' \
  --label 'managed-by=zenml-remote-storage' \
  '--authentication_secret=r2-store-s3-key' \
  '--client_kwargs={"endpoint_url":"https://acct.r2.cloudflarestorage.com","region_name":"auto"}' \
  '--path=s3://team-zenml'
zenml stack register \
  'r2-store' \
  --artifact-store 'r2-store' \
  --orchestrator 'default'
