#!/bin/sh
# pgo-train.sh DIR - the training runs of the profile-guided build
# (Makefile, PGO): DIR holds the instrumented zksim and bench_zksim.
# A few seconds of what users run: W1 at small and large sizes, the
# mixed workload with faults (reads, watches, sessions, crashes) traced
# to JSONL, 13 voters with observers, and fuzz seeds (elections,
# partitions, recoveries, the invariant checks).  Counts only steer the
# optimiser (layout, inlining); the program's meaning is unchanged.
d=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
run() {
    "$@" >/dev/null 2>"$out/err" && return 0
    echo "pgo-train.sh: a training run failed: $*" >&2
    tail -5 "$out/err" >&2
    echo "pgo-train.sh: fix it, or build without profile-guided optimisation: make PGO=0 ..." >&2
    exit 1
}
run "$d/bench_zksim" 3 1000 0.3
run "$d/bench_zksim" 5 100 1
run "$d/bench_zksim" 13 1000 0.05
run "$d/zksim" run -q --trace=jsonl --out "$out/mixed" tests/bench/mixed-faults.zks
run "$d/zksim" run -q --out "$out/default" scenarios/default.zks
run "$d/zksim" run -q --out "$out/obs" scenarios/observers.zks
run "$d/zksim" fuzz --seeds 1..40 --out "$out/fuzz" scenarios/fuzz-base.zks
echo "pgo: trained on $d"
