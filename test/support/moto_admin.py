"""Admin helper for a moto server started by test/support/services.ts.

Run with the project venv's python (.venv/bin/python). Every sub-command prints
exactly one JSON line on stdout; errors go to stderr with a non-zero exit code.

  bootstrap --endpoint URL [--region R] [--admin-user NAME]
      On a fresh moto server (auth not yet enforced): create an IAM user with an
      inline allow-everything policy (AdministratorAccess equivalent; moto does not
      load AWS managed policies by default) and an access key, then switch IAM
      enforcement on (POST /moto-api/reset-auth with body "0") and verify it.
      -> {"accessKeyId", "secretAccessKey", "arn", "accountId"}

  The other sub-commands sign with the admin key (env AWS_ACCESS_KEY_ID /
  AWS_SECRET_ACCESS_KEY, or --access-key/--secret-key):
  create-bucket --endpoint URL NAME                    -> {"bucket"}
  create-bucket-user --endpoint URL --bucket B NAME    -> {"user","arn","accessKeyId","secretAccessKey"}
      inline policy: s3:ListBucket on the bucket, s3:GetObject/PutObject/DeleteObject on bucket/*
      --versioning: also s3:GetBucketVersioning, s3:ListBucketVersions, s3:DeleteObjectVersion
      --bucket-action ACTION (repeatable): more actions on the bucket ARN. moto checks
        HeadBucket as the non-AWS action "s3:HeadBucket" (AWS uses s3:ListBucket), so
        `--bucket-action s3:HeadBucket` is needed for ZenML's connector verification.
  create-assumer --endpoint URL NAME                   -> {"user","arn","accessKeyId","secretAccessKey"}
      inline policy: sts:AssumeRole on *
  create-role --endpoint URL --trust-user USER --bucket B NAME -> {"role","arn"}
      trust policy names only arn:aws:iam::<account>:user/USER; role policy like create-bucket-user
  list-objects --endpoint URL BUCKET                   -> {"keys": [...]}
"""

import argparse
import json
import sys
import urllib.request
from typing import Any, Dict, List

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

DEFAULT_REGION = "us-east-1"


def _client(args: argparse.Namespace, service: str, key: str, secret: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=args.endpoint,
        region_name=args.region,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}),
    )


def _admin(args: argparse.Namespace, service: str) -> Any:
    import os

    key = args.access_key or os.environ.get("AWS_ACCESS_KEY_ID")
    secret = args.secret_key or os.environ.get("AWS_SECRET_ACCESS_KEY")
    if not key or not secret:
        raise SystemExit("moto_admin: admin credentials missing (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)")
    return _client(args, service, key, secret)


def _set_no_auth_count(endpoint: str, value: str) -> Dict[str, Any]:
    # Body must be raw bytes (not form-encoded): moto does float(request.data).
    req = urllib.request.Request(
        endpoint.rstrip("/") + "/moto-api/reset-auth",
        data=value.encode(),
        method="POST",
        headers={"Content-Type": "text/plain"},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read().decode())


def _bucket_policy(bucket: str, versioning: bool, extra: List[str]) -> Dict[str, Any]:
    bucket_actions: List[str] = ["s3:ListBucket"] + list(extra)
    object_actions: List[str] = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    if versioning:
        bucket_actions += ["s3:GetBucketVersioning", "s3:ListBucketVersions"]
        object_actions += ["s3:DeleteObjectVersion"]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": bucket_actions, "Resource": f"arn:aws:s3:::{bucket}"},
            {"Effect": "Allow", "Action": object_actions, "Resource": f"arn:aws:s3:::{bucket}/*"},
        ],
    }


