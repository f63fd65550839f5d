#!/usr/bin/env bash
# Mirror benchmark: one TEMPORARY product of SIZE bytes (default 1 GiB) in `hookctl sandbox` (its own process),
# mirrored by `hookctl outputs --mirror` into the moto S3 server (its own process; multipart, 16 MiB parts).
# Prints wall time, throughput and hookctl's peak resident memory (/usr/bin/time), and checks the object's size.
# Usage: bench/client/mirror.sh [SIZE_BYTES]   (needs .venv with moto[server]: .ci/run makes it)
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
SIZE=${1:-1073741824}
PORT=${PORT:-18084}
export DESP_PASSWORD=demo AWS_ACCESS_KEY_ID=AKIAMIRROR AWS_SECRET_ACCESS_KEY=mirror-secret
swift build -c release --product hookctl >/dev/null
BIN=$PWD/.build/release/hookctl
WORK=$(mktemp -d)
trap 'kill $SANDBOX $MOTO $HOLD 2>/dev/null || true; rm -rf "$WORK"' EXIT
start_sandbox "$WORK/sandbox.log" --pace 1
mkfifo "$WORK/moto.in"
# moto_server.py stops when its stdin closes: hold it open (and keep this sleep off our stdout).
sleep 3600 >"$WORK/moto.in" 2>/dev/null </dev/null &
HOLD=$!
.venv/bin/python3 Tests/python/moto_server.py <"$WORK/moto.in" >"$WORK/moto.port" 2>/dev/null &
MOTO=$!
for _ in $(seq 100); do grep -q PORT "$WORK/moto.port" 2>/dev/null && break; sleep 0.1; done
S3="http://127.0.0.1:$(awk '{print $2}' "$WORK/moto.port")"
curl -sf -X PUT "$S3/mirror" >/dev/null
curl -sf -X POST "http://127.0.0.1:$PORT/sandbox/catalogue" \
    -d "{\"collection\":\"EO.ESA.DAT.SENTINEL-2.MSI.L1C\",\"identifiers\":[\"S2A_MSIL1C_BENCH_LARGE.SAFE\"],\"size\":$SIZE}" >/dev/null
local_project "$WORK/project" "$PORT"
cat >"$WORK/project/manifests/large.yaml" <<'YAML'
apiVersion: hookctl/v1
kind: Order
metadata: {name: large}
spec:
  workflow: data-harvest
  identifiers: [S2A_MSIL1C_BENCH_LARGE.SAFE]
  source: {type: DESP, collection: EO.ESA.DAT.SENTINEL-2.MSI.L1C}
  storage: {type: TEMPORARY}
YAML
cd "$WORK/project"
"$BIN" apply --quiet >/dev/null
/usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$BIN" outputs --quiet --mirror s3://mirror/runs --endpoint "$S3" >/dev/null
read -r wall rss <"$WORK/time.txt"
size=$(curl -s "$S3/mirror?list-type=2&prefix=runs/" | python3 -c 'import re, sys; print(sum(int(s) for s in re.findall(r"<Size>(\d+)</Size>", sys.stdin.read())))')
printf 'mirror of a product of %d data bytes: %.2f s, %.0f MiB/s, hookctl peak RSS %d MiB; object in S3: %s bytes\n' \
    "$SIZE" "$wall" "$(echo "$size / 1048576 / $wall" | bc -l)" "$((rss / 1024))" "$size"
