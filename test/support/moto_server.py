"""Start moto's server with one correction to its IAM action mapping.

moto authorizes S3 HeadBucket as the IAM action `s3:HeadBucket`, which does not
exist in AWS; AWS authorizes HeadBucket with `s3:ListBucket`
(https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html). Without
this correction a least-privilege policy that is right for AWS is refused by moto
whenever a client (ZenML's connector verification, s3fs) checks a bucket exists.
Arguments are moto_server's own.
"""

import sys

from moto.s3 import responses
from moto.server import main

responses.ACTION_MAP["BUCKET"]["HEAD"]["DEFAULT"] = "ListBucket"

if __name__ == "__main__":
    sys.exit(main())
