#!/bin/sh
# check-default-goal.sh: a bare `make` builds ./mapbench (the README's promise).  Asks make what
# its default goal would do from nothing (-n: print, do not run; -B: as if every target were out
# of date) and exits 1 unless that ends by putting ./mapbench in place (the link, then the copy
# to the top of the tree).  A rule placed above `all:` (issue 13) would
# become the default goal and fail this.  Run by `make test`.
cd "$(dirname "$0")/.." || exit 2
out=$(make -n -B --no-print-directory 2>&1)
if printf '%s\n' "$out" | grep -Eq '^(rm -f (\./)?mapbench && )?cp [^ ]*mapbench (\./)?mapbench$'; then
    exit 0
fi
echo "check-default-goal: a bare make does not build ./mapbench (its default goal: $(make -np 2>/dev/null | sed -n 's/^\.DEFAULT_GOAL := //p'))"
exit 1
