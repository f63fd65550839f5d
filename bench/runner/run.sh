#!/usr/bin/env bash
# Runner benchmark: N one-item orders against `hookctl sandbox --pace 5` in its own process on loopback.
# Measures wall time of `hookctl apply` (submit, wait, report), OData calls per order (from the sandbox's
# /sandbox/stats), peak resident memory (/usr/bin/time), and `plan` on the N finished orders.
# Then the notebook's way for comparison: one order at a time, each polled until done (python + requests).
# Usage: bench/runner/run.sh [N]   (default 1000; builds release first)
#        SANDBOX_FLAGS="--pace 1 --max-running 5 --token-ttl 20" bench/runner/run.sh 200   (the recorded service's
#        per-user cap of 5 running orders, with tokens that expire during the wait; floor: N / 5 x pace)
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
N=${1:-1000}
export DESP_PASSWORD=demo   # the sandbox's demo login (a project file names secrets only by reference)
PORT=${PORT:-18080}
swift build -c release --product hookctl >/dev/null
BIN=$PWD/.build/release/hookctl
WORK=$(mktemp -d)
trap 'kill $SANDBOX 2>/dev/null || true; rm -rf "$WORK"' EXIT

# shellcheck disable=SC2086
# shellcheck disable=SC2086  # SANDBOX_FLAGS is a list of flags
start_sandbox "$WORK/sandbox.log" ${SANDBOX_FLAGS:---pace 5}

local_project "$WORK/project" "$PORT"
python3 - "$WORK/project/manifests" "$N" <<'PY'
import sys
folder, n = sys.argv[1], int(sys.argv[2])
with open(f"{folder}/orders.yaml", "w") as f:
    for i in range(n):
        f.write(f"""---
apiVersion: hookctl/v1
kind: Order
metadata: {{name: o{i:05d}}}
spec:
  workflow: data-harvest
  identifiers: [S2A_MSIL1C_20230910T050701_N0509_R019_T47VLH_20230910T074321.SAFE]
  source: {{type: DESP, collection: EO.ESA.DAT.SENTINEL-2.MSI.L1C}}
  storage: {{type: TEMPORARY}}
""")
PY

cd "$WORK/project"
/usr/bin/time -v -o "$WORK/time.txt" "$BIN" apply --quiet >/dev/null 2>"$WORK/apply.err" || { cat "$WORK/apply.err"; exit 1; }
wall=$(grep "Elapsed (wall clock)" "$WORK/time.txt" | awk '{print $NF}')
rss=$(grep "Maximum resident" "$WORK/time.txt" | awk '{print $NF}')
cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$WORK/time.txt")
sandbox_cpu=$(ps -o times= -p "$SANDBOX" | tr -d ' ')
calls=$(curl -s "http://127.0.0.1:$PORT/sandbox/stats" | python3 -c '
import json, sys
stats = json.load(sys.stdin)
print(sum(r["count"] for r in stats["requests"] if r["route"].startswith("/odata/")))')
completed=$(python3 -c 'import json; print(json.load(open("reports/report.json"))["summary"].get("completed", 0))')
start=$(date +%s.%N); "$BIN" plan >/dev/null; end=$(date +%s.%N)
echo "hookctl apply: $N orders, $completed completed in $wall (m:ss), $calls OData calls ($(python3 -c "print(round($calls/$N, 2))") per order), peak RSS $((rss / 1024)) MiB, CPU ${cpu} s (the sandbox: ${sandbox_cpu} s)"
submitted=$(curl -s "http://127.0.0.1:$PORT/sandbox/orders" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["value"]))')
echo "orders the sandbox accepted: $submitted (sandbox flags: ${SANDBOX_FLAGS:---pace 5})"
echo "hookctl plan on $N finished orders: $(python3 -c "print(round($end - $start, 3))") s"

# The notebook's way: submit one order, poll it every second until done, then the next (first 5 orders only,
# extrapolated: each takes at least the pace).
python3 - "$PORT" <<'PY'
import json, sys, time, requests
port = sys.argv[1]
base = f"http://127.0.0.1:{port}"
token = requests.post(f"{base}/auth/realms/dedl/protocol/openid-connect/token",
                      data={"grant_type": "client_credentials", "client_id": "hookctl-ci", "client_secret": "hookctl-ci-secret"}).json()["access_token"]
headers = {"Authorization": f"Bearer {token}"}
start, n = time.time(), 5
for i in range(n):
    body = {"Name": f"notebook-{i}", "WorkflowName": "data-harvest",
            "IdentifierList": ["S2A_MSIL1C_20230910T050701_N0509_R019_T47VLH_20230910T074321.SAFE"],
            "WorkflowOptions": [{"Name": "output_storage", "Value": "TEMPORARY"}, {"Name": "source_type", "Value": "DESP"},
                                {"Name": "desp_source_username", "Value": "demo"}, {"Name": "desp_source_password", "Value": "demo"},
                                {"Name": "desp_source_collection", "Value": "EO.ESA.DAT.SENTINEL-2.MSI.L1C"}]}
    order = requests.post(f"{base}/odata/v1/BatchOrder/OData.CSC.Order", json.dumps(body), headers=headers).json()["value"]
    while requests.get(f"{base}/odata/v1/ProductionOrders", params={"$filter": f"id eq {order['Id']}"},
                       headers=headers).json()["value"][0]["Status"] not in ("completed", "failed"):
        time.sleep(1)
    requests.get(f"{base}/odata/v1/BatchOrder({order['Id']})/Products", headers=headers)
per = (time.time() - start) / n
print(f"notebook way (one at a time, 1 s polling): {per:.1f} s per order, about {per * 1000 / 60:.0f} min for 1000 orders")
PY
