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

# Store r2-store
write_secret ZRS_R2_STORE_AWS_ACCESS_KEY_ID
write_secret ZRS_R2_STORE_AWS_SECRET_ACCESS_KEY
zenml service-connector register \
  'r2-store-connector' \
  --type 'aws' \
  --auth-method 'secret-key' \
  --resource-type 's3-bucket' \
  --resource-id 's3://team-zenml' \
  --label 'managed-by=zenml-remote-storage' \
  '--endpoint_url=https://acct.r2.cloudflarestorage.com' \
  '--region=auto' \
  "--aws_access_key_id=@$secrets_dir/ZRS_R2_STORE_AWS_ACCESS_KEY_ID" \
  "--aws_secret_access_key=@$secrets_dir/ZRS_R2_STORE_AWS_SECRET_ACCESS_KEY" \
  --no-verify
zenml artifact-store register \
  'r2-store' \
  --flavor 's3' \
  --label 'managed-by=zenml-remote-storage' \
  '--client_kwargs={"endpoint_url":"https://acct.r2.cloudflarestorage.com","region_name":"auto"}' \
  '--path=s3://team-zenml'
zenml artifact-store connect \
  'r2-store' \
  --connector 'r2-store-connector' \
  --resource-id 's3://team-zenml' \
  --no-verify
zenml stack register \
  'r2-store' \
  --artifact-store 'r2-store' \
  --orchestrator 'default'
