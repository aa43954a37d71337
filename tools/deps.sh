#!/bin/sh
# Checks the Debian packages mapbench needs; installs the missing ones when run as root, otherwise
# prints the exact apt-get line and fails.
packages="build-essential pkg-config liburcu-dev libck-dev libhwloc-dev hwloc libsqlite3-dev
libbenchmark-dev libinih-dev libcmocka-dev gnuplot-nox libtbb-dev libabsl-dev"
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "mapbench: installing$missing"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
else
    echo "mapbench: missing Debian packages; run:" >&2
    echo "  sudo apt-get install -y$missing" >&2
    exit 1
fi
