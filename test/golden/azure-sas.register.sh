#!/usr/bin/env bash
# Registers ZenML artifact stores provisioned by zenml-remote-storage.
# Usage: bash <this file> [--set] [--no-verify]
#   --set        activate the stack afterwards (zenml stack set)
#   --no-verify  register and link connectors without verifying them
# Secrets come from these environment variables, never from arguments:
#   ZRS_AZ_SAS_CONNECTION_STRING
# Exit codes: 2 bad argument, 3 missing prerequisite, 4 missing secret; zenml's own otherwise.
set -euo pipefail
umask 077
no_verify=""
activate=0
for arg in "$@"; do
  case "$arg" in
    --set) activate=1 ;;
    --no-verify) no_verify=--no-verify ;;
    *) echo "error: $arg: unknown argument; use --set and/or --no-verify" >&2; exit 2 ;;
  esac
done

# Prerequisites, checked before anything is registered.
zenml_bin="$(command -v zenml || true)"
if [ -z "$zenml_bin" ]; then
  echo "error: zenml: not on PATH; install it (pip install zenml) or activate its virtualenv" >&2; exit 3
fi
# The Python that runs zenml (its shebang), unless ZENML_PYTHON names one.
if [ -n "${ZENML_PYTHON:-}" ]; then python=("$ZENML_PYTHON")
else
  shebang="$(head -n 1 "$zenml_bin")"
  case "$shebang" in
    '#!'*python*) read -r -a python <<< "${shebang#\#!}" ;;
    *) python=("$(dirname "$zenml_bin")/python") ;;
  esac
fi
check_python() {
  local out
  if out="$(PYTHONWARNINGS=ignore "${python[@]}" -c "$@" 2>&1 >/dev/null)"; then return 0; fi
  printf '%s\n' "$out" | grep '^error: ' >&2 ||
    echo "error: ${python[0]}: cannot run the Python of zenml ($(printf '%s' "$out" | tail -n 1)); set ZENML_PYTHON" >&2
  return 1
}
if ! check_python 'import importlib, sys
bad = 0
for arg in sys.argv[1:]:
    module, message = arg.split("|", 1)
    try:
        importlib.import_module(module)
    except Exception as err:
        bad = 1
        print(f"error: python module {module}: missing ({type(err).__name__}), needed by {message}", file=sys.stderr)
sys.exit(bad)' \
  'adlfs|the azure artifact store az-sas; install it with: pip install "zenml[adlfs]" (or: zenml integration install azure)' \
  ; then exit 3; fi
if ! check_python 'import sys
from zenml.config.global_config import GlobalConfiguration
from zenml.enums import StoreType
config = GlobalConfiguration().store_configuration
if config.type != StoreType.REST:
    print("error: zenml: not connected to a ZenML server; run zenml login <server-url> (or set ZENML_STORE_URL and ZENML_STORE_API_KEY)", file=sys.stderr)
    sys.exit(1)
try:
    from zenml.client import Client
    Client().zen_store.get_store_info()
except Exception as err:
    first = (str(err).splitlines() or [""])[0][:200]
    print(f"error: zenml: cannot use the ZenML server {config.url} ({type(err).__name__}: {first}); log in with zenml login {config.url}", file=sys.stderr)
    sys.exit(1)'; then exit 3; fi
secrets_dir="$(mktemp -d)"
trap 'rm -rf "$secrets_dir"' EXIT
write_secret() {
  if [ -z "${!1:-}" ]; then echo "error: $1: set this environment variable (the secret is never an argument)" >&2; exit 4; fi
  printf '%s' "${!1}" > "$secrets_dir/$1"
}
write_secret ZRS_AZ_SAS_CONNECTION_STRING

# Store az-sas (ZenML secret az-sas-secret, no service connector)
zenml secret create \
  'az-sas-secret' \
  "--connection_string=@$secrets_dir/ZRS_AZ_SAS_CONNECTION_STRING"
zenml artifact-store register \
  'az-sas' \
  --flavor 'azure' \
  --label 'managed-by=zenml-remote-storage' \
  '--authentication_secret=az-sas-secret' \
  '--path=az://artifacts'
zenml stack register \
  'az-sas' \
  --artifact-store 'az-sas' \
  --orchestrator 'default'

if [ "$activate" = 1 ]; then
  zenml stack set 'az-sas'
fi
