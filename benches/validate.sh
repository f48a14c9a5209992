#!/usr/bin/env bash
# `driftdrill validate` of 200 scenario files (target < 100 ms): the shipped scenarios copied
# under fresh ids until there are 200, validated with the shipped config. Median of RUNS runs,
# wall time of the whole process. Needs no LocalStack.
#
#   bash benches/validate.sh      # part of benches/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${PROFILE:-dist}
if [ -z "${DRIFTDRILL_BENCH_BUILT:-}" ]; then
  if [ "$profile" = debug ]; then cargo build --quiet; else cargo build --profile "$profile" --quiet; fi
fi
bin=$PWD/target/$profile/driftdrill
runs=${RUNS:-11}
work=$(mktemp -d /tmp/driftdrill-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mapfile -t shipped < <(find scenarios -name '*.toml' ! -name driftdrill.toml | sort)
for ((i = 0; i < 200; i++)); do
  src=${shipped[$((i % ${#shipped[@]}))]}
  # Only the first `id =` line, the scenario's own (top-level keys come before any table): an
  # account setting's `[target]` is an `id` too, and a region or account id renamed is invalid.
  sed -E "0,/^id = \"([^\"]+)\"/s//id = \"\\1-$i\"/" "$src" > "$work/s$i.toml"
done
"$bin" validate --config scenarios/driftdrill.toml "$work" >/dev/null \
  || { echo "validate: the generated files do not validate" >&2; exit 1; }
times=$(python3 - "$runs" "$bin" "$work" <<'PY'
import subprocess, sys, time
runs, binary, folder = int(sys.argv[1]), sys.argv[2], sys.argv[3]
out = []
for _ in range(runs):
    t = time.monotonic()
    subprocess.run([binary, "validate", "--config", "scenarios/driftdrill.toml", folder],
                   stdout=subprocess.DEVNULL, check=True)
    out.append((time.monotonic() - t) * 1000)
out.sort()
print(round(out[len(out) // 2], 1), round(out[0], 1), round(out[-1], 1))
PY
)
read -r med lo hi <<<"$times"
results=${RESULTS_DIR:-$work}
{
  echo "### validate of 200 scenario files (median of $runs runs)"
  echo
  echo "| files | median (ms) | fastest (ms) | slowest (ms) | target |"
  echo "|---:|---:|---:|---:|---:|"
  echo "| 200 | $med | $lo | $hi | < 100 ms |"
  echo
  echo "Target: **$(python3 -c "print('met' if $med < 100 else 'not met')")**."
} > "$results/validate.md"
cat "$results/validate.md"
