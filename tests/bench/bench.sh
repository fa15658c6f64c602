#!/bin/sh
# make bench: every figure of the README's benchmark table, in one run on
# this machine.  The machine is shared and noisy: compare the ratios
# printed side by side, not absolute times across runs.
#
#   1. engine micro-benchmarks (bench_engine);
#   2. W1 in zksim beside the bare-C reference (bare_w1), N in {3, 5, 13}
#      x C in {100, 1000}, BENCH_SECONDS (10) simulated once every server
#      serves; zksim and the bare loop run back to back BENCH_RUNS (5)
#      times at C=100, BENCH_RUNS_BIG (3) times at C=1000, and the pair
#      with the median wall ratio is shown, and the ratio of each
#      program's fastest run (the machine is shared: its
#      load drifts between pairs more than within one); then W1 N=5
#      C=100 with JSON Lines tracing;
#   3. whole runs of `zksim run` (trace off, then JSON Lines on): the
#      mixed workload with faults, 13 voters + 50 observers, 10,000
#      clients; memory per client and per znode from two sizes of a run;
#   4. fuzzing throughput: the default fuzz scenario and the short seeds
#      (2 s simulated, 5 servers, 20 clients).
#
# BENCH_QUICK=1: W1 N=5 C=100 only, shorter runs (a smoke test).
set -u
B=${1:-build}
Z=./zksim
secs=${BENCH_SECONDS:-10}
quick=${BENCH_QUICK:-0}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== engine"
"$B/bench_engine"
echo

# The time T of a line "..., T s, ..." (bench_zksim and bare_w1 alike).
wall_of() {
    awk '{ for (i = 2; i <= NF; i++) if ($i == "s,") { print $(i - 1); exit } }'
}

runs=${BENCH_RUNS:-5}
runs_big=${BENCH_RUNS_BIG:-3}
echo "== W1 ($secs s simulated once every server serves; C=100: $runs pairs of runs, zksim then"
echo "   the bare loop, and the pair with the median wall ratio is shown; C=1000: $runs_big pairs)"
cases="3:100 5:100 13:100 3:1000 5:1000 13:1000"
[ "$quick" = 1 ] && cases="5:100"
printf '%-12s %9s %9s %8s %8s %10s %8s %8s %10s %10s %7s %7s %7s %7s %8s\n' case writes bare_wr lat_ms bare_lat \
    events zksim_s bare_s zk_ev/s bare_ev/s sim_s/s wall_r best_r ev/s_r RSS_MiB
