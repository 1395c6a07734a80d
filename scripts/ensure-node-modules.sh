#!/usr/bin/env bash
# Installs node_modules exactly as package-lock.json pins them. `npm ci` is slow
# on our 2-core machines, so each lock file's tree is kept once per machine in
# the tool cache (ZRS_CACHE_DIR, default ~/.cache/zenml-remote-storage), keyed by
# the tree the lock file pins (every package's path, version and integrity) and
# the Node version, and hard-linked into the checkout (like a CI dependency
# cache). A new machine, or a lock file pinning another tree, runs `npm ci`.
# Needs Node >= 22 first on PATH (scripts/ensure-node.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${ZRS_CACHE_DIR:-$HOME/.cache/zenml-remote-storage}"
key="$(node -e '
  const lock = require(process.argv[1]);
  const tree = Object.entries(lock.packages).filter(([path]) => path !== "")
    .map(([path, p]) => [path, p.version, p.integrity ?? p.resolved ?? ""].join(" "));
  console.log([process.version, ...tree.sort()].join("\n"));
' "$root/package-lock.json" | sha256sum | cut -c1-16)"
cached="$cache/node_modules-$key"
step() { printf 'ensure-node-modules: %s\n' "$*" >&2; }

cd "$root"
if [ -f "$cached/.complete" ]; then
  step "linking the cached tree for this lock file ($cached)"
  rm -rf node_modules
  cp -al "$cached/node_modules" node_modules
  exit 0
fi
step "npm ci (no cached tree for this lock file yet)"
npm ci --no-audit --no-fund --loglevel=error
step "caching the tree in $cached"
rm -rf "$cached"
mkdir -p "$cached"
# Only what npm installed: caches tools write later (.vite, .cache) stay per checkout.
cp -al node_modules "$cached/node_modules"
rm -rf "$cached"/node_modules/.vite* "$cached/node_modules/.cache"
touch "$cached/.complete"
