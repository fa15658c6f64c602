#!/bin/sh
# pgo-train.sh DIR - the training runs of the profile-guided build
# (Makefile, PGO): DIR holds the instrumented zksim and bench_zksim.
# A few seconds of what users run: W1 at small and large sizes, the
# mixed workload with faults (reads, watches, sessions, crashes) traced
# to JSONL, a sweep of ensemble sizes, and fuzz seeds (elections,
# partitions, recoveries, the invariant checks).  Counts only steer the
# optimiser (layout, inlining); the program's meaning is unchanged.
set -e
d=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$d/bench_zksim" 3 1000 0.3 >/dev/null
"$d/bench_zksim" 5 100 1 >/dev/null
"$d/bench_zksim" 13 1000 0.05 >/dev/null
"$d/zksim" run -q --trace=jsonl --out "$out/mixed" tests/bench/mixed-faults.zks >/dev/null
"$d/zksim" run -q --out "$out/default" scenarios/default.zks >/dev/null
"$d/zksim" run -q --out "$out/obs" scenarios/observers.zks >/dev/null
"$d/zksim" fuzz --seeds 1..40 --out "$out/fuzz" scenarios/fuzz-base.zks >/dev/null
echo "pgo: trained on $d"
