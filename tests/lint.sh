#!/bin/sh
# Keeps host time, libc/GLib randomness, threads and process ids out of the
# simulated code (sim/ and model/ protocol files): any of them would break
# replay.  The command-line front end (model/cli_*.c) may read the wall
# clock for progress and wall-time figures only.
bad=$(grep -nE '\btime\s*\(\s*(NULL|0|&)|\b(clock_gettime|gettimeofday|rand|srand|random|drand48|getpid|getrusage|g_random_[a-z_]+|g_get_monotonic_time|g_get_real_time|pthread_create|g_thread_new)\s*\(' \
      sim/*.c sim/*.h model/*.c model/*.h 2>/dev/null | grep -v '^model/cli_' | grep -v 'lint: allow')
if [ -n "$bad" ]; then
    echo "lint: host time, randomness or threads in simulated code:" >&2
    echo "$bad" >&2
    exit 1
fi
if grep -n '#include' sim/*.c sim/*.h | grep -E '"(zk_|scn_|out_|cli_)' >/dev/null; then
    echo "lint: sim/ includes model headers:" >&2
    grep -n '#include' sim/*.c sim/*.h | grep -E '"(zk_|scn_|out_|cli_)' >&2
    exit 1
fi
exit 0
