#!/usr/bin/env bash
# Start or stop a Docker daemon that can only ever use the host network.
#
#   localstack/docker/dockerd.sh start   # prints the DOCKER_HOST to export
#   localstack/docker/dockerd.sh stop
#   localstack/docker/dockerd.sh status
#
# The daemon runs with --bridge=none --iptables=false --ip-forward=false --ip-masq=false:
# no docker0 bridge exists, so no container can get a private-range address. Containers are
# started with host networking and bind to loopback only.
#
# Environment: DRIFTDRILL_DOCKER_DIR (default /var/lib/driftdrill-docker) holds the data root,
# the socket, the pid file and the log.
set -euo pipefail

dir=${DRIFTDRILL_DOCKER_DIR:-/var/lib/driftdrill-docker}
sock="$dir/docker.sock"
pidfile="$dir/dockerd.pid"
log="$dir/dockerd.log"
host="unix://$sock"

running() {
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

healthy() {
  running && DOCKER_HOST="$host" docker version >/dev/null 2>&1
}

case "${1:-}" in
  start)
    if healthy; then echo "$host"; exit 0; fi
    command -v dockerd >/dev/null || {
      echo "dockerd not found: install Debian's docker.io package (apt-get install docker.io)" >&2; exit 1; }
    mkdir -p "$dir/root" "$dir/exec"
    # containerd is started by dockerd itself when no system instance is given.
    nohup dockerd \
      --host "$host" --data-root "$dir/root" --exec-root "$dir/exec" --pidfile "$pidfile" \
      --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
      --userland-proxy=false >"$log" 2>&1 &
    for _ in $(seq 1 60); do
      if healthy; then echo "$host"; exit 0; fi
      sleep 0.5
    done
    echo "dockerd did not become ready within 30 s; last log lines:" >&2
    tail -n 20 "$log" >&2
    exit 1
    ;;
  stop)
    if running; then
      pid=$(cat "$pidfile")
      kill "$pid"
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    fi
    rm -f "$pidfile"
    ;;
  status)
    if healthy; then echo "running: DOCKER_HOST=$host"; else echo "not running"; exit 1; fi
    ;;
  *)
    echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
