#!/usr/bin/env bash
# Runner scaling benchmark (the design target of the `run` issue):
#   - N drills against LocalStack with one polled detector finish in at most 1.5x the wall time
#     of one drill (the detector is polled once per interval for all drills, not once per drill);
#   - peak RSS with 100 drills in flight stays under 50 MB.
#
#   bash benches/scale.sh            # N = 1 10 50 100, results in benches/RESULTS-scale.md
#
# Each drill opens tcp/22 on its own security group; the detector is a command that lists the
# groups with port 22 open (one describe call), polled every 2 s. Needs python3 (host-mode
# LocalStack); builds driftdrill itself (release unless PROFILE=debug).
set -euo pipefail
cd "$(dirname "$0")/.."
counts=${COUNTS:-"1 10 50 100"}
port=${PORT:-4610}
work=$(mktemp -d /tmp/driftdrill-bench.XXXXXX)
profile=${PROFILE:-release}   # PROFILE=debug reuses a warm debug build (RSS is then an upper bound)
if [ "$profile" = release ]; then cargo build --release --quiet; else cargo build --quiet; fi
bin=$PWD/target/$profile/driftdrill
url=$(bash localstack/host.sh up --port "$port" --dir "$work/localstack")
trap 'bash localstack/host.sh down --port "$port" --dir "$work/localstack"; rm -rf "$work"' EXIT
venv_python=$(bash localstack/host.sh venv)/bin/python
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1

cat > "$work/open22.py" <<PY
import boto3, sys
ec2 = boto3.client("ec2", endpoint_url="$url")
for g in ec2.describe_security_groups(Filters=[{"Name": "tag:bench", "Values": ["yes"]}])["SecurityGroups"]:
    if any(p.get("FromPort") == 22 for p in g["IpPermissions"]):
        print(g["GroupId"])
PY
cat > "$work/check.sh" <<SH
#!/bin/sh
echo poll >> "$work/polls.log"
out=\$("$venv_python" "$work/open22.py") || exit 1
[ -z "\$out" ] && exit 0
echo "\$out"; exit 2
SH
chmod +x "$work/check.sh"

printf '| drills | wall time (s) | ratio to 1 drill | detector runs (all drills) | peak RSS (MB) |\n|---:|---:|---:|---:|---:|\n' > "$work/table.md"
base=""
for n in $counts; do
  dir="$work/n$n"; mkdir -p "$dir/scenarios"
  ids=$("$venv_python" - "$n" <<PY
import boto3, sys, uuid
ec2 = boto3.client("ec2", endpoint_url="$url")
for i in range(int(sys.argv[1])):
    g = ec2.create_security_group(GroupName=f"bench-{uuid.uuid4().hex[:8]}", Description="bench",
        TagSpecifications=[{"ResourceType": "security-group", "Tags": [{"Key": "Environment", "Value": "staging"}, {"Key": "bench", "Value": "yes"}]}])
    print(g["GroupId"])
PY
)
  cat > "$dir/driftdrill.toml" <<TOML
[aws]
region = "us-east-1"
endpoint_url = "$url"
[safety]
allowed_accounts = ["000000000000"]
allowed_regions = ["us-east-1"]
max_concurrent = 1000
journal = "journal.jsonl"
[[detector]]
name = "check"
type = "command"
argv = ["$work/check.sh"]
interval = "2s"
resource_regex = "(sg-[0-9a-f]+)"
TOML
  i=0
  for id in $ids; do
    i=$((i + 1))
    printf 'id = "bench-%s"\ntitle = "bench"\ncategory = "network"\nseverity = "low"\n[target]\ntype = "aws_security_group"\nid = "%s"\n[inject]\naction = "ec2.sg.open_ingress"\nprotocol = "tcp"\nport = 22\ncidr = "0.0.0.0/0"\n[expect]\ndetectors = ["check"]\ndetect_within = "5m"\n' "$i" "$id" > "$dir/scenarios/s$i.toml"
  done
  : > "$work/polls.log"
  start=$(date +%s.%N)
  # Peak RSS of driftdrill itself (VmHWM), not of the detector's child processes.
  "$bin" run --config "$dir/driftdrill.toml" "$dir/scenarios" --out "$dir/runs" >"$dir/out" 2>"$dir/err" &
  pid=$!
  hwm=0
  while kill -0 "$pid" 2>/dev/null; do
    v=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ -n "$v" ] && [ "$v" -gt "$hwm" ] && hwm=$v
    sleep 0.1
  done
  wait "$pid" || true
  end=$(date +%s.%N)
  wall=$(python3 -c "print(round($end - $start, 2))")
  rss=$(python3 -c "print(round($hwm / 1024, 1))")
  polls=$(wc -l < "$work/polls.log")
  [ -z "$base" ] && base=$wall
  ratio=$(python3 -c "print(round($wall / $base, 2))")
  printf '| %s | %s | %s | %s | %s |\n' "$n" "$wall" "$ratio" "$polls" "$rss" >> "$work/table.md"
  echo "n=$n wall=${wall}s ratio=$ratio polls=$polls rss=${rss}MB"
  "$venv_python" - <<PY
import boto3
ec2 = boto3.client("ec2", endpoint_url="$url")
for g in ec2.describe_security_groups(Filters=[{"Name": "tag:bench", "Values": ["yes"]}])["SecurityGroups"]:
    ec2.delete_security_group(GroupId=g["GroupId"])
PY
done
{
  echo "# Runner scaling (benches/scale.sh)"
  echo
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, LocalStack 4.12.0 in host mode, $profile build."
  echo "Targets: N drills within 1.5x the wall time of one; peak RSS < 50 MB with 100 in flight."
  echo
  cat "$work/table.md"
} > benches/RESULTS-scale.md
cat benches/RESULTS-scale.md
