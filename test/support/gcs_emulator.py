"""A GCS emulator with Google's token exchange and bucket-level IAM in front of it.

Usage: python gcs_emulator.py --port PORT --emulator-port PORT2 [--host 127.0.0.1]

Two servers in one process, both on loopback only:
- gcp-storage-emulator (PyPI, pinned in scripts/requirements-test.txt), in memory, on
  --emulator-port. It implements the GCS JSON API but checks no credentials at all.
- a front on --port, which every client under test uses (STORAGE_EMULATOR_HOST and the
  `token_uri` of the service-account keys the tests mint):
  * POST /token: the OAuth 2.0 JWT-bearer grant of Google's token endpoint. The assertion
    must be signed (RS256) with a key registered through /_test/keys for its `iss` (the
    one its `kid` names, or any of them without a `kid`, as Google allows);
    the answer is a random access token for that service account, valid one hour.
  * every GCS JSON API request: needs `Authorization: Bearer <token issued above>`; the
    permissions the request needs on its bucket (the table in `required`) must be granted
    to the token's service account by a binding registered through /_test/bindings, with
    the role -> permission table ROLE_PERMISSIONS. Project-level permissions (listing or
    creating buckets) are never granted. Allowed requests are passed to the emulator;
    refused ones get 401/403 as GCS answers them.
  * /_test/keys, /_test/bindings, /_test/log, /_test/health: the test's own controls.
What this is not: Google. The role table is our reading of Google's documentation, and
the checks are as good as this file; they exist so that the credentials and the bucket
bindings a test provisions are actually exercised, not ignored as the emulator would.
"""

import argparse
import base64
import http.client
import json
import re
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List, Optional, Tuple
from urllib.parse import parse_qs, unquote, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

ROLE_PERMISSIONS: Dict[str, List[str]] = {
    "roles/storage.objectUser": [
        "storage.objects.create",
        "storage.objects.delete",
        "storage.objects.get",
        "storage.objects.list",
        "storage.objects.restore",
        "storage.objects.update",
        "storage.multipartUploads.create",
        "storage.multipartUploads.abort",
        "storage.multipartUploads.list",
        "storage.multipartUploads.listParts",
    ],
    "roles/storage.legacyBucketReader": ["storage.buckets.get", "storage.objects.list"],
    "roles/storage.objectViewer": ["storage.objects.get", "storage.objects.list"],
}

TOKEN_LIFETIME = 3600
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"

lock = threading.Lock()
keys: Dict[Tuple[str, str], object] = {}  # (email, kid) -> public key
bindings: List[Dict[str, str]] = []  # {"bucket", "role", "member"}
tokens: Dict[str, Tuple[str, float]] = {}  # token -> (email, expiry)
log: List[Dict[str, object]] = []

Need = Tuple[str, Optional[str]]  # (permission, bucket or None for project level)

_B = r"(?P<b>[-.\w]+)"
ROUTES = [
    # (method regex, path regex, [(permission, bucket group)])
    ("GET", r"^/storage/v1/b$", [("storage.buckets.list", None)]),
    ("POST", r"^/storage/v1/b$", [("storage.buckets.create", None)]),
    ("GET", rf"^/storage/v1/b/{_B}/iam(/testPermissions)?$", [("storage.buckets.getIamPolicy", "b")]),
    ("PUT", rf"^/storage/v1/b/{_B}/iam$", [("storage.buckets.setIamPolicy", "b")]),
    ("GET", rf"^/storage/v1/b/{_B}$", [("storage.buckets.get", "b")]),
    ("PATCH|PUT", rf"^/storage/v1/b/{_B}$", [("storage.buckets.update", "b")]),
    ("DELETE", rf"^/storage/v1/b/{_B}$", [("storage.buckets.delete", "b")]),
    ("GET", rf"^/storage/v1/b/{_B}/o$", [("storage.objects.list", "b")]),
    (
        "POST",
        rf"^/storage/v1/b/{_B}/o/.+/(copyTo|rewriteTo)/b/(?P<d>[-.\w]+)/o/.+$",
        [("storage.objects.get", "b"), ("storage.objects.create", "d")],
    ),
    ("POST", rf"^/storage/v1/b/{_B}/o/.+/compose$", [("storage.objects.create", "b")]),
    ("POST", rf"^/storage/v1/b/{_B}/o/.+/restore$", [("storage.objects.restore", "b")]),
    ("GET", rf"^/storage/v1/b/{_B}/o/.+$", [("storage.objects.get", "b")]),
    ("PATCH|PUT", rf"^/storage/v1/b/{_B}/o/.+$", [("storage.objects.update", "b")]),
    ("DELETE", rf"^/storage/v1/b/{_B}/o/.+$", [("storage.objects.delete", "b")]),
    ("POST|PUT", rf"^/upload/storage/v1/b/{_B}/o$", [("storage.objects.create", "b")]),
    ("GET", rf"^/download/storage/v1/b/{_B}/o/.+$", [("storage.objects.get", "b")]),
]


