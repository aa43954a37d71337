#!/bin/sh
# check-layers.sh: folders are the data flow and includes only point down it.  Prints every
# #include of a project header that points up (or sideways into a folder that may not be used)
# and exits 1 if there is one.  The order is docs/ARCHITECTURE.md's folder table; bench/ and
# tests/ may use every folder.  Run by `make test`.
cd "$(dirname "$0")/.." || exit 2
order="base maps scenarios runner store reports cli"
rank() { i=0; for f in $order; do [ "$f" = "$1" ] && { echo $i; return; }; i=$((i + 1)); done; echo -1; }
status=0
for dir in $order; do
    r=$(rank "$dir")
    for file in "$dir"/*.c "$dir"/*.cc "$dir"/*.h "$dir"/*.hh; do
        [ -f "$file" ] || continue
        grep -n '^#include "[a-z_]*/' "$file" | while IFS= read -r line; do
            target=$(echo "$line" | sed 's/^[0-9]*:#include "\([a-z_]*\)\/.*/\1/')
            t=$(rank "$target")
            if [ "$t" -lt 0 ] || [ "$t" -gt "$r" ]; then
                echo "$file:${line%%:*}: $dir/ includes $target/, which comes after it in the data flow"
                echo bad >> "${TMPDIR:-/tmp}/check-layers.$$"
            fi
        done
    done
done
if [ -f "${TMPDIR:-/tmp}/check-layers.$$" ]; then
    rm -f "${TMPDIR:-/tmp}/check-layers.$$"
    exit 1
fi
echo "check-layers: every include points down ($order)"
