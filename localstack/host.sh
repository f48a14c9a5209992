#!/usr/bin/env bash
# LocalStack 4.12.0 in host mode (no Docker): a plain Python venv running on loopback.
#
#   localstack/host.sh up     [--port P] [--dir D] [--owner-pid PID]   # prints the endpoint URL
#   localstack/host.sh down   [--port P] [--dir D]
#   localstack/host.sh status [--port P] [--dir D]
#   localstack/host.sh venv                                            # only create the venv
#
# `up` creates the venv from localstack/requirements.lock on first use (cached afterwards under
# DRIFTDRILL_LOCALSTACK_VENV, default ~/.cache/driftdrill/localstack-venv-<lock hash>), starts
# `python -m localstack.runtime.main` on 127.0.0.1:P (default 4566), waits until
# /_localstack/health answers and prints http://127.0.0.1:P. A second `up` on a healthy instance
# reuses it. With --owner-pid, the instance is stopped when that process exits (test fixtures
# use this so a crashed test run leaves nothing behind). `down` stops it by pid.
#
# Needs: python3 (3.11) with the venv module, and PyPI reachable on first use.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
lock="$here/requirements.lock"
port=4566
dir=""
owner=""
cmd=${1:-}
[ $# -gt 0 ] && shift
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --owner-pid) owner=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
state_root=${XDG_STATE_HOME:-$HOME/.local/state}/driftdrill
dir=${dir:-$state_root/localstack-$port}
pidfile="$dir/localstack.pid"
log="$dir/localstack.log"
url="http://127.0.0.1:$port"

lock_hash=$(sha256sum "$lock" | cut -c1-12)
venv=${DRIFTDRILL_LOCALSTACK_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/driftdrill/localstack-venv-$lock_hash}

ensure_venv() {
  [ -x "$venv/bin/python" ] && [ -f "$venv/.complete" ] && return 0
  local py=${DRIFTDRILL_PYTHON:-python3}
  command -v "$py" >/dev/null || {
    echo "python3 not found: host-mode LocalStack needs Python 3.11 with venv (apt-get install python3 python3-venv), or start a Docker daemon to use the container mode" >&2
    exit 1; }
  mkdir -p "$(dirname "$venv")"
  # Built where it will live (a venv is not relocatable: its scripts name their interpreter by
  # absolute path), under a lock so two first uses never build one venv at once; `.complete`
  # is written last, so an interrupted build is removed and made again.
  exec 8>"$venv.lock"
  flock 8
  if [ ! -f "$venv/.complete" ]; then
    echo "creating the LocalStack venv in $venv (first use only, about a minute)" >&2
    rm -rf "$venv"
    "$py" -m venv "$venv" >&2
    "$venv/bin/pip" install --disable-pip-version-check -q -r "$lock" >&2
    touch "$venv/.complete"
  fi
  flock -u 8
  exec 8>&-
}

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }
healthy() {
  "${DRIFTDRILL_PYTHON:-python3}" -c 'import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=2).read()' "$url/_localstack/health" >/dev/null 2>&1
}

stop() {
  if running; then
    local pid
    pid=$(cat "$pidfile")
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

case "$cmd" in
  venv) ensure_venv; echo "$venv" ;;
  up)
    if running && healthy; then echo "$url"; exit 0; fi
    if ! running && healthy; then
      echo "port $port already serves a LocalStack this script did not start; use it via AWS_ENDPOINT_URL=$url or pick another --port" >&2
      exit 1
    fi
    stop
    ensure_venv
    mkdir -p "$dir/volume"
    # setsid: LocalStack gets its own process group, so `down` can stop it and its children.
    # GATEWAY_SERVER=hypercorn: LocalStack's default server (twisted) listens on every interface
    # whatever GATEWAY_LISTEN says; hypercorn binds only the loopback address given.
    GATEWAY_LISTEN="127.0.0.1:$port" \
    LOCALSTACK_HOST="localhost.localstack.cloud:$port" \
    SERVICES=${SERVICES:-ec2,s3,sts,iam,sqs,cloudwatch,logs,sns,ssm,resourcegroupstaggingapi} \
    GATEWAY_SERVER=hypercorn DNS_ADDRESS=0 PERSISTENCE=0 SKIP_SSL_CERT_DOWNLOAD=1 DISABLE_EVENTS=1 \
    LOCALSTACK_VOLUME_DIR="$dir/volume" \
      setsid "$venv/bin/python" -m localstack.runtime.main >"$log" 2>&1 </dev/null &
    echo $! >"$pidfile"
    if [ -n "$owner" ]; then
      lspid=$(cat "$pidfile")
      setsid bash -c 'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done
        kill -TERM -- "-$2" 2>/dev/null; sleep 3; kill -KILL -- "-$2" 2>/dev/null; rm -f "$3"' \
        _ "$owner" "$lspid" "$pidfile" >/dev/null 2>&1 </dev/null &
    fi
    for _ in $(seq 1 240); do
      if healthy; then echo "$url"; exit 0; fi
      running || { echo "LocalStack exited during start-up; last log lines:" >&2; tail -n 30 "$log" >&2; rm -f "$pidfile"; exit 1; }
      sleep 0.25
    done
    echo "LocalStack did not answer $url/_localstack/health within 60 s; log: $log" >&2
    stop; exit 1
    ;;
  down) stop ;;
  status)
    if running && healthy; then echo "running: $url (pid $(cat "$pidfile"))"; else echo "not running"; exit 1; fi ;;
  *) echo "usage: $0 up|down|status|venv [--port P] [--dir D] [--owner-pid PID]" >&2; exit 2 ;;
esac
