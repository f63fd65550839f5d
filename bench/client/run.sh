#!/usr/bin/env bash
# Client benchmark against `hookctl sandbox` in its own process on loopback (release build):
# 1. Download of one large TEMPORARY product (default 1 GiB): `hookctl outputs --download` against `curl` on the same
#    URL with the same token, alternating, best of ROUNDS each; resident memory of `hookctl outputs` with and without
#    the download (/usr/bin/time); both files' SHA-256 compared.
# 2. 1,000 sequential authenticated status calls through HookClient (bench/client/Sources), as the sandbox's
#    service account: wall time, latency percentiles, token requests counted from /sandbox/stats, TCP connections counted with `ss`.
# Usage: bench/client/run.sh [SIZE_BYTES] [ROUNDS]   (default 1073741824 and 3)
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZE=${1:-1073741824}
ROUNDS=${2:-3}
PORT=${PORT:-18081}
# The sandbox's built-in logins; project files and manifests name secrets only by reference.
export BENCH_CLIENT_SECRET=hookctl-ci-secret DESP_PASSWORD=demo
swift build -c release --product hookctl >/dev/null
swift build -c release --product client-bench >/dev/null
BIN=$PWD/.build/release/hookctl
BENCH=$PWD/.build/release/client-bench
BASE=http://127.0.0.1:$PORT
WORK=$(mktemp -d -p "${BENCH_TMP:-/tmp}")
trap 'kill $SANDBOX 2>/dev/null || true; rm -rf "$WORK"' EXIT

"$BIN" sandbox --port "$PORT" --pace 1 >"$WORK/sandbox.log" 2>&1 &
SANDBOX=$!
for _ in $(seq 100); do curl -sf "$BASE/sandbox/stats" >/dev/null && break; sleep 0.1; done
curl -sf -X POST "$BASE/sandbox/catalogue" \
    -d "{\"collection\":\"EO.ESA.DAT.SENTINEL-2.MSI.L1C\",\"identifiers\":[\"S2A_MSIL1C_BENCH_LARGE.SAFE\"],\"size\":$SIZE}" >/dev/null

mkdir -p "$WORK/project/manifests"
cat >"$WORK/project/hookctl.yaml" <<YAML
apiVersion: hookctl/v1
kind: Project
defaultProfile: local
profiles:
  local:
    serviceUrl: $BASE/odata/v1/
    identity: {despUrl: "$BASE", dedlTokenUrl: "$BASE/auth/realms/dedl/protocol/openid-connect/token"}
    auth: {type: service-account, clientId: hookctl-ci, clientSecret: "\${env:BENCH_CLIENT_SECRET}"}
YAML
cat >"$WORK/project/manifests/large.yaml" <<'YAML'
apiVersion: hookctl/v1
kind: Order
metadata: {name: large-product}
spec:
  workflow: data-harvest
  identifiers: [S2A_MSIL1C_BENCH_LARGE.SAFE]
  source: {type: DESP, collection: EO.ESA.DAT.SENTINEL-2.MSI.L1C, username: demo, password: "${env:DESP_PASSWORD}"}
  storage: {type: TEMPORARY}
YAML
cd "$WORK/project"
"$BIN" apply --quiet >/dev/null
URL=$("$BIN" outputs --format json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["location"])')
ORDER=$(python3 -c 'import json; print(json.load(open("reports/report.json"))["orders"][0]["id"])')
TOKEN=$(curl -sf "$BASE/auth/realms/dedl/protocol/openid-connect/token" \
    -d grant_type=client_credentials -d client_id=hookctl-ci -d client_secret=hookctl-ci-secret |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')

seconds() { python3 -c "import sys; print(round($2 - $1, 3))"; }
/usr/bin/time -f %M -o "$WORK/rss-list" "$BIN" outputs >/dev/null
best_hookctl=999999 best_curl=999999 rss_download=0
for round in $(seq "$ROUNDS"); do
    rm -rf "$WORK/dl" "$WORK/curl.zip"
    start=$(date +%s.%N)
    /usr/bin/time -f %M -o "$WORK/rss-download" "$BIN" outputs --quiet --download "$WORK/dl" >/dev/null
    end=$(date +%s.%N)
    t=$(seconds "$start" "$end")
    best_hookctl=$(python3 -c "print(min($best_hookctl, $t))")
    rss_download=$(python3 -c "print(max($rss_download, $(cat "$WORK/rss-download")))")
    start=$(date +%s.%N)
    curl -sf -o "$WORK/curl.zip" -H "Authorization: Bearer $TOKEN" "$URL"
    end=$(date +%s.%N)
    t=$(seconds "$start" "$end")
    best_curl=$(python3 -c "print(min($best_curl, $t))")
done
file=$(find "$WORK/dl" -type f -name '*.zip' | head -1)
bytes=$(stat -c %s "$file")
[ "$(sha256sum <"$file")" = "$(sha256sum <"$WORK/curl.zip")" ] || { echo "downloads differ" >&2; exit 1; }
python3 - "$bytes" "$best_hookctl" "$best_curl" "$(cat "$WORK/rss-list")" "$rss_download" <<'PY'
import sys
size, hookctl, curl, rss_list, rss_download = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
mib = size / 2**20
print(f"download of a {mib:.0f} MiB product (best of rounds, whole command incl. login and listing):")
print(f"  hookctl outputs --download {hookctl:.2f} s = {mib / hookctl:.0f} MiB/s; curl {curl:.2f} s = {mib / curl:.0f} MiB/s; "
      f"hookctl reaches {100 * curl / hookctl:.0f}% of curl's throughput")
print(f"  peak RSS: hookctl outputs {rss_list // 1024} MiB without the download, {rss_download // 1024} MiB with it "
      f"(+{(rss_download - rss_list) / 1024:.1f} MiB); files identical (SHA-256)")
PY

# 2. Sequential status calls: logins and connections are counted around the run.
logins() { curl -s "$BASE/sandbox/stats" | python3 -c '
import json, sys
print(sum(r["count"] for r in json.load(sys.stdin)["requests"] if r["route"].endswith("/token")))'; }
connections() { ss -Htan "( dport = :$PORT )" | wc -l; }
before_logins=$(logins) before_connections=$(connections)
"$BENCH" "$BASE" "$ORDER" 1000 | tee "$WORK/bench.txt" >/dev/null
after_connections=$(connections) after_logins=$(logins)  # in this order: the stats request opens a connection too
echo "status calls: $(cat "$WORK/bench.txt")"
echo "  token requests during the run: $((after_logins - before_logins)); TCP connections opened to the sandbox: $((after_connections - before_connections))"
