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

# Store s3-store
write_secret ZRS_S3_STORE_AWS_ACCESS_KEY_ID
write_secret ZRS_S3_STORE_AWS_SECRET_ACCESS_KEY
zenml service-connector register \
  's3-store-connector' \
  --type 'aws' \
  --auth-method 'secret-key' \
  --resource-type 's3-bucket' \
  --resource-id 's3://zenml-s3-store-abc' \
  --label 'managed-by=zenml-remote-storage' \
  '--region=eu-west-1' \
  "--aws_access_key_id=@$secrets_dir/ZRS_S3_STORE_AWS_ACCESS_KEY_ID" \
  "--aws_secret_access_key=@$secrets_dir/ZRS_S3_STORE_AWS_SECRET_ACCESS_KEY"
zenml artifact-store register \
  's3-store' \
  --flavor 's3' \
  --label 'managed-by=zenml-remote-storage' \
  '--path=s3://zenml-s3-store-abc' \
  --connector 's3-store-connector'
zenml stack register \
  's3-stack' \
  --artifact-store 's3-store' \
  --orchestrator 'default'
