#!/usr/bin/env bash
# Prints a directory holding a `node` >= 22 (and `npm` works under it when that
# directory is first on PATH). Uses the system Node when it is new enough;
# otherwise installs Node 22 from the npm registry, once per machine, into the
# tool cache (ZRS_CACHE_DIR, default ~/.cache/zenml-remote-storage).
# Usage: export PATH="$(scripts/ensure-node.sh):$PATH"
set -euo pipefail
NODE_VERSION=22.23.3
cache="${ZRS_CACHE_DIR:-$HOME/.cache/zenml-remote-storage}"
prefix="$cache/node-$NODE_VERSION"
bin="$prefix/node_modules/.bin"

major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if command -v node >/dev/null && [ "$(major node)" -ge 22 ]; then
  dirname "$(command -v node)"
  exit 0
fi
if [ -x "$bin/node" ] && [ "$("$bin/node" --version)" = "v$NODE_VERSION" ]; then
  echo "$bin"
  exit 0
fi
echo "ensure-node: system Node is $(node --version 2>/dev/null || echo missing); installing Node $NODE_VERSION into $prefix" >&2
rm -rf "$prefix.partial"
npm install --prefix "$prefix.partial" --no-audit --no-fund --loglevel=error "node@$NODE_VERSION" >&2
if [ "$("$prefix.partial/node_modules/.bin/node" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
  echo "ensure-node: Node $NODE_VERSION did not install into $prefix" >&2
  exit 1
fi
rm -rf "$prefix"
mv "$prefix.partial" "$prefix"
echo "$bin"
