#!/bin/sh
# Runs the unit tests and the bundled scenarios, then prints one closing
# line with the totals ("N passed, M failed").
# Usage: tests/run_all.sh RUN_TESTS_BINARY ZKSIM_BINARY
set -u
unit_out=$(mktemp) scn_out=$(mktemp)
trap 'rm -f "$unit_out" "$scn_out"' EXIT
"$1" 2>&1 | tee "$unit_out"
"$2" check scenarios/*.zks 2>&1 | tee "$scn_out"
count() { # $1 file, $2 word
    grep -E "^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed" "$1" | tail -n1 |
        sed -E "s/^([A-Za-z]+: )?([0-9]+) passed, ([0-9]+) failed.*/\2 \3/" |
        awk -v w="$2" '{ print (w == "p" ? $1 : $2) }'
}
up=$(count "$unit_out" p) uf=$(count "$unit_out" f) sp=$(count "$scn_out" p) sf=$(count "$scn_out" f)
up=${up:-0} uf=${uf:-0} sp=${sp:-0} sf=${sf:-0}
# A crashed runner prints no closing line: count it as a failure.
[ -z "$(count "$unit_out" p)" ] && uf=$((uf + 1))
[ -z "$(count "$scn_out" p)" ] && sf=$((sf + 1))
echo "total: $((up + sp)) passed, $((uf + sf)) failed"
[ "$((uf + sf))" -eq 0 ] || exit 1
exit 0
