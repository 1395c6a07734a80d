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

# Store minio-store
write_secret ZRS_MINIO_STORE_AWS_ACCESS_KEY_ID
write_secret ZRS_MINIO_STORE_AWS_SECRET_ACCESS_KEY
zenml service-connector register \
  'minio-store-connector' \
  --type 'aws' \
  --auth-method 'secret-key' \
  --resource-type 's3-bucket' \
  --resource-id 's3://zenml-artifacts' \
  --label 'managed-by=zenml-remote-storage' \
  '--endpoint_url=https://minio.example.com:9000' \
  '--region=us-east-1' \
  "--aws_access_key_id=@$secrets_dir/ZRS_MINIO_STORE_AWS_ACCESS_KEY_ID" \
  "--aws_secret_access_key=@$secrets_dir/ZRS_MINIO_STORE_AWS_SECRET_ACCESS_KEY" \
  --no-verify
zenml artifact-store register \
  'minio-store' \
  --flavor 's3' \
  --label 'managed-by=zenml-remote-storage' \
  '--client_kwargs={"endpoint_url":"https://minio.example.com:9000","region_name":"us-east-1"}' \
  '--config_kwargs={"s3":{"addressing_style":"path"}}' \
  '--path=s3://zenml-artifacts'
zenml artifact-store connect \
  'minio-store' \
  --connector 'minio-store-connector' \
  --resource-id 's3://zenml-artifacts' \
  --no-verify
zenml stack register \
  'minio-stack' \
  --artifact-store 'minio-store' \
  --orchestrator 'default'