def required(method: str, path: str, body: bytes) -> Optional[List[Need]]:
    """The permissions a request needs; None when the request is not understood."""
    path = unquote(path)
    if method == "POST" and path == "/batch/storage/v1":
        needs: List[Need] = []
        lines = re.findall(rb"^(GET|POST|PUT|PATCH|DELETE) (\S+)", body, re.MULTILINE)
        if not lines:
            return None
        for m, target in lines:
            target_path = urlsplit(target.decode()).path
            part = required(m.decode(), target_path, b"")
            if part is None:
                return None
            needs.extend(part)
        return needs
    for methods, pattern, perms in ROUTES:
        if not re.fullmatch(methods, method):
            continue
        match = re.match(pattern, path)
        if match:
            return [(p, match.group(g) if g else None) for p, g in perms]
    return None


def granted(email: str, permission: str, bucket: Optional[str]) -> bool:
    if bucket is None:
        return False  # no project-level bindings exist in this world
    member = f"serviceAccount:{email}"
    with lock:
        return any(
            b["bucket"] == bucket
            and b["member"] == member
            and permission in ROLE_PERMISSIONS.get(b["role"], [])
            for b in bindings
        )


def b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _signed_by(key: object, signature: bytes, signed: bytes) -> bool:
    try:
        key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())  # type: ignore[attr-defined]
        return True
    except InvalidSignature:
        return False


def exchange_jwt(assertion: str, token_uri: str) -> Tuple[int, Dict[str, object]]:
    """Google's JWT-bearer grant: verify the assertion, return (status, body)."""
    try:
        header_b64, payload_b64, sig_b64 = assertion.split(".")
        header = json.loads(b64url_decode(header_b64))
        payload = json.loads(b64url_decode(payload_b64))
        signature = b64url_decode(sig_b64)
    except Exception:  # noqa: BLE001
        return 400, {"error": "invalid_grant", "error_description": "malformed assertion"}
    email, kid = payload.get("iss"), header.get("kid")
    # Google's grant needs no `kid` (its documented header is alg + typ): without one,
    # any key of the account may have signed (google-auth-library sends none).
    with lock:
        candidates = [k for (e, i), k in keys.items() if e == email and kid in (None, i)]
    if header.get("alg") != "RS256" or not candidates:
        return 400, {"error": "invalid_grant", "error_description": "unknown key or account"}
    if not any(_signed_by(k, signature, f"{header_b64}.{payload_b64}".encode()) for k in candidates):
        return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
    now = time.time()
    # google-auth puts Google's token endpoint in `aud` whatever the key's token_uri is.
    if payload.get("aud") not in (token_uri, GOOGLE_TOKEN_URI) or not (payload.get("iat", 0) - 300 <= now < payload.get("exp", 0)):
        return 400, {"error": "invalid_grant", "error_description": "bad audience or time"}
    token = "ya29.emulated-" + secrets.token_urlsafe(24)
    with lock:
        tokens[token] = (email, now + TOKEN_LIFETIME)
    return 200, {"access_token": token, "expires_in": TOKEN_LIFETIME, "token_type": "Bearer"}


