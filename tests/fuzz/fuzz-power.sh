#!/bin/sh
# fuzz-power.sh - how strong is zksim's checking?  For each planted bug
# (`zksim bugs`), fuzz a base scenario with that bug until the first
# failing seed (no shrinking, so the rate is the fuzzer's own), then
# shrink that seed alone; then fuzz without any bug, where nothing may
# fail.  Prints a table and writes it to OUT.
#
# Usage: tests/fuzz/fuzz-power.sh ZKSIM SCENARIO CLEAN_SCENARIOS SEEDS CLEAN_SEEDS JOBS OUT
#   SCENARIO         base scenario for the bugs (scenarios/fuzz-workload.zks)
#   CLEAN_SCENARIOS  space-separated base scenarios fuzzed without a bug
#   SEEDS            bound per bug (a bug not found by then is reported)
#   CLEAN_SEEDS      seeds of each clean campaign
# Exit status 1 if a bug was not found or a clean campaign failed.
set -u
zksim=$1 scn=$2 clean=$3 seeds=$4 clean_seeds=$5 jobs=$6 out=$7
dir=$(dirname "$out")/fuzz-power
rm -rf "$dir"
mkdir -p "$dir"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
status=0

# "fuzz: S seeds, F failures (first: seed X, A fault lines shrunk to B), W s, R seeds/s"
field() { # $1 summary line, $2 sed expression
    printf '%s\n' "$1" | sed -n "$2"
}

{
    echo "fuzz-power: $scn, up to $seeds seeds per planted bug, $jobs jobs ($(date -u +%Y-%m-%d))"
    echo
    printf '%-18s %-5s %7s %8s %7s %7s  %s\n' bug found seeds seeds/s faults shrunk "first failure (shrunk reproducer)"
} >"$tmp"
cat "$tmp"
for bug in $("$zksim" bugs | awk '{ print $1 }'); do
    line=$("$zksim" fuzz "$scn" --seeds "1..$seeds" --bug "$bug" --stop-at-first --no-shrink -j "$jobs" -q \
        --out "$dir/$bug" | grep " seeds, " | tail -n 1)
    n=$(field "$line" 's/^fuzz: \([0-9]*\) seeds.*/\1/p')
    rate=$(field "$line" 's/.* \([0-9.]*\) seeds\/s.*/\1/p')
    first=$(field "$line" 's/.*first: seed \([0-9]*\),.*/\1/p')
    if [ -z "$first" ]; then
        row=$(printf '%-18s %-5s %7s %8s %7s %7s  %s' "$bug" no "${n:-?}" "${rate:-?}" - - "not found within $seeds seeds")
        status=1
    else
        orig=$(field "$line" 's/.*seed [0-9]*, \([0-9]*\) fault lines.*/\1/p')
        sline=$("$zksim" fuzz "$scn" --seeds "$first..$first" --bug "$bug" -q --out "$dir/$bug" | grep " seeds, " | tail -n 1)
        shrunk=$(field "$sline" 's/.*shrunk to \([0-9]*\)).*/\1/p')
        why=$(sed -n 's/^# failure: //p' "$dir/$bug/seed-$first.min.zks" 2>/dev/null | head -n 1 |
            sed 's/ (seed [0-9]*, event [0-9]*)//' | cut -c1-110)
        row=$(printf '%-18s %-5s %7s %8s %7s %7s  %s' "$bug" yes "$first" "${rate:-?}" "${orig:-?}" "${shrunk:-?}" \
            "$why ($dir/$bug/seed-$first.min.zks)")
    fi
    echo "$row" | tee -a "$tmp"
done
echo | tee -a "$tmp"
for c in $clean; do
    line=$("$zksim" fuzz "$c" --seeds "1..$clean_seeds" --no-shrink -j "$jobs" -q --out "$dir/clean" | grep " seeds, " | tail -n 1)
    fails=$(field "$line" 's/^fuzz: [0-9]* seeds, \([0-9]*\) failures.*/\1/p')
    echo "no bug: $c: ${line#fuzz: }" | tee -a "$tmp"
    [ "${fails:-1}" = 0 ] || status=1
done
mkdir -p "$(dirname "$out")"
cp "$tmp" "$out"
echo "fuzz-power: table in $out, reproducers in $dir/"
exit $status
