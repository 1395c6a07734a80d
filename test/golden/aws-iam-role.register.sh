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

# Store s3-role
write_secret ZRS_S3_ROLE_AWS_ACCESS_KEY_ID
write_secret ZRS_S3_ROLE_AWS_SECRET_ACCESS_KEY
zenml service-connector register \
  's3-role-connector' \
  --type 'aws' \
  --auth-method 'iam-role' \
  --resource-type 's3-bucket' \
  --resource-id 's3://team-artifacts' \
  --label 'managed-by=zenml-remote-storage' \
  '--region=us-east-1' \
  '--role_arn=arn:aws:iam::123456789012:role/s3-role-role-1a2b3c4' \
  "--aws_access_key_id=@$secrets_dir/ZRS_S3_ROLE_AWS_ACCESS_KEY_ID" \
  "--aws_secret_access_key=@$secrets_dir/ZRS_S3_ROLE_AWS_SECRET_ACCESS_KEY"
zenml artifact-store register \
  's3-role' \
  --flavor 's3' \
  --label 'managed-by=zenml-remote-storage' \
  '--path=s3://team-artifacts' \
  --connector 's3-role-connector'
zenml stack register \
  's3-role' \
  --artifact-store 's3-role' \
  --orchestrator 'default'
