#!/usr/bin/env bash
# Organisation scale: 200 drills across 20 LocalStack accounts (10 scenarios x 20 environments,
# each environment a role assumed in its own account), one polled command detector per account
# watching only its environment. Targets: the 200 drills finish within 2x the wall time of
# one drill, with at most half the AWS calls per drill they needed before calls were coalesced; peak RSS under 64 MB; detector runs grow with intervals x environments, not drills.
#
#   bash benches/org-scale.sh      # ACCOUNTS=20 PER_ACCOUNT=10 INTERVAL=2s
#
# The detector asks its own account for the groups with tcp/22 open: one DescribeSecurityGroups
# call, LocalStack taking the account from the Authorization header's credential scope. It is
# sh, curl and awk, which start in a few milliseconds: a Python detector (about 0.2 s of CPU to
# start, even with the standard library only) run by 20 accounts at once kept both cores busy
# starting interpreters, which measured this machine rather than the runner. An answer that
# cannot be had exits 1 (neither clean nor drift: a detector error, never a clean poll).
source "$(dirname "$0")/lib/common.sh"
accounts=${ACCOUNTS:-20}
per=${PER_ACCOUNT:-10}
interval=${INTERVAL:-2s}
account_of() { printf '1000000%05d' "$1"; }

cat > "$work/open22.sh" <<SH
#!/bin/sh
echo "\$1" >> "$work/polls.log"
body=\$(curl -sS --fail --max-time 20 \\
  -H "Authorization: AWS4-HMAC-SHA256 Credential=\$1/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0" \\
  "$url/?Action=DescribeSecurityGroups&Version=2016-11-15&Filter.1.Name=tag:bench&Filter.1.Value.1=org") || exit 1
printf '%s' "\$body" | awk -v RS='<groupId>' '
  NR > 1 {
    id = substr(\$0, 1, index(\$0, "<") - 1); rules = \$0; end = index(rules, "</ipPermissions>")
    if (end) rules = substr(rules, 1, end)
    if (id ~ /^sg-/ && index(rules, "<fromPort>22</fromPort>")) { print id; n++ }
  }
  END { exit n ? 2 : 0 }'
SH
chmod +x "$work/open22.sh"

# Groups: PER_ACCOUNT per account, tagged drill:target=bench-<k>, so one scenario selects each
# account's own group.
"$venv_python" - "$accounts" "$per" "$url" <<'PY'
import boto3, sys, uuid
n, per, url = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
for a in range(1, n + 1):
    account = "1000000%05d" % a
    ec2 = boto3.client("ec2", endpoint_url=url, aws_access_key_id=account,
                       aws_secret_access_key="test", region_name="us-east-1")
    for k in range(1, per + 1):
        ec2.create_security_group(GroupName=f"org-{uuid.uuid4().hex[:8]}", Description="bench",
            TagSpecifications=[{"ResourceType": "security-group", "Tags": [
                {"Key": "Environment", "Value": "staging"}, {"Key": "bench", "Value": "org"},
                {"Key": "drill:target", "Value": f"bench-{k}"}]}])
PY

# config DIR N: environments 1..N, one detector each.
config() {
  local dir=$1 n=$2 a acct allowed=""
  mkdir -p "$dir/scenarios"
  for a in $(seq 1 "$n"); do allowed+="\"$(account_of "$a")\", "; done
  {
    printf '[aws]\nregion = "us-east-1"\nendpoint_url = "%s"\n' "$url"
    printf '[safety]\nallowed_accounts = [%s]\nallowed_regions = ["us-east-1"]\n' "${allowed%, }"
    printf 'max_concurrent = 1000\njournal = "journal.jsonl"\n'
    for a in $(seq 1 "$n"); do
      acct=$(account_of "$a")
      printf '[[environment]]\nname = "acct-%s"\nrole_arn = "arn:aws:iam::%s:role/driftdrill"\n' "$a" "$acct"
      printf '[[detector]]\nname = "open22-%s"\ntype = "command"\nargv = ["%s", "%s"]\ninterval = "%s"\nresource_regex = "(sg-[0-9a-f]+)"\nenvironments = ["acct-%s"]\n' \
        "$a" "$work/open22.sh" "$acct" "$interval" "$a"
    done
  } > "$dir/driftdrill.toml"
  local names=""
  for a in $(seq 1 "$n"); do names+="\"open22-$a\", "; done
  for k in $(seq 1 "$3"); do
    printf 'id = "bench-%s"\ntitle = "bench"\ncategory = "network"\nseverity = "low"\n[target]\ntype = "aws_security_group"\ntags = { "drill:target" = "bench-%s" }\n[inject]\naction = "ec2.sg.open_ingress"\nprotocol = "tcp"\nport = 22\ncidr = "0.0.0.0/0"\n[expect]\ndetectors = [%s]\ndetect_within = "5m"\n' \
      "$k" "$k" "${names%, }" > "$dir/scenarios/s$k.toml"
  done
}

