#!/usr/bin/env bash
# Writes link/hot-symbols.txt: the functions of the `dist` binary that typical drills run, which
# build.rs has the linker lay out together at the start of the machine code (see hot_code_first
# there). Re-run it after large changes: a symbol the code no longer has is skipped, so a stale
# list only costs memory (benches/peers.sh reports how much of the list the binary still has).
#
#   bash benches/hot-symbols.sh
#
# Each command runs under valgrind's callgrind, which records every function executed: a drill
# by id and a drill by tags (one run, both observed by a polled command detector until it sees
# the change, then reverted and verified), `validate`, `list` and `report`. Needs valgrind.
source "$(dirname "$0")/lib/common.sh"
command -v valgrind >/dev/null || { echo "hot-symbols: needs valgrind (apt-get install valgrind)" >&2; exit 1; }

mapfile -t groups < <(make_groups 2 hot)
by_id=${groups[0]} by_tag=${groups[1]}
"$venv_python" - "$by_tag" "$url" <<'PY'
import boto3, sys
boto3.client("ec2", endpoint_url=sys.argv[2]).create_tags(
    Resources=[sys.argv[1]], Tags=[{"Key": "drill:target", "Value": "hot-by-tag"}])
PY
# The detector prints the groups with tcp/22 open and exits 2 when there are any.
cat > "$work/check.sh" <<SH
#!/bin/sh
found=0
for g in $by_id $by_tag; do
  if curl -fsS "$url/?Action=DescribeSecurityGroups&Version=2016-11-15&GroupId.1=\$g" \
    | grep -q '<fromPort>22</fromPort>'; then echo "\$g"; found=2; fi
done
exit \$found
SH
chmod +x "$work/check.sh"
command_detector describe "$work/check.sh" 200ms | write_config "$work/driftdrill.toml"
write_scenarios "$work/scenarios" describe "$by_id"
sed -e 's/^id = "bench-1"/id = "bench-tag"/' \
  -e "s/^id = \"$by_id\"/tags = { \"drill:target\" = \"hot-by-tag\" }/" \
  "$work/scenarios/s1.toml" > "$work/scenarios/s2.toml"

n=0
traced() { # COMMAND...: runs the binary under callgrind
  n=$((n + 1))
  valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/cg.$n" "$bin" "$@" \
    >"$work/out.$n" 2>&1 || { tail -n 20 "$work/out.$n" >&2; exit 1; }
}
cd "$work"
traced validate --config driftdrill.toml scenarios
traced list
traced run --config driftdrill.toml scenarios --out runs
traced report runs
drop_groups hot

# Every function of the binary itself (not of the C library) that ran, in the order callgrind
# first named them.
nm --defined-only "$bin" | awk '{print $3}' > "$work/defined"
python3 - "$work/defined" "$repo/link/hot-symbols.txt" "$work"/cg.* <<'PY'
import re, sys
defined, out, traces = set(open(sys.argv[1]).read().split()), sys.argv[2], sys.argv[3:]
names, seen = [], set()
for trace in traces:
    for line in open(trace):
        m = re.match(r"^c?fn=\(\d+\) (.*)$", line.rstrip("\n"))
        if m and m.group(1) in defined and m.group(1) not in seen:
            seen.add(m.group(1))
            names.append(m.group(1))
with open(out, "w") as f:
    f.write("# Written by benches/hot-symbols.sh: the functions typical drills run, laid out first\n")
    f.write("# in the dist binary by build.rs (lld's --symbol-ordering-file). Do not edit.\n")
    f.write("\n".join(names) + "\n")
print(f"hot-symbols: {len(names)} functions written to {out}", file=sys.stderr)
PY
