#!/usr/bin/env bash
# Instructions executed by `hookctl render --quiet` of COUNT generated manifests (the shared generator, same seed),
# for each binary given, counted by valgrind's callgrind. Wall and CPU times on a shared machine move by 20-30% from
# run to run; this count is the same on every run, so it tells apart changes of a few percent. It is not time:
# valgrind runs the threads one at a time, and SHA-256 takes its AVX path there (SHA-NI natively), which costs more
# instructions. A change is kept when the count drops and the wall-time A/B (`compare.py`, both orders) agrees.
# Usage: bench/render/instructions.sh [COUNT] BINARY...   (needs valgrind: `apt-get install valgrind`)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
shared="${HOOKCTL_BENCH_SHARED:-$here/../../../shared/bench}"
count=1000
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then count="$1"; shift; fi
[ $# -gt 0 ] || { echo "usage: $0 [COUNT] BINARY..." >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 "$shared/gen_manifests.py" "$count" "$work/manifests" >/dev/null
for binary in "$@"; do
    # valgrind cannot read the debug information of a statically linked Swift binary: count on a copy without it.
    strip --strip-debug -o "$work/hookctl" "$binary"
    valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" "$work/hookctl" render --quiet "$work/manifests" \
        >"$work/rendered.json" 2>"$work/valgrind.txt" || { cat "$work/valgrind.txt" >&2; exit 1; }
    instructions=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$work/valgrind.txt")
    echo "$binary: $instructions instructions ($(wc -c <"$work/rendered.json") bytes rendered)"
done
