#!/usr/bin/env bash
# Shards benchmark (SPEC 10): one `hookctl apply` of N one-item orders, then 4 shard processes at once
# (`apply --shard K/4`) with N orders each (4N in all), against one `hookctl sandbox --pace 5` on loopback.
# Prints both wall times, their ratio (target: the 4 shards take at most 1.2x the single run), OData calls per order,
# CPU time per order of hookctl and of the sandbox (steadier than wall time on a busy machine), and the orders the
# sandbox accepted (each exactly once).
# Usage: bench/runner/shards.sh [N]   (default 2500; builds release first)
#        BIN=/path/to/hookctl bench/runner/shards.sh 2500   (another build, e.g. to compare before and after; no build)
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
N=${1:-2500}
export DESP_PASSWORD=demo
PORT=${PORT:-18082}
if [ -z "${BIN:-}" ]; then
    swift build -c release --product hookctl >/dev/null
    BIN=$PWD/.build/release/hookctl
fi
WORK=$(mktemp -d)
trap 'kill $SANDBOX 2>/dev/null || true; rm -rf "$WORK"' EXIT
start_sandbox "$WORK/sandbox.log" --pace 5

# project NAME COUNT: a project of COUNT one-item orders named NAME-00000...
project() {
    local_project "$WORK/$1" "$PORT"
    python3 - "$WORK/$1/manifests" "$1" "$2" <<'PY'
import sys
folder, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(f"{folder}/orders.yaml", "w") as f:
    for i in range(n):
        f.write(f"""---
apiVersion: hookctl/v1
kind: Order
metadata: {{name: {name}-{i:05d}}}
spec:
  workflow: data-harvest
  identifiers: [S2A_MSIL1C_20230910T050701_N0509_R019_T47VLH_20230910T074321.SAFE]
  source: {{type: DESP, collection: EO.ESA.DAT.SENTINEL-2.MSI.L1C}}
  storage: {{type: TEMPORARY}}
""")
PY
}
calls() {
    curl -s "http://127.0.0.1:$PORT/sandbox/stats" | python3 -c '
import json, sys
print(sum(r["count"] for r in json.load(sys.stdin)["requests"] if r["route"].startswith("/odata/")))'
}
# CPU seconds the sandbox has used so far (user + system).
sandbox_cpu() {
    awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$SANDBOX/stat"
}
# CPU seconds of the hookctl runs whose /usr/bin/time outputs are the arguments, together.
hookctl_cpu() {
    cat "$@" | awk '{s += $1 + $2} END {print s}'
}
accepted() {
    curl -s "http://127.0.0.1:$PORT/sandbox/orders" | python3 -c '
import json, sys
names = [o["Name"] for o in json.load(sys.stdin)["value"]]
print(len(names), len(set(names)))'
}

project single "$N"
project sharded "$((4 * N))"
before=$(calls)
cpu0=$(sandbox_cpu)
start=$(date +%s.%N)
(cd "$WORK/single" && /usr/bin/time -f '%U %S' -o "$WORK/time.single" "$BIN" apply --quiet >/dev/null)
single=$(echo "$(date +%s.%N) - $start" | bc -l)
middle=$(calls)
cpu1=$(sandbox_cpu)
start=$(date +%s.%N)
pids=()
for k in 1 2 3 4; do
    (cd "$WORK/sharded" && /usr/bin/time -f '%U %S' -o "$WORK/time.$k" "$BIN" apply --quiet --shard "$k/4" >/dev/null) &
    pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
sharded=$(echo "$(date +%s.%N) - $start" | bc -l)
after=$(calls)
cpu2=$(sandbox_cpu)
printf 'single apply of %d orders: %.2f s, %.2f calls per order; CPU per order: hookctl %.2f ms, sandbox %.2f ms\n' "$N" "$single" \
    "$(echo "($middle - $before) / $N" | bc -l)" "$(echo "$(hookctl_cpu "$WORK/time.single") * 1000 / $N" | bc -l)" \
    "$(echo "($cpu1 - $cpu0) * 1000 / $N" | bc -l)"
printf '4 shards of %d orders at once (%d in all): %.2f s, %.2f calls per order; CPU per order: hookctl %.2f ms, sandbox %.2f ms\n' \
    "$N" "$((4 * N))" "$sharded" "$(echo "($after - $middle) / (4 * $N)" | bc -l)" \
    "$(echo "$(hookctl_cpu "$WORK"/time.[1-4]) * 1000 / (4 * $N)" | bc -l)" "$(echo "($cpu2 - $cpu1) * 1000 / (4 * $N)" | bc -l)"
printf 'ratio: %.2f (target <= 1.2)\n' "$(echo "$sharded / $single" | bc -l)"
echo "orders the sandbox accepted (count, distinct names): $(accepted) (expected $((5 * N)) twice)"
