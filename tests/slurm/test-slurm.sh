#!/bin/sh
# test-slurm.sh - a sweep run as a Slurm job array gives the same
# sweep.csv as the same sweep run here.
#
# Starts a throw-away single-node Slurm on localhost (munged, slurmctld,
# slurmd; every file under one temporary folder, ports of its own), plans
# a small sweep, runs the plan with tests/slurm/zksim-array.sbatch as a
# job array, merges it, runs the same sweep locally with --jobs 2, and
# compares the two sweep.csv byte for byte.  Then it stops the daemons it
# started, by the pids in their pid files, and removes the folder.
#
# Slow (half a minute here, a minute more the first time, to install
# slurm-wlm and munge): `make test-slurm`, not part of `make test`.
# Where Slurm cannot be installed or does not come up in time it says why
# and skips (exit 0).  Every wait has a bound.  The last line is
# "test-slurm: N passed, M failed[, K skipped]".
#
# Usage: tests/slurm/test-slurm.sh [ZKSIM_BINARY]   (from the repository root)
set -u
ZKSIM=$(readlink -f "${1:-./zksim}")
REPO=$(pwd)
SBATCH_SCRIPT=$REPO/tests/slurm/zksim-array.sbatch
TMP=

say() { echo "test-slurm: $*"; }
skip() {
    say "SKIP: $*"
    say "0 passed, 0 failed, 1 skipped"
    exit 0
}
fail() {
    say "FAIL: $*"
    for f in "$TMP"/slurmctld.log "$TMP"/slurmd.log "$TMP"/out-*.txt; do
        [ -f "$f" ] && { echo "---- $f (last lines)"; tail -n 15 "$f"; }
    done
    say "0 passed, 1 failed"
    exit 1
}

# Polls `$@` every 0.2 s until it succeeds or $1 seconds pass.
wait_for() {
    limit=$1
    shift
    n=0
    while ! "$@" >/dev/null 2>&1; do
        n=$((n + 1))
        [ "$n" -ge $((limit * 5)) ] && return 1
        sleep 0.2
    done
    return 0
}

stop_pidfile() {
    pid=$(cat "$1" 2>/dev/null) || return 0
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || return 0
    n=0
    while kill -0 "$pid" 2>/dev/null && [ "$n" -lt 50 ]; do
        sleep 0.2
        n=$((n + 1))
    done
    kill -9 "$pid" 2>/dev/null
    return 0
}

