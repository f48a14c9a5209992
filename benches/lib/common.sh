# Shared by the benchmark scripts: the driftdrill binary, a LocalStack gateway on loopback, its
# Python (boto3) and helpers. Source it from a script in benches/.
#   DRIFTDRILL_BENCH_ENDPOINT  reuse a running LocalStack (benches/run.sh sets it, and
#                              DRIFTDRILL_BENCH_LOCALSTACK_PID, its process); otherwise one is
#                              started in host mode on $PORT and stopped on exit.
#   PROFILE=debug|release      reuse a warm build of that profile instead of the size-optimised
#                              `dist` profile the footprint numbers are for.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
profile=${PROFILE:-dist}
if [ -z "${DRIFTDRILL_BENCH_BUILT:-}" ]; then
  if [ "$profile" = debug ]; then cargo build --quiet; else cargo build --profile "$profile" --quiet; fi
fi
bin=$repo/target/$profile/driftdrill
work=$(mktemp -d /tmp/driftdrill-bench.XXXXXX)
# Clean-up steps run last first, from any folder (every path in them is absolute), however the
# script ends; every process a benchmark starts in the background is stopped by its pid.
cleanup_steps=("rm -rf '$work'")
started_pids=()
cleanup() {
  local i pid
  for pid in "${started_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for ((i = ${#cleanup_steps[@]} - 1; i >= 0; i--)); do eval "${cleanup_steps[$i]}" || true; done
}
trap cleanup EXIT
if [ -n "${DRIFTDRILL_BENCH_ENDPOINT:-}" ]; then
  url=$DRIFTDRILL_BENCH_ENDPOINT
