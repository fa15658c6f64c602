#!/bin/sh
# make bench: the engine micro-benchmarks, then W1 in zksim beside the
# bare-C reference, on the same machine in the same run.  W1 cases:
# N in {3, 5, 13} x C in {100, 1000}, 10 s simulated (BENCH_SECONDS).
# BENCH_QUICK=1 runs only N=5, C=100.
set -u
B=${1:-build}
secs=${BENCH_SECONDS:-10}
echo "== engine"
"$B/bench_engine"
echo
echo "== W1 ($secs s simulated after the leader is up; one run each, machine shared: compare ratios)"
cases="3:100 5:100 13:100 3:1000 5:1000 13:1000"
[ "${BENCH_QUICK:-0}" = 1 ] && cases="5:100"
printf '%-12s %10s %10s %12s %12s %10s %10s %8s\n' case writes bare_writes lat_ms bare_lat_ms zksim_s bare_s ratio
for c in $cases; do
    n=${c%%:*} k=${c##*:}
    z=$("$B/bench_zksim" "$n" "$k" "$secs")
    b=$("$B/bare_w1" "$n" "$k" "$secs")
    zw=$(echo "$z" | sed -E 's/.*: ([0-9]+) writes.*/\1/')
    zl=$(echo "$z" | sed -E 's/.*mean latency ([0-9.]+) ms.*/\1/')
    zt=$(echo "$z" | sed -E 's/.* ([0-9.]+) s, [0-9]+ events\/s.*/\1/')
    bw=$(echo "$b" | sed -E 's/.*: ([0-9]+) commits.*/\1/')
    bl=$(echo "$b" | sed -E 's/.*mean latency ([0-9.]+) ms.*/\1/')
    bt=$(echo "$b" | sed -E 's/.* ([0-9.]+) s, [0-9]+ events\/s.*/\1/')
    ratio=$(awk -v a="$bt" -v b="$zt" 'BEGIN { printf "%.3f", a / b }')
    printf '%-12s %10s %10s %12s %12s %10s %10s %8s\n' "N=$n,C=$k" "$zw" "$bw" "$zl" "$bl" "$zt" "$bt" "$ratio"
    echo "  $z"
done
echo
echo "ratio = bare-C wall time / zksim wall time for the same simulated W1 (1.0 = as fast as bare C)"
echo
echo "== W1 N=5 C=100 with JSON Lines tracing to /dev/null"
"$B/bench_zksim" --trace 5 100 "$secs"
echo
echo "== fuzz throughput (scenarios/fuzz-base.zks, 200 seeds)"
./zksim fuzz scenarios/fuzz-base.zks --seeds 1..200 --quiet --out "$B/fuzz-bench" | tail -n 1
