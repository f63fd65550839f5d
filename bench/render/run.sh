#!/usr/bin/env bash
# Benchmark `hookctl render` (release) against the Python reference and the libyaml floor on the same generated
# manifests, side by side: alternating, settled runs, medians (../shared/bench/compare.py).
# Usage: bench/render/run.sh [COUNT] [RUNS]
#   STATIC=1 measures the release binary as shipped (SPEC 10: Swift runtime linked statically), built in .build-static
#   (a first build there takes a while; later ones are incremental). SCRATCH=DIR builds in DIR instead (e.g. a fresh
#   .build-plain, for a plain build whose traits SwiftPM decides afresh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
shared="${HOOKCTL_BENCH_SHARED:-$repo/../shared/bench}"   # gen_manifests.py, py_reference.py, libyaml_parse.c
count="${1:-5000}"
runs="${2:-7}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ "${STATIC:-0}" = 1 ]; then
    build=(swift build -c release --static-swift-stdlib --product hookctl --scratch-path "${SCRATCH:-.build-static}")
else
    build=(swift build -c release --product hookctl)
    if [ -n "${SCRATCH:-}" ]; then build+=(--scratch-path "$SCRATCH"); fi
fi
echo "building hookctl: ${build[*]}" >&2
(cd "$repo" && "${build[@]}" >&2)
hookctl="$(cd "$repo" && "${build[@]}" --show-bin-path)/hookctl"
# The TCMalloc trait (Package.swift) links tcmalloc in where Debian's libgoogle-perftools-dev is installed.
if nm "$hookctl" 2>/dev/null | grep ' tc_malloc$' >/dev/null; then echo "allocator: tcmalloc (TCMalloc trait)" >&2; else echo "allocator: glibc malloc" >&2; fi
gcc -O2 -o "$work/libyaml_parse" "$shared/libyaml_parse.c" -lyaml
python3 "$shared/gen_manifests.py" "$count" "$work/manifests" >/dev/null
python3 -c 'import yaml; assert yaml.__with_libyaml__, "PyYAML without its C loader"'
files=$(find "$work/manifests" -name '*.yaml' | wc -l)
bytes=$(cat "$work/manifests"/*.yaml | wc -c)
echo "$files files, $bytes bytes, $(nproc) cores; $runs alternating runs each" >&2

# Correctness first: render must succeed and print one body per manifest.
rendered=$("$hookctl" render --quiet "$work/manifests" | grep -c '^{$')
[ "$rendered" -eq "$count" ] || { echo "render printed $rendered bodies, expected $count" >&2; exit 1; }

# Side by side: alternating runs, medians (shared compare.py), against each yardstick in turn.
python3 "$shared/compare.py" --a "$hookctl render --quiet $work/manifests" --b "python3 $shared/py_reference.py $work/manifests" \
    --runs "$runs" --settle 1
python3 "$shared/compare.py" --a "$hookctl render --quiet $work/manifests" --b "$work/libyaml_parse $work/manifests" \
    --runs "$runs" --settle 1
echo "targets (issue 12): at least 8x faster than Python (A/B <= 0.125), at most 2x the libyaml floor (A/B <= 2)"
