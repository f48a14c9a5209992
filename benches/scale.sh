#!/usr/bin/env bash
# Runner scaling and footprint with one polled command detector (the `run` issue's design
# targets, tightened by the API-call economy issue): 50 drills finish within 1.3x the wall time
# of one drill, because the detector is
# polled once per interval for all drills in flight; peak RSS with 100 drills in flight < 50 MB.
#
#   bash benches/scale.sh      # COUNTS="1 10 50 100" INTERVAL=2s; part of benches/run.sh
#
# Each drill opens tcp/22 on its own security group; the detector is a script listing the
# groups with port 22 open (one DescribeSecurityGroups call with boto3).
source "$(dirname "$0")/lib/common.sh"
counts=${COUNTS:-"1 10 50 100"}
interval=${INTERVAL:-2s}

cat > "$work/open22.py" <<PY
import boto3
ec2 = boto3.client("ec2", endpoint_url="$url")
for g in ec2.describe_security_groups(Filters=[{"Name": "tag:bench", "Values": ["scale"]}])["SecurityGroups"]:
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

table="| drills | wall time (s) | ratio to 1 drill | detector runs (all drills) | detections | peak RSS (MB) |
|---:|---:|---:|---:|---:|---:|"
base="" verdicts=""
for n in $counts; do
  dir="$work/n$n"
  mkdir -p "$dir"
  # shellcheck disable=SC2046
  write_scenarios "$dir/scenarios" check $(make_groups "$n" scale)
  command_detector check "$work/check.sh" "$interval" | write_config "$dir/driftdrill.toml"
  read -r wall rss rc polls detected < <(run_drills "$dir" "$work/polls.log")
  [ -z "$base" ] && base=$wall
  ratio=$(python3 -c "print(round($wall / $base, 2))")
  table+=$'\n'"| $n | $wall | $ratio | $polls | $detected/$n | $rss |"
  [ "$n" = 50 ] && verdicts+="50 drills within 1.3x of one: **$(python3 -c "print('met' if $ratio <= 1.3 else 'not met')")** ($ratio). "
  [ "$n" = 100 ] && verdicts+="Peak RSS with 100 drills in flight under 50 MB: **$(python3 -c "print('met' if $rss < 50 else 'not met')")** ($rss MB). "
  [ "$detected" = "$n" ] || verdicts+="Only $detected of $n drills were detected. "
  echo "scale: n=$n interval=$interval wall=${wall}s ratio=$ratio polls=$polls detected=$detected rc=$rc rss=${rss}MB" >&2
  drop_groups scale
done
{
  echo "### Scaling and footprint, polled command detector (interval $interval)"
  echo
  echo "$table"
  if [ -n "$verdicts" ]; then printf '\nTargets: %s\n' "$verdicts"; fi
} > "$results/scale-$interval.md"
cat "$results/scale-$interval.md"