# phases DIR: from the run record, when (seconds after the run started) the last change was
# made, the last change confirmed, and the last revert verified; then the AWS calls per drill
# (every drill's counted calls plus the run's preflight, over the drills).
phases() {
  python3 - "$1" <<'PY'
import glob, json, sys
from datetime import datetime
[path] = glob.glob(f"{sys.argv[1]}/runs/*.json")
r = json.load(open(path))
t = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
start = t(r["started_at"])
last = lambda key: max((t(d[key]) - start).total_seconds() for d in r["drills"] if d.get(key))
calls = sum(c["calls"] for d in r["drills"] for c in d.get("calls", []))
calls += sum(c["calls"] for c in r.get("calls", []))
per_drill = calls / max(1, len(r["drills"]))
print(f"{last('injected_at'):.1f} {last('confirmed_at'):.1f} {last('reverted_at'):.1f} {per_drill:.2f}")
PY
}

table="| drills | accounts | wall time (s) | LocalStack CPU (s) | ratio to 1 drill | last change made (s) | last change confirmed (s) | last revert verified (s) | AWS calls per drill | detector runs | detections | peak RSS (MB) | target |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
base=""
# The last shape runs with reads not coalesced (DRIFTDRILL_COALESCE=0): the calls and time the
# same drills take without it, measured in the same run.
for shape in "1 1 1" "$accounts $per 1" "$accounts $per 0"; do
  read -r n k coalesce <<<"$shape"
  dir="$work/a$n-c$coalesce"
  config "$dir" "$n" "$k"
  cpu_before=$(localstack_cpu)
  read -r wall rss rc polls detected < <(DRIFTDRILL_COALESCE=$coalesce run_drills "$dir" "$work/polls.log")
  # LocalStack answers every call on about one core: its CPU time over the run's wall time
  # says how much of the run was waiting on it.
  cpu_after=$(localstack_cpu) ls_cpu=-
  [ -n "$cpu_before" ] && ls_cpu=$(python3 -c "print(round($cpu_after - $cpu_before, 1))")
  drills=$((n * k))
  [ -z "$base" ] && base=$wall
  ratio=$(python3 -c "print(round($wall / $base, 2))")
  read -r injected confirmed reverted calls < <(phases "$dir")
  target="-"
  [ "$drills" -gt 1 ] && target="within 2x of one drill: $(python3 -c "print('met' if $ratio <= 2 else 'not met')")"
  if [ "$coalesce" = 0 ]; then
    target="reads not coalesced (as before): $(python3 -c "print(round($calls / $last_calls, 2))")x the calls"
    uncoalesced_calls=$calls
    table+=$'\n'"| $drills | $n |$(printf ' %s |' "$wall" "$ls_cpu" "$ratio" "$injected" "$confirmed" "$reverted" "$calls" "$polls" "$detected/$drills" "$rss" "$target")"
    [ "$rc" = 0 ] || { tail -n 5 "$dir/out" "$dir/err" >&2; }
    continue
  fi
  table+=$'\n'"| $drills | $n | $wall | $ls_cpu | $ratio | $injected | $confirmed | $reverted | $calls | $polls | $detected/$drills | $rss | $target |"
  echo "org-scale: drills=$drills accounts=$n wall=${wall}s ratio=$ratio calls/drill=$calls polls=$polls detected=$detected rc=$rc rss=${rss}MB" >&2
  [ "$rc" = 0 ] || { tail -n 5 "$dir/out" "$dir/err" >&2; }
  cp "$dir/err" "$results/org-scale-$drills-drills.log"
  last_ratio=$ratio last_rss=$rss last_polls=$polls last_wall=$wall last_calls=$calls last_cpu=$ls_cpu
done
# Drift left behind anywhere fails the benchmark.
"$venv_python" - "$accounts" "$url" <<'PY'
import boto3, sys
n, url = int(sys.argv[1]), sys.argv[2]
left = []
for a in range(1, n + 1):
    ec2 = boto3.client("ec2", endpoint_url=url, aws_access_key_id="1000000%05d" % a,
                       aws_secret_access_key="test", region_name="us-east-1")
    for g in ec2.describe_security_groups(Filters=[{"Name": "tag:bench", "Values": ["org"]}])["SecurityGroups"]:
        if any(p.get("FromPort") == 22 for p in g["IpPermissions"]):
            left.append(g["GroupId"])
        ec2.delete_security_group(GroupId=g["GroupId"])
if left:
    sys.exit(f"drift left behind on {left}")
PY
secs=${interval%s}
{
  echo "### Organisation scale: $((accounts * per)) drills across $accounts accounts (one polled detector per account, interval $interval)"
  echo
  echo "$table"
  echo
  printf 'Targets: within 2x of one drill: **%s** (%s); AWS calls per drill at most half of those without coalesced reads: **%s** (%s against %s); peak RSS under 64 MB: **%s** (%s MB); detector runs %s over %s s in %s accounts, about %s per account per interval (they grow with intervals x environments; 200 drills share each poll).\n' \
    "$(python3 -c "print('met' if $last_ratio <= 2 else 'not met')")" "$last_ratio" \
    "$(python3 -c "print('met' if $last_calls <= $uncoalesced_calls / 2 else 'not met')")" "$last_calls" "$uncoalesced_calls" \
    "$(python3 -c "print('met' if $last_rss < 64 else 'not met')")" "$last_rss" \
    "$last_polls" "$last_wall" "$accounts" "$(python3 -c "print(round($last_polls / $accounts / max(1, $last_wall / $secs), 2))")"
  [ "$last_cpu" = - ] || printf 'LocalStack was busy for %s s of the %s s (one Python process: it answers one call at a time).\n' "$last_cpu" "$last_wall"
} > "$results/org-scale-$interval.md"
cat "$results/org-scale-$interval.md"
