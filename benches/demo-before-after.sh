#!/usr/bin/env bash
# The demo before and after the second catalog wave: `driftdrill demo` built from BEFORE (the
# last commit with only EC2, S3 and IAM) and from the checkout, run alternately RUNS times each
# from an empty folder, on the same machine and warm venvs; wall time, setup and drill phases
# (from the demo's own phase lines), exit code, drills and services drilled.
#
#   bash benches/demo-before-after.sh        # BEFORE=6487deb RUNS=2, debug builds (what
#                                            # `cargo run -- demo` runs)
#
# BEFORE is built in a git worktree with the checkout's target folder, so only driftdrill itself
# compiles again; its binary is copied out and the checkout rebuilt before anything is timed.
# Needs what the demo needs (terraform with the provider mirror, python3 with venv).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
before=${BEFORE:-6487deb}
runs=${RUNS:-2}
work=$(mktemp -d /tmp/driftdrill-demo-ba.XXXXXX)
results=${RESULTS_DIR:-$work}
trap 'git -C "$repo" worktree remove --force "$work/before" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

git worktree add --quiet --detach "$work/before" "$before"
CARGO_TARGET_DIR=$repo/target cargo build --quiet --manifest-path "$work/before/Cargo.toml"
cp "$repo/target/debug/driftdrill" "$work/driftdrill-before"
cargo build --quiet
cp "$repo/target/debug/driftdrill" "$work/driftdrill-after"
# The checkout's commit; "+changes" when what the binary is built from (anything but benches/)
# differs from it.
after=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!benches' 2>/dev/null || echo "+changes")

# demo WHICH N: one demo from an empty folder; prints "wall setup drills exit drills services".
demo() {
  local dir=$work/$1-$2 start end code=0
  mkdir -p "$dir"
  start=$(date +%s.%N)
  (cd "$dir" && "$work/driftdrill-$1" demo --dir "$dir/d" > "$dir/out" 2>&1) || code=$?
  end=$(date +%s.%N)
  python3 - "$dir" "$start" "$end" "$code" <<'PY'
import glob, json, re, sys
d, start, end, code = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
phase = {}
for line in open(f"{d}/out"):
    m = re.match(r"==> \[\s*([0-9.]+)s\] (\S+ \S+)", line)
    if m:
        phase.setdefault(m.group(2), float(m.group(1)))
setup = phase.get("running the")
drills = phase.get("the quarterly") - setup if setup is not None and "the quarterly" in phase else None
records = glob.glob(f"{d}/d/runs/*.json")
ran = json.load(open(records[0]))["drills"] if records else []
services = sorted({x["action"].split(".")[0] for x in ran})
fmt = lambda v: "-" if v is None else f"{v:.0f}"
print(f"{end - start:.0f} {fmt(setup)} {fmt(drills)} {code} {len(ran)} {','.join(services) or '-'}")
PY
}

rows=""
load=$(cut -d' ' -f1-3 /proc/loadavg)
for n in $(seq 1 "$runs"); do
  for which in before after; do
    read -r wall setup drills code count services < <(demo "$which" "$n")
    commit=$before
    [ "$which" = after ] && commit=$after
    echo "demo-before-after: $which ($commit) run $n: ${wall}s exit $code" >&2
    rows+="| $which ($commit) | $n | $wall | $setup | $drills | $code | $count | ${services//,/, } |"$'\n'
  done
done
{
  echo "### The demo before and after the second catalog wave (debug build, warm venvs, $(nproc) cores)"
  echo
  echo "| build | run | total (s) | setup (s) | drills (s) | exit code | drills run | services drilled |"
  echo "|---|---:|---:|---:|---:|---:|---:|---|"
  printf '%s' "$rows"
  echo
  echo "Written by \`bash benches/demo-before-after.sh\` on $(date -u +%Y-%m-%d) at $after (before: $before), load average before the first demo $load."
  echo
  echo "Runs alternate before/after on one machine. Setup is LocalStack, the sample environment's apply and the timed plan; drills run from the first scenario to the report. Target: at most 180 s warm, exit code 0."
} > "$results/demo-before-after.md"
cat "$results/demo-before-after.md"
