#!/usr/bin/env bash
# The pinned Cloud Custodian environment: a plain Python venv made from the requirements.lock
# beside this script, cached under ${XDG_CACHE_HOME:-~/.cache}/driftdrill/custodian-venv-<lock
# hash> (the same folder `driftdrill custodian-env` uses). Prints the venv's folder.
#
#   detectors/custodian/venv.sh
#
# Built where it lives, never moved (a venv's scripts name their interpreter by absolute path,
# so `<venv>/bin/custodian` works for a person too), under a lock so two first uses never build
# one venv at once; `.complete` is written last, so an interrupted build is made again.
# Needs: python3 (3.11) with the venv module, and PyPI reachable on first use.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
lock="$here/requirements.lock"
lock_hash=$(sha256sum "$lock" | cut -c1-12)
venv=${XDG_CACHE_HOME:-$HOME/.cache}/driftdrill/custodian-venv-$lock_hash
py=${DRIFTDRILL_PYTHON:-python3}

if [ ! -f "$venv/.complete" ]; then
  command -v "$py" >/dev/null || {
    echo "python3 not found: Cloud Custodian needs Python 3.11 with venv (apt-get install python3 python3-venv)" >&2
    exit 1; }
  mkdir -p "$(dirname "$venv")"
  exec 8>"$venv.lock"
  flock 8
  if [ ! -f "$venv/.complete" ]; then
    echo "creating the Cloud Custodian venv in $venv (first use only)" >&2
    rm -rf "$venv"
    "$py" -m venv "$venv" >&2
    "$venv/bin/pip" install --disable-pip-version-check -q -r "$lock" >&2
    touch "$venv/.complete"
  fi
fi
echo "$venv"
