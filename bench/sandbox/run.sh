#!/usr/bin/env bash
# Measures the sandbox: start-up to first answer, authenticated status calls per second, memory for 10,000 orders.
# Needs: a release build (swift build -c release --product hookctl), wrk (apt-get install wrk), .venv with requests.
# Usage: bench/sandbox/run.sh [PORT]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin="$root/.build/release/hookctl"
python="${HOOKCTL_PYTHON:-$root/.venv/bin/python3}"
port="${1:-18090}"
base="http://127.0.0.1:$port"
state=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$state"' EXIT

wait_up() {
  local started=$1
  until curl -sf "$base/sandbox/stats" >/dev/null; do sleep 0.002; done
  echo $(( ($(date +%s%N) - started) / 1000000 ))
}

echo "== start-up (process exec to first answer)"
# First start creates the signing key in the state directory; the second start loads it.
t0=$(date +%s%N); "$bin" sandbox --quiet --port "$port" --state "$state" & pid=$!
echo "first start, RSA key generated: $(wait_up "$t0") ms"
kill -INT "$pid"; wait "$pid" || true
t0=$(date +%s%N); "$bin" sandbox --quiet --port "$port" --state "$state" --pace 2 & pid=$!
echo "restart, key loaded:            $(wait_up "$t0") ms"

token=$(curl -s "$base/auth/realms/dedl/protocol/openid-connect/token" \
  -d grant_type=password -d client_id=hda-public -d username=demo -d password=demo | "$python" -c 'import sys,json; print(json.load(sys.stdin)["access_token"])')

echo "== memory"
echo "idle RSS: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
"$python" "$root/bench/sandbox/submit_orders.py" "$base" "$token" 10000
sleep 3   # let the scheduler complete them (pace 2 s)
curl -s "$base/sandbox/stats" | "$python" -c 'import sys,json; print("orders held:", json.load(sys.stdin)["orders"])'
echo "RSS with 10,000 orders: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"

echo "== authenticated status calls (wrk, 2 threads, 32 connections, 10 s)"
auth="Authorization: Bearer $token"
wrk -t2 -c32 -d10s -H "$auth" "$base/odata/v1/BatchOrder(25380)/Products" | grep -E "Requests/sec|Latency|Non-2xx"
wrk -t2 -c32 -d10s -H "$auth" "$base/odata/v1/ProductionOrders?\$filter=id%20eq%2025380" | grep -E "Requests/sec|Latency|Non-2xx"
wrk -t2 -c32 -d10s -H "$auth" "$base/odata/v1/ProductionOrders?\$filter=startswith(Name,'bench')&\$top=100" | grep -E "Requests/sec|Latency|Non-2xx"
