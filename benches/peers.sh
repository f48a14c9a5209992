#!/usr/bin/env bash
# The same security-group drill (open tcp/22 to the world, then roll back) run by driftdrill and
# by Chaos Toolkit with chaostoolkit-aws, side by side against the same LocalStack: wall time
# and peak memory per run (median of RUNS). Target: driftdrill at least 5x faster and 5x smaller.
#
#   bash benches/peers.sh      # part of benches/run.sh
#
# Chaos Toolkit's experiment is the action plus its rollback (2 API calls). driftdrill's row
# "mechanics" does strictly more: guardrails, snapshot, journaled intent, inject, read-back
# verify, revert, verify (7 calls, 5 fsyncs), with the observation window cut to 0 s
# (--max-drift-lifetime 0s). No poll that starts after the change can finish in a zero window,
# so the measurement rules judge nothing: the record says "inconclusive" (exit 3), and every
# run is checked for exactly that, with its revert verified. The row "with a detector" also
# waits for a real detector (a DescribeSecurityGroups query every 0.2 s through curl) to see
# the open port before reverting: "detected_within_sla" (exit 0).
source "$(dirname "$0")/lib/common.sh"
runs=${RUNS:-5}

req=benches/chaostoolkit-requirements.txt
venv=${XDG_CACHE_HOME:-$HOME/.cache}/driftdrill/chaostoolkit-venv-$(sha256sum "$req" | cut -c1-12)
if [ ! -f "$venv/.complete" ]; then
  mkdir -p "$(dirname "$venv")"
  exec 8>"$venv.lock"
  flock 8
  if [ ! -f "$venv/.complete" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet -r "$req"
    touch "$venv/.complete"
  fi
  exec 8>&-
fi

group=$(make_groups 1 peers)
cat > "$work/experiment.json" <<JSON
{
  "version": "1.0.0",
  "title": "Open tcp/22 to the world on a security group, then roll back",
  "description": "driftdrill benchmark: the same drill as scenarios/ssh-open-to-world.toml",
  "configuration": {"aws_region": "us-east-1"},
  "method": [{
    "type": "action", "name": "open-ssh",
    "provider": {"type": "python", "module": "chaosaws.ec2.actions",
      "func": "authorize_security_group_ingress",
      "arguments": {"requested_security_group_id": "$group", "ip_protocol": "tcp",
        "from_port": 22, "to_port": 22, "cidr_ip": "0.0.0.0/0"}}
  }],
  "rollbacks": [{
    "type": "action", "name": "close-ssh",
    "provider": {"type": "python", "module": "chaosaws.ec2.actions",
      "func": "revoke_security_group_ingress",
      "arguments": {"requested_security_group_id": "$group", "ip_protocol": "tcp",
        "from_port": 22, "to_port": 22, "cidr_ip": "0.0.0.0/0"}}
  }]
}
JSON
cat > "$work/check.sh" <<SH
#!/bin/sh
# LocalStack answers unsigned EC2 query calls; a real account would need signed ones.
curl -fsS "$url/?Action=DescribeSecurityGroups&Version=2016-11-15&GroupId.1=$group" \
  | grep -q '<fromPort>22</fromPort>' || exit 0
echo "$group"; exit 2
SH
chmod +x "$work/check.sh"
command_detector describe "$work/check.sh" 200ms | write_config "$work/driftdrill.toml"
write_scenarios "$work/scenarios" describe "$group"

declare -A wall rss tree anon
run_tool() { # name, expected exit code, expected outcome in the run record (or -), command...
  local name=$1 want=$2 outcome=$3 w r t a rc i
  shift 3
  for ((i = 0; i < runs; i++)); do
    rm -rf "$work/runs"
    read -r w r t a rc < <(measure_tree "$@")
    [ "$rc" = "$want" ] || { echo "peers: $name exited $rc (expected $want)" >&2; exit 1; }
    [ "$outcome" = - ] || record_says "$name" "$outcome"
    wall[$name]+="$w " rss[$name]+="$r " tree[$name]+="$t " anon[$name]+="$a "
    drop_check
  done
}
# The run's one drill ended with OUTCOME and a verified revert, as the record says.
record_says() {
  python3 - "$work/runs" "$1" "$2" <<'PY'
import glob, json, sys
runs, name, want = sys.argv[1:]
[path] = glob.glob(f"{runs}/*.json")
drill = json.load(open(path))["drills"][0]
got = [e["outcome"] for e in drill["expectations"]]
if got != [want] or not (drill.get("revert") or {}).get("verified"):
    sys.exit(f"peers: {name}: outcomes {got}, revert {drill.get('revert')} (expected [{want!r}], verified)")
PY
}
# After every run the group must have no tcp/22 rule left.
drop_check() {
  "$venv_python" - "$group" "$url" <<'PY'
import boto3, sys
g = boto3.client("ec2", endpoint_url=sys.argv[2]).describe_security_groups(GroupIds=[sys.argv[1]])["SecurityGroups"][0]
if any(p.get("FromPort") == 22 for p in g["IpPermissions"]):
    sys.exit("drift left behind")
PY
}
export AWS_ENDPOINT_URL=$url
cd "$work"
run_tool chaos 0 - "$venv/bin/chaos" --no-log-file run --no-verify-tls --rollback-strategy=always --journal-path "$work/journal.json" "$work/experiment.json"
run_tool mechanics 3 inconclusive "$bin" run --config "$work/driftdrill.toml" "$work/scenarios" --out "$work/runs" --max-drift-lifetime 0s
run_tool detector 0 detected_within_sla "$bin" run --config "$work/driftdrill.toml" "$work/scenarios" --out "$work/runs"
cd - >/dev/null
drop_groups peers

ratio() { python3 -c "print(round($1 / $2, 1))"; }
# How much of link/hot-symbols.txt (the functions laid out first, see build.rs) the measured
# binary still has: a list gone stale with the code costs memory, not correctness.
hot_code_line() {
  local list=$repo/link/hot-symbols.txt listed present
  [ "$profile" = dist ] && [ -f "$list" ] || return 0
  listed=$(grep -vc '^#' "$list")
  present=$(grep -v '^#' "$list" | sort -u | comm -12 - <(nm --defined-only "$bin" | awk '{print $3}' | sort -u) | wc -l)
  echo
  echo "The \`dist\` binary lays out its hot code first: $present of the $listed functions in link/hot-symbols.txt (benches/hot-symbols.sh) are in it."
}
row() { # label, key
  local w r t a
  w=$(median ${wall[$2]}) r=$(median ${rss[$2]}) t=$(median ${tree[$2]}) a=$(median ${anon[$2]})
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$w" "$r" "$t" "$a" \
    "$(ratio "$(median ${wall[chaos]})" "$w")" "$(ratio "$(median ${rss[chaos]})" "$r")" \
    "$(ratio "$(median ${anon[chaos]})" "$a")"
}
{
  echo "### Side by side with Chaos Toolkit (open tcp/22, roll back; median of $runs runs)"
  echo
  echo "| tool | wall time (s) | peak RSS (MB) | peak RSS with child processes (MB) | peak anonymous (MB) | Chaos Toolkit time / this | Chaos Toolkit RSS / this | Chaos Toolkit anonymous / this |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  row "Chaos Toolkit $(grep '^chaostoolkit==' "$req" | cut -d= -f3) + chaostoolkit-aws $(grep '^chaostoolkit-aws==' "$req" | cut -d= -f3)" chaos
  row "driftdrill, mechanics (same drill, no observation window)" mechanics
  row "driftdrill, with a detector polled every 0.2 s" detector
  c_wall=$(median ${wall[chaos]}) c_rss=$(median ${rss[chaos]}) c_anon=$(median ${anon[chaos]})
  m_wall=$(median ${wall[mechanics]}) m_rss=$(median ${rss[mechanics]}) m_anon=$(median ${anon[mechanics]})
  verdict() { python3 -c "print('met' if $1 / $2 >= 5 else 'not met')"; }
  echo
  echo "Targets (same drill, driftdrill mechanics vs Chaos Toolkit): 5x faster **$(verdict "$c_wall" "$m_wall")**;"
  echo "5x smaller by peak RSS **$(verdict "$c_rss" "$m_rss")**, by peak anonymous memory **$(verdict "$c_anon" "$m_anon")**."
  hot_code_line
} > "$results/peers.md"
cat "$results/peers.md"
