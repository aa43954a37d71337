#!/bin/sh
# Runs every test binary in BUILD/tests (or only those named after BUILD), prints each one's cmocka
# output and ends with one line CI can read: "tests: N passed, N failed".
build=${1:-build}
shift 2>/dev/null
if [ $# -gt 0 ]; then
    bins=""; for n in "$@"; do bins="$bins $build/tests/$n"; done
else
    bins=$(find "$build/tests" -maxdepth 1 -type f -name 'test_*' ! -name '*.[od]' | sort)
fi
passed=0; failed=0; status=0
log=$(mktemp)
for bin in $bins; do
    echo "== $bin"
    # A hung binary (a deadlocked backend) counts as a failure instead of stalling the suite.
    timeout "${MAPBENCH_TEST_TIMEOUT:-300}" "$bin" >"$log" 2>&1; rc=$?
    [ "$rc" -eq 124 ] && echo "!! $bin timed out after ${MAPBENCH_TEST_TIMEOUT:-300} s" >>"$log"
    cat "$log"
    # cmocka's summaries; stdout and stderr may share a line, so they are not anchored.
    p=$(grep -o '\[  PASSED  \] [0-9]* test' "$log" | awk '{s+=$4} END {print s+0}')
    f=$(grep -o '\[  FAILED  \] [0-9]* test' "$log" | awk '{s+=$4} END {print s+0}')
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "!! $bin exited with status $rc"; fi
    passed=$((passed + p)); failed=$((failed + f))
    [ "$rc" -ne 0 ] && status=1
done
rm -f "$log"
echo "tests: $passed passed, $failed failed"
exit $status
