#!/bin/sh
# Installs the Debian packages zksim needs when they are missing (as root),
# otherwise prints the exact command to run and fails.
# Usage: tests/deps.sh PACKAGE...
missing=""
for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
echo "zksim: missing Debian packages:$missing" >&2
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "zksim: installing them with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    if apt-get install -y --no-install-recommends $missing >/dev/null 2>&1 ||
       { apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends $missing; }; then
        exit 0
    fi
    echo "zksim: apt-get could not install:$missing" >&2
    exit 1
fi
echo "zksim: run as root:  apt-get update && apt-get install -y$missing" >&2
exit 1
