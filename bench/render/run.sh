#!/usr/bin/env bash
# Benchmark `hookctl render` (release) against the Python reference and the libyaml floor on the same generated
# manifests, side by side: alternating, settled runs, medians (../shared/bench/compare.py).
# Usage: bench/render/run.sh [COUNT] [RUNS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
shared="${HOOKCTL_BENCH_SHARED:-$repo/../shared/bench}"   # gen_manifests.py, py_reference.py, libyaml_parse.c
count="${1:-5000}"
runs="${2:-7}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "building hookctl (release)..." >&2
(cd "$repo" && swift build -c release --product hookctl >&2)
hookctl="$(cd "$repo" && swift build -c release --show-bin-path)/hookctl"
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
