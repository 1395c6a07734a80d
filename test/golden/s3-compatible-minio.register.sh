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

# Store minio-store (ZenML secret minio-store-s3-key, no service connector)
write_secret ZRS_MINIO_STORE_AWS_ACCESS_KEY_ID
write_secret ZRS_MINIO_STORE_AWS_SECRET_ACCESS_KEY
zenml secret create \
  'minio-store-s3-key' \
  "--aws_access_key_id=@$secrets_dir/ZRS_MINIO_STORE_AWS_ACCESS_KEY_ID" \
  "--aws_secret_access_key=@$secrets_dir/ZRS_MINIO_STORE_AWS_SECRET_ACCESS_KEY"
zenml artifact-store register \
  'minio-store' \
  --flavor 's3' \
  --label 'managed-by=zenml-remote-storage' \
  '--authentication_secret=minio-store-s3-key' \
  '--client_kwargs={"endpoint_url":"https://minio.example.com:9000","region_name":"us-east-1"}' \
  '--config_kwargs={"s3":{"addressing_style":"path"}}' \
  '--path=s3://zenml-artifacts'
zenml stack register \
  'minio-stack' \
  --artifact-store 'minio-store' \
  --orchestrator 'default'