def make_handler(front: str, emulator_host: str, emulator_port: int):
    emulator_base = f"http://{emulator_host}:{emulator_port}".encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt: str, *args: object) -> None:
            sys.stderr.write("%s\n" % (fmt % args))

        def _body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                data = b""
                while True:
                    size = int(self.rfile.readline().strip().split(b";")[0], 16)
                    if size == 0:
                        self.rfile.readline()
                        return data
                    data += self.rfile.read(size)
                    self.rfile.readline()
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _send(self, status: int, body: bytes, headers: Optional[List[Tuple[str, str]]] = None) -> None:
            self.send_response(status)
            sent = set()
            for k, v in headers or []:
                if k.lower() in ("content-length", "transfer-encoding", "connection", "keep-alive"):
                    continue
                self.send_header(k, v)
                sent.add(k.lower())
            if "content-type" not in sent and body:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, obj: object) -> None:
            self._send(status, json.dumps(obj).encode())

        def _error(self, status: int, message: str) -> None:
            self._json(status, {"error": {"code": status, "message": message, "errors": [{"message": message}]}})

        def _handle(self) -> None:
            body = self._body()
            url = urlsplit(self.path)
            if url.path.startswith("/_test/"):
                return self._control(url.path, body)
            if url.path == "/token" and self.command == "POST":
                form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
                    return self._json(400, {"error": "unsupported_grant_type"})
                status, answer = exchange_jwt(form.get("assertion", ""), f"{front}/token")
                with lock:
                    log.append({"kind": "token", "status": status, "iss": _iss(form.get("assertion", ""))})
                return self._json(status, answer)
            auth = self.headers.get("Authorization", "")
            token = auth[len("Bearer ") :] if auth.startswith("Bearer ") else ""
            with lock:
                holder = tokens.get(token)
            entry: Dict[str, object] = {"kind": "gcs", "method": self.command, "path": url.path}
            if holder is None or holder[1] < time.time():
                entry.update(status=401)
                with lock:
                    log.append(entry)
                return self._error(401, "Invalid Credentials")
            email = holder[0]
            needs = required(self.command, url.path, body)
            entry.update(email=email, needs=needs)
            if needs is None:
                entry.update(status=403)
                with lock:
                    log.append(entry)
                return self._error(403, f"{email} request not understood by the emulator front")
            missing = [n for n in needs if not granted(email, n[0], n[1])]
            if missing:
                entry.update(status=403, missing=missing)
                with lock:
                    log.append(entry)
                perm, bucket = missing[0]
                where = f"bucket {bucket}" if bucket else "the project"
                return self._error(403, f"{email} does not have {perm} access to {where}.")
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "transfer-encoding", "connection", "content-length")}
            conn = http.client.HTTPConnection(emulator_host, emulator_port, timeout=120)
            conn.request(self.command, self.path, body=body or None, headers=headers)
            resp = conn.getresponse()
            data = resp.read().replace(emulator_base, front.encode())
            out_headers = [(k, v.replace(emulator_base.decode(), front)) for k, v in resp.getheaders()]
            conn.close()
            status = resp.status
            if self.command == "DELETE" and status == 200 and not data:
                # GCS answers a delete with 204 No Content; the emulator says 200 with an
                # empty body, which Node's client then fails to parse as JSON.
                status = 204
            entry.update(status=status)
            with lock:
                log.append(entry)
            return self._send(status, data, out_headers)

        def _control(self, path: str, body: bytes) -> None:
            if path == "/_test/health":
                return self._json(200, {"ok": True})
            if path == "/_test/log":
                with lock:
                    return self._json(200, list(log))
            data = json.loads(body or b"{}")
            if path == "/_test/keys" and self.command == "POST":
                key = serialization.load_pem_public_key(data["public_key_pem"].encode())
                with lock:
                    keys[(data["email"], data["kid"])] = key
                return self._json(200, {"ok": True})
            if path == "/_test/bindings" and self.command == "POST":
                with lock:
                    bindings.append({k: data[k] for k in ("bucket", "role", "member")})
                return self._json(200, {"ok": True})
            return self._json(404, {"error": "unknown control path"})

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    return Handler


def _iss(assertion: str) -> Optional[str]:
    try:
        return json.loads(b64url_decode(assertion.split(".")[1])).get("iss")
    except Exception:  # noqa: BLE001
        return None


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--emulator-port", type=int, required=True)
    args = parser.parse_args()
    if args.host not in ("127.0.0.1", "localhost"):
        print("gcs_emulator.py serves loopback only", file=sys.stderr)
        return 2

    from gcp_storage_emulator.server import create_server

    emulator = create_server(args.host, args.emulator_port, in_memory=True)
    emulator.start()
    front = f"http://{args.host}:{args.port}"
    httpd = ThreadingHTTPServer((args.host, args.port), make_handler(front, args.host, args.emulator_port))
    print(json.dumps({"front": front, "emulator": f"http://{args.host}:{args.emulator_port}"}), flush=True)
    try:
        httpd.serve_forever()
    finally:
        httpd.server_close()
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