else
  port=${PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
  url=$(bash "$repo/localstack/host.sh" up --port "$port" --dir "$work/localstack")
  cleanup_steps+=("bash '$repo/localstack/host.sh' down --port '$port' --dir '$work/localstack' >/dev/null")
  DRIFTDRILL_BENCH_LOCALSTACK_PID=$(cat "$work/localstack/localstack.pid")
fi
localstack_pid=${DRIFTDRILL_BENCH_LOCALSTACK_PID:-}

# The CPU seconds (user + system) the LocalStack process has used so far; empty when its
# process is not known (an endpoint given without its pid).
localstack_cpu() {
  [ -n "$localstack_pid" ] || return 0
  python3 - "$localstack_pid" <<'PY'
import os, sys
fields = open(f"/proc/{sys.argv[1]}/stat").read().rsplit(")", 1)[1].split()
print((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
PY
}
venv_python=$(bash "$repo/localstack/host.sh" venv)/bin/python
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
results=${RESULTS_DIR:-$work}

# Creates N security groups tagged Environment=staging and bench=<tag>; prints their ids.
make_groups() {
  "$venv_python" - "$1" "$2" "$url" <<'PY'
import boto3, sys, uuid
n, tag, url = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ec2 = boto3.client("ec2", endpoint_url=url)
for _ in range(n):
    g = ec2.create_security_group(GroupName=f"bench-{uuid.uuid4().hex[:8]}", Description="bench",
        TagSpecifications=[{"ResourceType": "security-group", "Tags": [
            {"Key": "Environment", "Value": "staging"}, {"Key": "bench", "Value": tag}]}])
    print(g["GroupId"])
PY
}

# Deletes the groups tagged bench=<tag>; fails if any still has tcp/22 open (drift left behind).
drop_groups() {
  "$venv_python" - "$1" "$url" <<'PY'
import boto3, sys
tag, url = sys.argv[1], sys.argv[2]
ec2 = boto3.client("ec2", endpoint_url=url)
left = []
for g in ec2.describe_security_groups(Filters=[{"Name": "tag:bench", "Values": [tag]}])["SecurityGroups"]:
    if any(p.get("FromPort") == 22 for p in g["IpPermissions"]):
        left.append(g["GroupId"])
    ec2.delete_security_group(GroupId=g["GroupId"])
if left:
    sys.exit(f"drift left behind on {left}")
PY
}

# A driftdrill.toml for LocalStack; extra TOML (detectors) from stdin.
write_config() {
  {
    printf '[aws]\nregion = "us-east-1"\nendpoint_url = "%s"\n' "$url"
    printf '[safety]\nallowed_accounts = ["000000000000"]\nallowed_regions = ["us-east-1"]\n'
    printf 'max_concurrent = 1000\njournal = "journal.jsonl"\n'
    cat
  } > "$1"
}

# A command detector that reports security group ids. Usage: command_detector NAME SCRIPT INTERVAL
# (pipe it into write_config).
command_detector() {
  printf '[[detector]]\nname = "%s"\ntype = "command"\nargv = ["%s"]\ninterval = "%s"\nresource_regex = "(sg-[0-9a-f]+)"\n' "$1" "$2" "$3"
}

# One scenario per group id: open tcp/22, expected by detector $3. Usage: write_scenarios DIR DETECTOR IDS...
write_scenarios() {
  local dir=$1 detector=$2 i=0 id
  shift 2
  mkdir -p "$dir"
  for id in "$@"; do
    i=$((i + 1))
    printf 'id = "bench-%s"\ntitle = "bench"\ncategory = "network"\nseverity = "low"\n[target]\ntype = "aws_security_group"\nid = "%s"\n[inject]\naction = "ec2.sg.open_ingress"\nprotocol = "tcp"\nport = 22\ncidr = "0.0.0.0/0"\n[expect]\ndetectors = ["%s"]\ndetect_within = "5m"\n' \
      "$i" "$id" "$detector" > "$dir/s$i.toml"
  done
}

# measure OUT ERR COMMAND...: runs the command with its output in OUT and ERR, prints
# "<wall seconds> <peak RSS MB> <exit code>". Peak RSS is the process's
# own high-water mark (VmHWM) sampled every 20 ms: child processes (detector scripts) are not
# counted. For long runs (seconds); short ones use measure_tree.
measure() {
  local start end pid hwm=0 v rc out=$1 err=$2
  shift 2
  start=$(date +%s.%N)
  "$@" >"$out" 2>"$err" &
  pid=$!
  started_pids+=("$pid")
  while kill -0 "$pid" 2>/dev/null; do
    v=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    [ -n "$v" ] && [ "$v" -gt "$hwm" ] && hwm=$v
    sleep 0.02
  done
  wait "$pid" && rc=0 || rc=$?
  end=$(date +%s.%N)
  python3 -c "print(round($end - $start, 3), round($hwm / 1024, 1), $rc)"
}

# measure_tree COMMAND...: like measure, for short runs (output discarded). Prints
# "<wall s> <peak RSS MB> <peak RSS with children MB> <peak anonymous MB> <exit code>". The
# peak RSS is the command's own process: its high-water mark (VmHWM), sampled every 5 ms until
# it exits. The peak with children is exact (getrusage of the waited child: the largest of it
# and every process it started, such as a detector's curl). The anonymous memory (heap, stacks:
# what the process allocated, without the clean file-backed pages of its code and libraries)
# is sampled with the high-water mark.
measure_tree() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
peak = {"VmHWM:": 0, "RssAnon:": 0}
while p.poll() is None:
    try:
        with open(f"/proc/{p.pid}/status") as f:
            for line in f:
                key = line.split(maxsplit=1)[0] if line.strip() else ""
                if key in peak:
                    peak[key] = max(peak[key], int(line.split()[1]))
    except OSError:
        pass
    time.sleep(0.005)
wall = time.monotonic() - t
tree = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
mb = lambda kb: round(kb / 1024, 1)
print(round(wall, 3), mb(peak["VmHWM:"]), mb(tree), mb(peak["RssAnon:"]), p.returncode)
PY
}

# run_drills DIR COUNTER: runs DIR/driftdrill.toml over DIR/scenarios with a fresh COUNTER file
# (one line per detector run); prints "<wall s> <peak RSS MB> <exit code> <detector runs>
# <drills detected within SLA>".
run_drills() {
  local dir=$1 counter=$2 wall rss rc
  : > "$counter"
  read -r wall rss rc < <(measure "$dir/out" "$dir/err" "$bin" run --config "$dir/driftdrill.toml" "$dir/scenarios" --out "$dir/runs")
  echo "$wall $rss $rc $(wc -l < "$counter") $(grep -ho '"outcome": *"detected_within_sla"' "$dir"/runs/*.json | wc -l)"
}

median() { python3 -c "import statistics,sys; print(round(statistics.median(float(x) for x in sys.argv[1:]), 3))" "$@"; }