cleanup() {
    [ -n "$TMP" ] || return
    if [ -f "$TMP/slurm.conf" ] && [ -f "$TMP/slurmctld.pid" ]; then
        SLURM_CONF=$TMP/slurm.conf timeout 10 scancel --quiet --user="$(id -un)" 2>/dev/null
    fi
    stop_pidfile "$TMP/slurmd.pid"
    stop_pidfile "$TMP/slurmctld.pid"
    stop_pidfile "$TMP/munged.pid"
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

[ -x "$ZKSIM" ] || fail "no zksim binary at ${1:-./zksim} (run make first)"
"$ZKSIM" sweep --help >/dev/null 2>&1 || fail "$ZKSIM has no sweep command"

# ---- Slurm and munge, installed if missing (as root, with apt-get) ----
if ! command -v slurmctld >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
    sh tests/deps.sh slurm-wlm munge >/dev/null 2>&1 ||
        skip "slurm-wlm and munge are not installed and cannot be installed here (as root: apt-get install slurm-wlm munge)"
fi
for cmd in slurmctld slurmd munged mungekey sbatch sinfo scancel; do
    command -v "$cmd" >/dev/null 2>&1 || skip "$cmd is missing"
done

TMP=$(mktemp -d /tmp/zksim-slurm-XXXXXX) || fail "mktemp"
chmod 755 "$TMP" # munged wants its socket directory searchable by all
mkdir -p "$TMP/spool" "$TMP/state"
HOST=$(hostname -s)
PORT=$((20000 + $$ % 20000))

# ---- munge, with its own key and socket ----
mungekey --create --keyfile="$TMP/munge.key" >/dev/null 2>&1 || skip "mungekey cannot create a key"
chmod 600 "$TMP/munge.key"
munged --socket="$TMP/munge.sock" --key-file="$TMP/munge.key" --pid-file="$TMP/munged.pid" \
    --log-file="$TMP/munged.log" --seed-file="$TMP/munged.seed" >/dev/null 2>&1 ||
    skip "munged does not start (see its log: $(tail -n 1 "$TMP/munged.log" 2>/dev/null))"
check_munge() { munge -S "$TMP/munge.sock" -n | unmunge -S "$TMP/munge.sock"; }
wait_for 10 check_munge || skip "munge does not answer on $TMP/munge.sock"

# ---- Slurm, without cgroups or accounting ----
NODE=$(slurmd -C 2>/dev/null | head -n 1)
case "$NODE" in
NodeName=*) ;;
*) skip "slurmd -C does not describe this node" ;;
esac
cat >"$TMP/slurm.conf" <<EOF
ClusterName=zksimtest
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$TMP/munge.sock
CryptoType=crypto/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmctldPidFile=$TMP/slurmctld.pid
SlurmdPidFile=$TMP/slurmd.pid
SlurmdSpoolDir=$TMP/spool
StateSaveLocation=$TMP/state
SlurmctldLogFile=$TMP/slurmctld.log
SlurmdLogFile=$TMP/slurmd.log
$NODE State=UNKNOWN
PartitionName=zksim Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$TMP/slurm.conf"
slurmctld >/dev/null 2>&1 || skip "slurmctld does not start: $(tail -n 1 "$TMP/slurmctld.log" 2>/dev/null)"
slurmd >/dev/null 2>&1 || skip "slurmd does not start: $(tail -n 1 "$TMP/slurmd.log" 2>/dev/null)"
node_idle() { sinfo -h -o %T | grep -qx idle; }
wait_for 30 node_idle || skip "the node is not idle after 30 s (sinfo: $(sinfo -h -o %T 2>&1 | head -n 1))"
say "single-node Slurm up on $HOST, ports $PORT-$((PORT + 1))"

# ---- the same sweep, by Slurm and here ----
cat >"$TMP/sweep.zks" <<'EOF'
# A small sweep for the Slurm test: elect, lose the leader, elect again.
servers = 3
duration = 1500ms
at 0s start all
wait until leader within 5s
at 1s crash leader
wait until leader within 5s
expect at end no violation
EOF
VARY="--vary servers=3,5 --vary net.latency=const(200us),uniform(1ms,3ms)"
# shellcheck disable=SC2086
"$ZKSIM" sweep "$TMP/sweep.zks" $VARY --seeds 2 --out "$TMP/by-slurm" --plan "$TMP/plan.txt" --quiet ||
    fail "zksim sweep --plan"
N=$(wc -l <"$TMP/plan.txt")
[ "$N" -eq 8 ] || fail "the plan has $N lines, not 8"
timeout 300 sbatch --wait --quiet --array=1-"$N" --chdir="$TMP" --output="$TMP/out-%a.txt" \
    "$SBATCH_SCRIPT" "$TMP/plan.txt" || fail "the job array failed or timed out (sbatch --wait)"
"$ZKSIM" sweep --merge "$TMP/by-slurm" --no-plots --quiet || fail "zksim sweep --merge"
# shellcheck disable=SC2086
"$ZKSIM" sweep "$TMP/sweep.zks" $VARY --seeds 2 --out "$TMP/here" --jobs 2 --no-plots --quiet ||
    fail "the local sweep"
cmp "$TMP/by-slurm/sweep.csv" "$TMP/here/sweep.csv" >/dev/null ||
    fail "sweep.csv differs: $(diff "$TMP/by-slurm/sweep.csv" "$TMP/here/sweep.csv" | head -n 4)"
say "PASS: $N runs as a Slurm job array merge into the same sweep.csv as a local sweep"
say "1 passed, 0 failed"
exit 0
