#!/usr/bin/env bash
# A newcomer's first ten minutes, measured from a clean clone of HEAD with empty build folders:
#   1. the README's two commands in both orders: how many crates each compiles (the second must
#      compile only driftdrill itself), and how long;
#   2. `cargo run -- demo` after the build: wall time from start to the printed report;
#   3. `cargo build --release` (what `cargo install --path .` builds) from nothing.
# Writes $RESULTS_DIR/first-run.md (default: a temporary folder) and prints it. About 40 minutes
# on 2 cores; SKIP_DEMO=1 or SKIP_RELEASE=1 leave a part out.
#
#   bash benches/first-run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=$(mktemp -d /tmp/driftdrill-first-run.XXXXXX)
trap 'rm -rf "$work"' EXIT
results=${RESULTS_DIR:-$work}
git clone --quiet --no-hardlinks "$repo" "$work/clone"
cd "$work/clone"

# step LOG COMMAND...: runs a cargo command with its own output in LOG; prints
# "<seconds> <crates compiled>".
step() {
  local log=$1 start end
  shift
  start=$(date +%s.%N)
  "$@" >"$log" 2>&1 || { tail -20 "$log" >&2; exit 1; }
  end=$(date +%s.%N)
  python3 -c "print(round($end - $start), $(grep -c '^ *Compiling ' "$log" || true))"
}

# compiled LOG: the crates a cargo log compiled, one "name version" a line.
compiled() { sed -n 's/^ *Compiling \([^ ]*\) \(v[^ ]*\).*/\1 \2/p' "$1" | sort; }

orders=()
for order in "test run" "run test"; do
  export CARGO_TARGET_DIR=$work/target-${order// /-}
  first=${order%% *}
  second=${order##* }
  cmd() { if [ "$1" = test ]; then echo cargo test --no-run; else echo cargo build --bin driftdrill; fi; }
  read -r t1 c1 < <(step "$work/$first-1.log" $(cmd "$first"))
  read -r t2 c2 < <(step "$work/$second-2.log" $(cmd "$second"))
  # A shared dependency built again by the second command is what a feature fork costs.
  again=$(comm -12 <(compiled "$work/$first-1.log") <(compiled "$work/$second-2.log") | grep -cv '^driftdrill ' || true)
  names=$(compiled "$work/$second-2.log" | cut -d' ' -f1 | tr '\n' ' ')
  orders+=("| \`cargo $first\` then \`cargo $second\` | $c1 crates, ${t1} s | $c2 crates, ${t2} s (${names:-nothing left to build}) | $again |")
  if [ "$order" = "test run" ]; then
    keep_target=$CARGO_TARGET_DIR
  fi
done

demo="not measured (SKIP_DEMO=1)"
if [ -z "${SKIP_DEMO:-}" ]; then
  export CARGO_TARGET_DIR=$keep_target
  start=$(date +%s.%N)
  cargo run --quiet -- demo >"$work/demo.out" 2>"$work/demo.err" \
    || { tail -30 "$work/demo.err" >&2; exit 1; }
  end=$(date +%s.%N)
  demo="$(python3 -c "print(round($end - $start))") s"
  drills=$(grep -c ': done$' "$work/demo.err" || true)
  demo="$demo ($drills drills, everything reverted: $(grep -o 'Reverts: [0-9]* verified, [0-9]* with conflicts, [0-9]* failed' "$work/demo.out" | tail -1))"
fi

release="not measured (SKIP_RELEASE=1)"
if [ -z "${SKIP_RELEASE:-}" ]; then
  export CARGO_TARGET_DIR=$work/target-release
  read -r t c < <(step "$work/release.log" cargo build --release)
  release="$t s ($c crates)"
fi

{
  echo "### The first ten minutes (clean clone, empty build folders, $(nproc) cores)"
  echo
  echo "| order | first command | second command | shared dependencies compiled again |"
  echo "|---|---|---|---:|"
  printf '%s\n' "${orders[@]}"
  echo
  echo "- \`cargo run -- demo\` after the build, start to printed report: $demo (target: at most 180 s)."
  echo "- \`cargo build --release\` from nothing (\`cargo install --path .\` builds the same): $release (target: at most half of the 30.5 min the size-optimised profile took, i.e. 915 s)."
  echo
  echo "Target for the two commands: the second compiles no dependency the first built (last column 0)."
  echo "\`cargo test\` is measured as \`cargo test --no-run\`: the same compilation, without the suite."
} > "$results/first-run.md"
cat "$results/first-run.md"
