#!/usr/bin/env bash
# Every benchmark, one command, and benches/RESULTS.md is what it writes (nothing in it is
# pasted by hand):
#
#   bash benches/run.sh                              # every part (about 2 hours on 2 cores)
#   SKIP="first-run org-scale" bash benches/run.sh   # leave parts out: their sections say so
#   bash benches/run.sh --smoke                      # one tiny run of each part (CI), results
#                                                    # in a temporary folder, RESULTS.md untouched
#
# Parts, in RESULTS.md's order: overhead (cargo bench --bench overhead: harness vs the raw SDK
# floor), peers (Chaos Toolkit side by side), scale (polled command detector, 2 s and 5 s),
# scale-terraform (a terraform detector), validate (200 files), journal (5,000 settled drills),
# org-scale (200 drills over 20 accounts, 2 s and 10 s), first-run (a newcomer's build and demo
# from a clean clone), demo-before-after (the demo before and after the second catalog wave).
# Every part also runs alone (PROFILE=debug reuses a warm debug build); a part's section names
# the commit and date it was measured at when it writes them itself.
# Needs python3 with venv, terraform with the provider mirror, curl.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
smoke=""
[ "${1:-}" = --smoke ] && smoke=1
skip=" ${SKIP:-} "
out=$(mktemp -d /tmp/driftdrill-bench-results.XXXXXX)
ls_dir=$out/localstack
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# However this ends: LocalStack stopped by its pid file (absolute paths, from any folder), the
# results folder removed.
trap 'bash "$repo/localstack/host.sh" down --port "$port" --dir "$ls_dir" >/dev/null 2>&1 || true; rm -rf "$out"' EXIT

if [ -n "$smoke" ]; then
  # Tiny runs of every part on the warm debug build.
  export PROFILE=debug RUNS=1 DRIFTDRILL_BENCH_DRILLS=3
  cargo build --quiet
  bench_build=(cargo bench --profile dev --bench overhead)
else
  export PROFILE=dist
  cargo build --profile dist --quiet
  bench_build=(cargo bench --bench overhead)
fi
"${bench_build[@]}" --no-run --quiet
export DRIFTDRILL_BENCH_BUILT=1
url=$(bash "$repo/localstack/host.sh" up --port "$port" --dir "$ls_dir")
export DRIFTDRILL_BENCH_ENDPOINT=$url RESULTS_DIR=$out
export DRIFTDRILL_BENCH_LOCALSTACK_PID=$(cat "$ls_dir/localstack.pid")

# part NAME COMMAND...: runs a part unless SKIP names it; a skipped part's section says so.
part() {
  local name=$1
  shift
  if [[ "$skip" == *" $name "* ]]; then
    printf '### %s\n\nNot measured in this run (SKIP named it); run `bash benches/run.sh` without it.\n' \
      "$name" > "$out/$name.md"
    return
  fi
  echo "== $name" >&2
  "$@"
}

overhead() {
  local json
  json=$("${bench_build[@]}" --quiet | tail -1)
  python3 - "$json" > "$out/overhead.md" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
print("### Harness overhead per drill (snapshot, inject, verify, revert, verify; one security group)\n")
print("| drills per side | raw SDK floor (median ms/drill) | driftdrill (median ms/drill) | ratio | target |")
print("|---:|---:|---:|---:|---:|")
print(f"| {r['drills']} | {r['floor_ms']:.2f} | {r['driftdrill_ms']:.2f} | {r['ratio']:.2f} | <= 1.2 |")
print(f"\nTarget (<= 1.2x the floor): **{'met' if r['ratio'] <= 1.2 else 'not met'}**.")
PY
  cat "$out/overhead.md"
}

scale() {
  if [ -n "$smoke" ]; then
    INTERVAL=1s COUNTS="1 2" bash benches/scale.sh
    mv "$out/scale-1s.md" "$out/scale.md"
  else
    INTERVAL=2s bash benches/scale.sh
    INTERVAL=5s COUNTS="1 50" bash benches/scale.sh
    cat "$out/scale-2s.md" <(echo) "$out/scale-5s.md" > "$out/scale.md"
  fi
}

