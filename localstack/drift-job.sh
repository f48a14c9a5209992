#!/usr/bin/env bash
# A scheduled drift check the way teams run one from cron or CI: `terraform plan
# -detailed-exitcode` every INTERVAL seconds; when it exits 2 (changes), post the plan to a
# Slack-style incoming webhook. driftdrill's demo and end-to-end test point it at driftdrill's
# webhook channel, so the alert path is measured with a real detector.
#
#   localstack/drift-job.sh DIR WEBHOOK_URL [INTERVAL_SECONDS] [OWNER_PID]
#
# DIR is an initialised terraform working directory (TF_CLI_CONFIG_FILE is honoured).
# Runs until killed. With OWNER_PID, and started as the leader of its own process group, it
# stops (a plan in flight included: SIGINT, then SIGKILL) within a second or two of that
# process ending, however it ends.
set -uo pipefail
dir=$1
url=$2
interval=${3:-10}
owner=${4:-}
if [ -n "$owner" ]; then
  group=$$
  ( while kill -0 "$owner" 2>/dev/null; do sleep 1; done
    kill -INT -- "-$group" 2>/dev/null; sleep 5; kill -KILL -- "-$group" 2>/dev/null ) \
    </dev/null >/dev/null 2>&1 &
fi
while :; do
  out=$(terraform -chdir="$dir" plan -detailed-exitcode -input=false -no-color -lock=false 2>&1)
  code=$?
  if [ "$code" -eq 2 ]; then
    printf '%s' "$out" | python3 -c '
import json, sys, urllib.request
plan = sys.stdin.read()
# Post what changed, not the whole log: "Refreshing state... [id=...]" names every resource and
# would make any alert look like it concerns all of them.
lines = plan.splitlines()
start = next((i for i, l in enumerate(lines) if "Terraform detected the following changes" in l
              or "Objects have changed outside of Terraform" in l
              or "Terraform will perform the following actions" in l), 0)
diff = "\n".join(l for l in lines[start:] if "Refreshing state..." not in l)
chunks = [diff[i:i + 2900] for i in range(0, len(diff), 2900)][:45] or [""]
body = json.dumps({"text": "Drift detected by the scheduled terraform plan (exit 2)",
                   "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "```" + c + "```"}} for c in chunks]}).encode()
req = urllib.request.Request(sys.argv[1], data=body, headers={"Content-Type": "application/json"})
try:
    urllib.request.urlopen(req, timeout=10).read()
except Exception as e:
    print("drift-job: could not post the alert:", e, file=sys.stderr)
' "$url"
  elif [ "$code" -ne 0 ]; then
    echo "drift-job: terraform plan failed (exit $code)" >&2
    printf '%s\n' "$out" | tail -n 5 >&2
  fi
  sleep "$interval"
done
