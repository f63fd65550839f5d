#!/usr/bin/env bash
# Client benchmark against `hookctl sandbox` in its own process on loopback (release build):
# 1. Download of one large TEMPORARY product (default 1 GiB) with /work/shared/bench/compare.py (alternating A/B
#    runs, the previous files deleted and 3 s of quiet before each, medians, peak RSS), on tmpfs (/dev/shm) and on
#    disk (BENCH_DISK, default /tmp), against two yardsticks on the same URL and token:
#      A  `hookctl outputs --download DIR` (downloads, checks size and the zip's CRCs, records the SHA-256)
#      B1 `curl -sfL -H "Authorization: Bearer $TOKEN" -o FILE URL && openssl dgst -sha256 FILE` (by hand, hashed)
#      B2 the same curl alone
#    then one more run of each to compare the files' SHA-256.
# 2. 1,000 sequential authenticated status calls through HookClient (bench/client/Sources), as the sandbox's
#    service account: wall time, latency percentiles, token requests counted from /sandbox/stats, TCP connections counted with `ss`.
# Usage: bench/client/run.sh [SIZE_BYTES] [RUNS]   (default 1073741824 and 5)
# HOOKCTL=path measures another hookctl binary as A (the sandbox stays this tree's); COMPARE=path another compare.py;
# ONLY_DOWNLOAD=1 skips part 2; LOAD_MAX (default 1.0) is the load average it waits for, at most 10 minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
SIZE=${1:-1073741824}
RUNS=${2:-5}
PORT=${PORT:-18081}
# The sandbox's built-in logins; project files and manifests name secrets only by reference.
export BENCH_CLIENT_SECRET=hookctl-ci-secret DESP_PASSWORD=demo
swift build -c release --product hookctl >/dev/null
[ -n "${ONLY_DOWNLOAD:-}" ] || swift build -c release --product client-bench >/dev/null
BIN=$PWD/.build/release/hookctl
CLIENT=${HOOKCTL:-$BIN}
BENCH=$PWD/.build/release/client-bench
COMPARE=${COMPARE:-/work/shared/bench/compare.py}
DISK=${BENCH_DISK:-/tmp}
BASE=http://127.0.0.1:$PORT
WORK=$(mktemp -d -p "${BENCH_TMP:-/tmp}")
DISKWORK=$(mktemp -d -p "$DISK")
trap 'kill $SANDBOX 2>/dev/null || true; rm -rf "$WORK" "$DISKWORK"' EXIT

start_sandbox "$WORK/sandbox.log" --pace 1
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

token() {
    curl -sf "$BASE/auth/realms/dedl/protocol/openid-connect/token" \
        -d grant_type=client_credentials -d client_id=hookctl-ci -d client_secret=hookctl-ci-secret |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}
/usr/bin/time -f %M -o "$WORK/rss-list" "$CLIENT" outputs >/dev/null
echo "hookctl outputs without downloading: peak RSS $(($(cat "$WORK/rss-list") / 1024)) MiB"
# The machine is shared: wait (up to 10 minutes, looking every 30 s) for the 1-minute load to fall below LOAD_MAX.
for _ in $(seq 20); do
    python3 -c "import os, sys; sys.exit(os.getloadavg()[0] >= float('${LOAD_MAX:-1.0}'))" && break
    echo "load $(cut -d' ' -f1-3 /proc/loadavg): waiting" >&2
    sleep 30
done
echo "load before measuring: $(uptime)"
for place in "tmpfs:/dev/shm" "disk:$DISKWORK"; do
    name=${place%%:*} dir=$(mktemp -d -p "${place#*:}")
    hookctl_cmd="'$CLIENT' outputs --quiet --download '$dir/dl'"
    # A fresh token per comparison: a run takes longer than the sandbox's token lifetime allows one token to last.
    TOKEN=$(token)
    curl_cmd="curl -sfL -H 'Authorization: Bearer $TOKEN' -o '$dir/curl.zip' '$URL'"
    reset="rm -rf '$dir/dl' '$dir/curl.zip'"
    for yardstick in "curl+openssl:$curl_cmd && openssl dgst -sha256 '$dir/curl.zip'" "curl:$curl_cmd"; do
        echo "== $name ($dir): hookctl vs ${yardstick%%:*}"
        python3 "$COMPARE" --a "$hookctl_cmd" --b "${yardstick#*:}" --reset "$reset" --settle 3 --runs "$RUNS" |
            sed "s/$TOKEN/\$TOKEN/g"
    done
    eval "$reset"
    eval "$hookctl_cmd" >/dev/null
    eval "$curl_cmd"
    file=$(find "$dir/dl" -type f -name '*.zip' | head -1)
    a=$(sha256sum <"$file" | cut -d' ' -f1) b=$(sha256sum <"$dir/curl.zip" | cut -d' ' -f1)
    [ "$a" = "$b" ] || { echo "downloads differ: $a vs $b" >&2; exit 1; }
    echo "files identical: $(stat -c %s "$file") bytes, SHA-256 $a"
    rm -rf "$dir"
done
echo "load after measuring: $(uptime)"
[ -z "${ONLY_DOWNLOAD:-}" ] || exit 0

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