scale_terraform() {
  if [ -n "$smoke" ]; then
    INTERVAL=5s COUNTS="1 2" bash benches/scale-terraform.sh
  else
    INTERVAL=20s bash benches/scale-terraform.sh
  fi
}

journal() {
  if [ -n "$smoke" ]; then DRILLS=20 bash benches/journal.sh; else bash benches/journal.sh; fi
}

# Organisation scale gets a LocalStack of its own: 20 accounts' resources would crowd the others.
org_scale() {
  local env=(env -u DRIFTDRILL_BENCH_ENDPOINT)
  if [ -n "$smoke" ]; then
    "${env[@]}" ACCOUNTS=2 PER_ACCOUNT=1 INTERVAL=1s bash benches/org-scale.sh
    mv "$out/org-scale-1s.md" "$out/org-scale.md"
  else
    "${env[@]}" INTERVAL=2s bash benches/org-scale.sh
    "${env[@]}" INTERVAL=10s bash benches/org-scale.sh
    cat "$out/org-scale-2s.md" <(echo) "$out/org-scale-10s.md" > "$out/org-scale.md"
  fi
}

first_run() {
  if [ -n "$smoke" ]; then SMOKE=1 bash benches/first-run.sh; else bash benches/first-run.sh; fi
}

# The demo before and after the second catalog wave: two builds and four demos (about 20
# minutes); the smoke run only checks the script parses.
demo_before_after() {
  if [ -n "$smoke" ]; then
    bash -n benches/demo-before-after.sh
    printf '### demo-before-after\n\nNot measured in the smoke run.\n' > "$out/demo-before-after.md"
  else
    bash benches/demo-before-after.sh
  fi
}

part overhead overhead
part peers bash benches/peers.sh
part scale scale
part scale-terraform scale_terraform
part validate bash benches/validate.sh
part journal journal
part org-scale org_scale
part first-run first_run
part demo-before-after demo_before_after

machine() {
  local cpu mem
  cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)
  mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
  printf '%s cores (%s, %s), %s, load average %s' "$(nproc)" "$(uname -m)" "${cpu:-unknown CPU}" \
    "$mem" "$(cut -d' ' -f1-3 /proc/loadavg)"
}
commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo " with uncommitted changes")
results=benches/RESULTS.md
[ -n "$smoke" ] && results=$out/RESULTS.md
{
  cat <<MD
# Benchmarks

Written by \`bash benches/run.sh\` on $(date -u +%Y-%m-%d) at commit $commit, on $(machine);
the \`$PROFILE\` profile (the overhead benchmark: \`bench\`, which inherits \`release\`; the
first-run part builds what a newcomer builds), LocalStack 4.12.0 in host mode on loopback,
terraform $(terraform version -json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["terraform_version"])').
Every number below comes from that one run, but in a section that names its own run; a section
that was skipped says so.

Targets from the issues: harness overhead <= 1.2x the raw SDK; at least 5x faster and 5x smaller
than Chaos Toolkit; 50 drills with one polled detector within 1.3x the wall time of one drill;
terraform plans grow with intervals, not drills; peak RSS < 50 MB with 100 drills in flight;
\`validate\` of 200 files < 100 ms; \`run\` and \`recover\` well under a second with a journal of
5,000 settled drills; 200 drills over 20 accounts within 2x of one drill with at most half the
AWS calls per drill of uncoalesced reads, peak RSS under 64 MB; the demo within 180 s after the build (240 s on first use), exit code 0.

MD
  for name in overhead peers scale scale-terraform validate journal org-scale first-run demo-before-after; do
    cat "$out/$name.md"
    echo
  done
  cat benches/NOTES.md
} > "$results"
if [ -n "$smoke" ]; then
  echo "benchmark smoke: every part ran" >&2
else
  echo "wrote $results" >&2
fi
