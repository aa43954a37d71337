#!/bin/sh
# go-check.sh BUILD: mapbench against Go's own map benchmarks on this machine (`make go-check`).
#
# 1. Runs Go's benchmarks of sync.Map and its reference maps (every Benchmark function of
#    $GOROOT/src/sync/map_bench_test.go) with Debian's Go toolchain:
#      go test sync -run NONE -bench '^Benchmark(...)$' -cpu 1,N -count 3 -benchmem
#    N is this machine's PU count.  Go's cache and paths live under BUILD/go-check, so nothing is
#    written into the tree or the home directory.
# 2. Stores Go's output as a run of its own (`mapbench import go-bench`).
# 3. Runs the go-sync preset at 1 and N threads with the specs that behave like Go's maps
#    (`mapbench go-check --backends`).
# 4. Prints Go's ordering beside mapbench's for each benchmark and thread count, and the measured
#    figures behind every disagreement (`mapbench go-check`); exit status 1 when they disagree.
#
# Environment: GO_CHECK_DB (default BUILD/go-check/go-check.db, a database of its own),
# GO_CHECK_COUNT (-count, default 3), GO_CHECK_BENCHTIME (-benchtime, default Go's 1s).
set -eu
build=${1:-build}
mapbench=./mapbench
work=$(mkdir -p "$build/go-check" && cd "$build/go-check" && pwd)
db=${GO_CHECK_DB:-$work/go-check.db}
count=${GO_CHECK_COUNT:-3}
benchtime=${GO_CHECK_BENCHTIME:-1s}

if ! command -v go >/dev/null 2>&1; then
    echo "go-check: no Go toolchain; install Debian's: sudo apt-get install -y golang-go" >&2
    exit 2
fi
export GOCACHE="$work/cache" GOPATH="$work/gopath" GOMODCACHE="$work/gopath/mod" GOFLAGS= \
    GOTOOLCHAIN=local GOTELEMETRY=off GOENV=off
source_file="$(go env GOROOT)/src/sync/map_bench_test.go"
if [ ! -f "$source_file" ]; then
    echo "go-check: $source_file is missing: Go's sources of package sync are needed" >&2
    exit 2
fi
benchmarks=$(sed -n 's/^func Benchmark\([A-Za-z0-9_]*\)(b \*testing\.B).*/\1/p' "$source_file" |
    paste -sd'|' -)
pus=$(nproc)
cpus=1
[ "$pus" -gt 1 ] && cpus="1,$pus"

echo "go-check: $(go version), benchmarks of $source_file at -cpu $cpus" >&2
(cd "$work" && go test sync -run NONE -bench "^Benchmark($benchmarks)\$" -cpu "$cpus" \
    -count "$count" -benchtime "$benchtime" -benchmem) >"$work/go-bench.txt"
"$mapbench" import go-bench "$work/go-bench.txt" --db "$db" --label "go-check: $(go version)"
# A failed or invalid case makes `run` exit 1; the check still reports what was stored (a case
# without a valid sample shows as missing).
"$mapbench" run go-sync --backends "$("$mapbench" go-check --backends)" --set "threads=$cpus" \
    --db "$db" --label "go-check: mapbench" ||
    echo "go-check: mapbench run exited with status $?; checking what it stored" >&2
"$mapbench" go-check --db "$db"