for c in $cases; do
    n=${c%%:*} k=${c##*:}
    r=$runs_big
    [ "$k" -le 100 ] && r=$runs
    # A pair runs back to back, so both see about the same machine load;
    # the load drifts between pairs, so the ratio is taken per pair.
    : >"$tmp/pairs"
    i=0
    while [ "$i" -lt "$r" ]; do
        z=$("$B/bench_zksim" "$n" "$k" "$secs")
        b=$("$B/bare_w1" "$n" "$k" "$secs")
        zt=$(echo "$z" | wall_of)
        bt=$(echo "$b" | wall_of)
        printf '%s %s|%s\n' "$(echo "$bt $zt" | awk '{ printf "%.6f", $1 / $2 }')" "$z" "$b" >>"$tmp/pairs"
        i=$((i + 1))
    done
    # Also the best of each program over the same runs: a run is only
    # ever slowed by other tenants, never sped up, so the fastest of
    # several is the nearest to what the hardware allows.
    best=$(awk '{ split($0, h, "|"); n = split(h[1], z, " "); m = split(h[2], b, " ");
                  zt = bt = "";
                  for (i = 2; i < n; i++) if (z[i + 1] == "s," && zt == "") zt = z[i];
                  for (i = 1; i < m; i++) if (b[i + 1] == "s," && bt == "") bt = b[i];
                  if (NR == 1 || zt < zb) zb = zt; if (NR == 1 || bt < bb) bb = bt }
                END { printf "%.3f", bb / zb }' "$tmp/pairs")
    pair=$(sort -n "$tmp/pairs" | awk '{ l[NR] = $0 } END { print l[int((NR + 1) / 2)] }')
    pair=${pair#* }
    z=${pair%%|*}
    b=${pair#*|}
    echo "$z" "|" "$b" | awk -v name="N=$n,C=$k" -v secs="$secs" -v best="$best" '{
        for (i = 1; i <= NF; i++) {
            if ($(i + 1) == "writes,") zw = $i
            if ($(i + 1) == "commits,") bw = $i
            if ($i == "latency" && !zl) zl = $(i + 1)
            else if ($i == "latency" && zl) bl = $(i + 1)
            if ($(i + 1) == "events," && !zn) zn = $i
            if ($(i + 1) == "events/s,") ze = $i
            if ($(i + 1) == "events/s" && $i != "") be = $i
            if ($(i + 1) == "s," && !zt) zt = $i
            else if ($(i + 1) == "s," && zt) bt = $i
            if ($i == "RSS") rss = $(i + 1)
        }
        printf "%-12s %9s %9s %8s %8s %10s %8s %8s %10.0f %10.0f %7.2f %7.3f %7s %7.3f %8.0f\n", name, zw, bw, zl, bl,
            zn, zt, bt, ze, be, secs / zt, bt / zt, best, ze / be, rss / 1024
    }'
done
echo "sim_s/s = zksim's simulated seconds per wall second;"
echo "wall_r = bare-C wall time / zksim wall time for the same simulated W1 (1.0 = as fast as bare C),"
echo "         of the pair shown; best_r = the same of each program's fastest run of all the pairs;"
echo "ev/s_r = zksim events/s / bare-C events/s (the two count events differently: zksim"
echo "counts every message delivered and every fsync, but fsyncs that complete in the same"
echo "instant on one disk are one; the bare loop counts a PROPOSAL's arrival and fsync as one)"
echo
echo "== W1 N=5 C=100 with JSON Lines tracing to /dev/null"
"$B/bench_zksim" --trace 5 100 "$secs"
echo

# One `zksim run` case: prints the summary figures, trace off and on.
# Usage: run_case NAME SCENARIO [--set ...]
run_case() {
    name=$1 scn=$2
    shift 2
    for tr in none jsonl; do
        rm -rf "$tmp/out"
        line=$("$Z" run "$scn" --trace "$tr" --out "$tmp/out" "$@" | grep '^== summary')
        echo "$line" | sed -E 's/== summary \(simulated ([^,]+), ([0-9]+) events, ([0-9.]+) s wall, ([0-9]+) events\/s, ([0-9.]+) sim s\/wall s, peak RSS ([0-9.]+) MiB\)/\1 \2 \3 \4 \5 \6/' |
            awk -v name="$name" -v tr="$tr" '{ printf "%-28s %-6s %8s %10s %8s %10s %9s %9s\n", name, tr, $1, $2, $3, $4, $5, $6 }'
    done
}

# Peak RSS (MiB) and commits of one run, trace off: "rss commits".
rss_of() {
    scn=$1
    shift
    rm -rf "$tmp/out"
    "$Z" run "$scn" --trace none --out "$tmp/out" "$@" |
        awk '/^== summary/ { for (i = 1; i <= NF; i++) if ($i == "RSS") r = $(i + 1) }
             /^commits/ { c = $2 } END { print r, c }'
}

echo "== whole runs (zksim run; the run's own figures)"
printf '%-28s %-6s %8s %10s %8s %10s %9s %9s\n' case trace sim events wall_s events/s sim_s/s RSS_MiB
if [ "$quick" = 1 ]; then
    run_case "mixed+faults 5 servers (3 s)" tests/bench/mixed-faults.zks --until 3s
else
    run_case "mixed+faults 5 servers" tests/bench/mixed-faults.zks
    run_case "13 voters + 50 observers" tests/bench/observers.zks
    run_case "10,000 clients, watches" tests/bench/clients.zks
fi
echo

if [ "$quick" != 1 ]; then
    echo "== memory per client and per znode (difference of peak RSS between two runs)"
    set -- $(rss_of tests/bench/clients.zks --set clients=1000)
    r1=$1
    set -- $(rss_of tests/bench/clients.zks --set clients=10000)
    r2=$1
    awk -v a="$r1" -v b="$r2" 'BEGIN { printf "clients: 1,000 -> %.1f MiB, 10,000 -> %.1f MiB peak RSS: %.1f KiB per client (session, connection, watch)\n", a, b, (b - a) * 1024 / 9000 }'
    set -- $(rss_of tests/bench/znodes.zks --set secs=500ms)
    r1=$1 c1=$2
    set -- $(rss_of tests/bench/znodes.zks --set secs=2s)
    r2=$1 c2=$2
    awk -v a="$r1" -v b="$r2" -v x="$c1" -v y="$c2" 'BEGIN { printf "znodes: %d -> %.1f MiB, %d -> %.1f MiB peak RSS: %.0f bytes per znode (5 replicas, its txn in 5 logs)\n", x, a, y, b, (b - a) * 1048576 / (y - x) }'
    echo
fi

echo "== fuzz throughput (invariants and the history checked on every seed)"
n=200 m=1000
[ "$quick" = 1 ] && n=20 m=50
rm -rf "$tmp/fz"
echo "default fuzz scenario (scenarios/fuzz-base.zks, $n seeds):"
"$Z" fuzz scenarios/fuzz-base.zks --seeds "1..$n" --quiet --out "$tmp/fz"
echo "short seeds (tests/bench/fuzz-short.zks, 5 servers, 20 clients, about 2 s simulated, $m seeds):"
"$Z" fuzz tests/bench/fuzz-short.zks --seeds "1..$m" --horizon 600ms --settle 400ms --quiet --out "$tmp/fz"
