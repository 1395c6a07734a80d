#!/usr/bin/env bash
# Creates/updates the Python venv the tier tests use (a real ZenML server + CLI
# and a moto server), reached from the repo root as .venv.
#
# Idempotent: the venv is rebuilt only when scripts/requirements-test.txt (and
# the lock file next to it, if any) changed since the last successful install
# (a stamp file in the venv holds their hash) or the venv is missing/broken.
# A checkout without its own .venv directory gets a symlink to a venv kept once
# per machine in the tool cache (ZRS_CACHE_DIR, default
# ~/.cache/zenml-remote-storage), keyed by that hash, so a fresh clone does not
# reinstall ZenML.
#
# Usage: scripts/setup-test-env.sh [--force]
# Env:   PYTHON=python3.11  interpreter used to create the venv (default: python3)
set -Eeuo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
link="$root/.venv"
cache="${ZRS_CACHE_DIR:-$HOME/.cache/zenml-remote-storage}"
pins="$root/scripts/requirements-test.txt"
lock="$root/scripts/requirements-test.lock.txt"
logdir="$root/.test-tmp"
log="$logdir/setup-test-env.log"
python="${PYTHON:-python3}"
force=0
[ "${1:-}" = "--force" ] && force=1

step() { printf 'setup-test-env: %s\n' "$*" >&2; }
log_started=0
die() {
  if [ "$log_started" = 1 ] && [ -s "$log" ]; then
    printf '%s\n' "---- last lines of $log ----" >&2
    grep -v '^WARNING: Location' "$log" | tail -n 25 | cut -c1-300 >&2
    printf '%s\n' "----" >&2
  fi
  printf 'setup-test-env: FAILED: %s\n' "$*" >&2
  exit 1
}
current_step="starting"
trap 'die "$current_step (command failed: ${BASH_COMMAND})"' ERR

[ -f "$pins" ] || die "pin file $pins not found"

hash_inputs() {
  # Hash of the pin file(s) + the interpreter version the venv is built from.
  {
    cat "$pins"
    [ -f "$lock" ] && cat "$lock"
    "$python" -c 'import sys; print(sys.version)'
  } | sha256sum | cut -d' ' -f1
}

current_step="checking interpreter $python"
command -v "$python" >/dev/null || die "interpreter '$python' not found (set PYTHON=...)"
"$python" -c 'import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] < (3, 15) else 1)' \
  || die "$python is $("$python" --version 2>&1); ZenML 0.98.0 needs Python >=3.10,<3.15"
"$python" -c 'import venv, ensurepip' 2>/dev/null \
  || die "$python lacks the venv/ensurepip modules (Debian: apt-get install python3-venv)"
want="$(hash_inputs)"
if [ -d "$link" ] && [ ! -L "$link" ]; then
  venv="$link"
else
  venv="$cache/venv-${want:0:16}"
  mkdir -p "$cache"
  ln -sfn "$venv" "$link"
fi
stamp="$venv/.setup-test-env.sha256"

if [ "$force" = 0 ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
  && "$venv/bin/python" -c 'import zenml, moto' >/dev/null 2>&1 \
  && [ -x "$venv/bin/zenml" ] && [ -x "$venv/bin/moto_server" ]; then
  step "venv $venv is up to date with $(basename "$pins") (nothing to do)"
  exit 0
fi

mkdir -p "$logdir"
: >"$log"
log_started=1
start=$(date +%s)

current_step="creating venv $venv"
step "creating fresh venv $venv with $("$python" --version 2>&1)"
rm -f "$stamp"
"$python" -m venv --clear "$venv" >>"$log" 2>&1

current_step="upgrading pip"
step "upgrading pip in the venv"
"$venv/bin/python" -m pip install --disable-pip-version-check --progress-bar off \
  --upgrade pip >>"$log" 2>&1

pip_args=(-r "$pins")
[ -f "$lock" ] && pip_args+=(-c "$lock")
current_step="pip install ${pip_args[*]}"
step "installing $(grep -Ev '^\s*(#|$)' "$pins" | tr '\n' ' ')(log: $log)"
# Progress: one line per package pip starts collecting; full output in $log.
rcfile="$logdir/pip.rc"
rm -f "$rcfile"
{
  "$venv/bin/python" -m pip install --disable-pip-version-check --progress-bar off \
    "${pip_args[@]}" && echo 0 >"$rcfile" || echo $? >"$rcfile"
} 2>&1 | tee -a "$log" | {
  grep --line-buffered -E '^(Collecting|Installing collected packages)' \
    | sed -u -E 's/ \(from .*//; s/^Installing collected packages.*/installing the collected packages .../; s/^/setup-test-env:   /' >&2 || true
}
[ "$(cat "$rcfile" 2>/dev/null)" = 0 ] || die "pip could not install the pins from $pins"

current_step="checking the installed tools"
step "checking installed tools"
"$venv/bin/python" -m pip check >>"$log" 2>&1 || die "pip check found broken requirements"
zv="$("$venv/bin/python" -c 'import zenml; print(zenml.__version__)' 2>>"$log")" \
  || die "zenml does not import in $venv"
mv="$("$venv/bin/python" -c 'import moto; print(moto.__version__)' 2>>"$log")" \
  || die "moto does not import in $venv"
"$venv/bin/python" -c 'import s3fs, boto3, aws_profile_manager, fastapi, uvicorn' 2>>"$log" \
  || die "s3fs/boto3/aws-profile-manager/fastapi/uvicorn missing in $venv"
[ -x "$venv/bin/zenml" ] || die "$venv/bin/zenml missing"
[ -x "$venv/bin/moto_server" ] || die "$venv/bin/moto_server missing"

echo "$want" >"$stamp"
step "done in $(($(date +%s) - start))s: zenml $zv, moto $mv in $venv"
