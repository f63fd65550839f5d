#!/usr/bin/env bash
# Benchmark `hookctl render` (release) against the Python reference and the libyaml floor on the same generated
# manifests, side by side, best of several runs each. Usage: bench/render/run.sh [COUNT] [RUNS]
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
echo "$files files, $bytes bytes, $(nproc) cores; best of $runs runs each" >&2

# best wall-clock seconds of $runs runs of a command (output discarded)
best() {
    local best_time=999
    for _ in $(seq "$runs"); do
        local start end t
        start=$(date +%s.%N)
        "$@" >/dev/null 2>&1
        end=$(date +%s.%N)
        t=$(echo "$end - $start" | bc -l)
        if (( $(echo "$t < $best_time" | bc -l) )); then best_time=$t; fi
    done
    printf '%.3f' "$best_time"
}

# Correctness first: render must succeed and print one body per manifest.
rendered=$("$hookctl" render --quiet "$work/manifests" | grep -c '^{$')
[ "$rendered" -eq "$count" ] || { echo "render printed $rendered bodies, expected $count" >&2; exit 1; }

t_floor=$(best "$work/libyaml_parse" "$work/manifests")
t_python=$(best python3 "$shared/py_reference.py" "$work/manifests")
t_hookctl=$(best "$hookctl" render --quiet "$work/manifests")

speedup=$(echo "$t_python / $t_hookctl" | bc -l)
vs_floor=$(echo "$t_hookctl / $t_floor" | bc -l)
printf '%-28s %8s s\n' "libyaml floor (C, parse only)" "$t_floor" "py_reference.py (PyYAML C)" "$t_python" "hookctl render (release)" "$t_hookctl"
printf 'hookctl is %.1fx faster than Python (target >= 5x) and %.2fx the libyaml floor (target <= 2.5x)\n' "$speedup" "$vs_floor"