def _user_with_key(iam: Any, name: str, policy: Dict[str, Any]) -> Dict[str, str]:
    user = iam.create_user(UserName=name)["User"]
    iam.put_user_policy(UserName=name, PolicyName=f"{name}-inline", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {
        "user": name,
        "arn": user["Arn"],
        "accessKeyId": key["AccessKeyId"],
        "secretAccessKey": key["SecretAccessKey"],
    }


def cmd_bootstrap(args: argparse.Namespace) -> Dict[str, Any]:
    # A fresh moto server has INITIAL_NO_AUTH_ACTION_COUNT=inf: every call is
    # accepted without a signature check. Make sure of that, then bootstrap.
    _set_no_auth_count(args.endpoint, "inf")
    iam = _client(args, "iam", "AKIABOOTSTRAP0000000", "bootstrap")
    admin = _user_with_key(
        iam,
        args.admin_user,
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    )
    # From here on every AWS API call must be signed by a known key and be allowed.
    _set_no_auth_count(args.endpoint, "0")
    ident = _client(args, "sts", admin["accessKeyId"], admin["secretAccessKey"]).get_caller_identity()
    _client(args, "iam", admin["accessKeyId"], admin["secretAccessKey"]).list_users()
    try:
        _client(args, "iam", "AKIAUNKNOWNKEY000000", "nope").list_users()
    except ClientError as e:
        if e.response["Error"].get("Code") != "InvalidClientTokenId":
            raise
    else:
        raise SystemExit("moto_admin: IAM enforcement is not active (unknown key was accepted)")
    return {
        "accessKeyId": admin["accessKeyId"],
        "secretAccessKey": admin["secretAccessKey"],
        "arn": ident["Arn"],
        "accountId": ident["Account"],
    }


def cmd_create_bucket(args: argparse.Namespace) -> Dict[str, Any]:
    _admin(args, "s3").create_bucket(Bucket=args.name)
    return {"bucket": args.name}


def cmd_create_bucket_user(args: argparse.Namespace) -> Dict[str, Any]:
    return _user_with_key(_admin(args, "iam"), args.name, _bucket_policy(args.bucket, args.versioning, args.bucket_action))


def cmd_create_assumer(args: argparse.Namespace) -> Dict[str, Any]:
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}
    return _user_with_key(_admin(args, "iam"), args.name, policy)


def cmd_create_role(args: argparse.Namespace) -> Dict[str, Any]:
    iam = _admin(args, "iam")
    account = _admin(args, "sts").get_caller_identity()["Account"]
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account}:user/{args.trust_user}"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role = iam.create_role(RoleName=args.name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    iam.put_role_policy(
        RoleName=args.name,
        PolicyName=f"{args.name}-inline",
        PolicyDocument=json.dumps(_bucket_policy(args.bucket, args.versioning, args.bucket_action)),
    )
    return {"role": args.name, "arn": role["Arn"]}


def cmd_list_objects(args: argparse.Namespace) -> Dict[str, Any]:
    s3 = _admin(args, "s3")
    keys: List[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=args.bucket):
        keys += [o["Key"] for o in page.get("Contents", [])]
    return {"keys": keys}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    def add(name: str, fn: Any) -> argparse.ArgumentParser:
        sp = sub.add_parser(name)
        sp.add_argument("--endpoint", required=True)
        sp.add_argument("--region", default=DEFAULT_REGION)
        sp.add_argument("--access-key")
        sp.add_argument("--secret-key")
        sp.set_defaults(fn=fn)
        return sp

    add("bootstrap", cmd_bootstrap).add_argument("--admin-user", default="admin")
    add("create-bucket", cmd_create_bucket).add_argument("name")
    sp = add("create-bucket-user", cmd_create_bucket_user)
    sp.add_argument("--bucket", required=True)
    sp.add_argument("--versioning", action="store_true")
    sp.add_argument("--bucket-action", action="append", default=[])
    sp.add_argument("name")
    add("create-assumer", cmd_create_assumer).add_argument("name")
    sp = add("create-role", cmd_create_role)
    sp.add_argument("--trust-user", required=True)
    sp.add_argument("--bucket", required=True)
    sp.add_argument("--versioning", action="store_true")
    sp.add_argument("--bucket-action", action="append", default=[])
    sp.add_argument("name")
    add("list-objects", cmd_list_objects).add_argument("bucket")

    args = p.parse_args()
    try:
        out = args.fn(args)
    except (ClientError, BotoCoreError, OSError) as e:
        print(f"moto_admin {args.cmd}: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
