"""Load a GCP credential configuration (external_account) with the real google-auth.

Usage: .venv/bin/python test/support/google_auth_check.py '<json>'
Prints one JSON line: the credentials class, its `info` (google-auth's own view of the
configuration, field by field), the impersonated service account, and whether any
secret-like field is present. Makes no network call (no token is requested).
"""

import json
import sys

import google.auth


def main() -> int:
    info = json.loads(sys.argv[1])
    creds, project = google.auth.load_credentials_from_dict(info)
    out = {
        "class": f"{type(creds).__module__}.{type(creds).__name__}",
        "project": project,
        "info": creds.info,
        "service_account_email": creds.service_account_email,
        "secret_fields": sorted(
            k for k in info if k in ("private_key", "client_secret", "refresh_token")
        ),
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
