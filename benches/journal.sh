#!/usr/bin/env bash
# A journal holding thousands of settled drills must not slow anything down: `run` (which reads
# the journal to refuse a dirty one) and `recover` (which finds what is unsettled) against a
# journal of DRILLS (default 5,000) finished drills, against an empty journal for comparison.
# The journal is made from a real drill's lines (one real run against LocalStack), repeated
# under fresh drill ids: 4,000 verified, 1,000 settled (target gone). Median of RUNS runs, wall
# time of the whole process.
#
#   bash benches/journal.sh            # part of benches/run.sh; PROFILE=debug for a warm debug build
source "$(dirname "$0")/lib/common.sh"
drills=${DRILLS:-5000}
runs=${RUNS:-7}

read -r group < <(make_groups 1 journal)
cleanup_steps+=("drop_groups journal")
dir=$work/journal
mkdir -p "$dir"
command_detector quiet true 1s | write_config "$dir/driftdrill.toml"
write_scenarios "$dir/scenarios" quiet "$group"
# One real drill: its journal lines are the template.
"$bin" run --config "$dir/driftdrill.toml" "$dir/scenarios" --max-drift-lifetime 2s --out "$dir/runs" \
  >/dev/null 2>&1 || true
grep -q '"step":"verified"' "$dir/journal.jsonl" || { echo "journal: the template drill did not verify" >&2; exit 1; }
python3 - "$dir/journal.jsonl" "$drills" <<'PY'
import json, sys
path, n = sys.argv[1], int(sys.argv[2])
template = [json.loads(l) for l in open(path) if l.strip()]
with open(path + ".big", "w") as out:
    for i in range(n):
        for e in template:
            e = dict(e, run=f"bench-{i // 50}", drill=f"bench-{i // 50}/drill-{i}")
            if i % 5 == 4 and e["step"] == "verified":
                e = {"at": e["at"], "run": e["run"], "drill": e["drill"], "step": "settled",
                     "settled": "target_gone", "evidence": "aws_security_group sg-0 does not exist any more"}
            out.write(json.dumps(e) + "\n")
PY
lines=$(wc -l < "$dir/journal.jsonl.big")
size=$(du -h "$dir/journal.jsonl.big" | cut -f1)

time_cmd() {
  python3 - "$runs" "$@" <<'PY'
import subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
out = []
for _ in range(runs):
    t = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    out.append((time.monotonic() - t) * 1000)
    if p.returncode != 0:
        sys.exit(f"{cmd}: exit {p.returncode}: {p.stderr.decode()[-500:]}")
out.sort()
print(round(out[len(out) // 2], 1))
PY
}

row() { # row LABEL: times run --dry-run and recover with the current journal
  local dry rec
  dry=$(time_cmd "$bin" run --dry-run --config "$dir/driftdrill.toml" "$dir/scenarios" --out "$dir/dry")
  rec=$(time_cmd "$bin" recover --config "$dir/driftdrill.toml" --out "$dir/rec")
  echo "| $1 | $dry | $rec |"
}

: > "$dir/journal.jsonl"
empty=$(row "empty")
cp "$dir/journal.jsonl.big" "$dir/journal.jsonl"
big=$(row "$drills finished drills ($lines lines, $size)")
{
  echo "### A journal of $drills settled drills (median of $runs runs, $profile build)"
  echo
  echo "| journal | \`run --dry-run\` of one drill (ms) | \`recover\` (ms) |"
  echo "|---|---:|---:|"
  echo "$empty"
  echo "$big"
  echo
  max=$(python3 -c "import sys; print(max(float(x) for x in sys.argv[1:]))" \
    "$(echo "$big" | cut -d'|' -f3)" "$(echo "$big" | cut -d'|' -f4)")
  echo "Target (well under a second with $drills settled drills): **$(python3 -c "print('met' if $max < 500 else 'not met')")** (slowest $max ms; no compaction needed)."
} > "$results/journal.md"
cat "$results/journal.md"
