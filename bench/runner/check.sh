#!/usr/bin/env bash
# `hookctl check` of one manifest of N identifiers (batchSize 100) that the sandbox's STAC catalogue holds, against
# `hookctl sandbox` in its own process: login, the live workflow catalogue, every identifier looked up (STAC item
# search, 100 ids per call). Prints the wall time of each of RUNS runs.
# Usage: bench/runner/check.sh [N] [RUNS]   (default 1000 and 5; builds release first)
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
N=${1:-1000}
RUNS=${2:-5}
PORT=${PORT:-18083}
export DESP_PASSWORD=demo
swift build -c release --product hookctl >/dev/null
BIN=$PWD/.build/release/hookctl
WORK=$(mktemp -d)
trap 'kill $SANDBOX 2>/dev/null || true; rm -rf "$WORK"' EXIT
start_sandbox "$WORK/sandbox.log"
mkdir -p "$WORK/manifests"
python3 - "$WORK" "$PORT" "$N" <<'PY'
import json, sys, urllib.request
work, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
ids = [f"S2A_MSIL1C_20240101T000000_N0510_R001_T{i:05d}X_20240101T000000.SAFE" for i in range(n)]
body = json.dumps({"collection": "EO.ESA.DAT.SENTINEL-2.MSI.L1C", "identifiers": ids}).encode()
urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/sandbox/catalogue", data=body, method="POST")).read()
with open(f"{work}/manifests/big.yaml", "w") as f:
    f.write("apiVersion: hookctl/v1\nkind: Order\nmetadata: {name: big}\nspec:\n  workflow: data-harvest\n  batchSize: 100\n"
            "  identifiers:\n" + "".join(f"    - {i}\n" for i in ids)
            + "  source: {type: DESP, collection: EO.ESA.DAT.SENTINEL-2.MSI.L1C}\n  storage: {type: TEMPORARY}\n")
with open(f"{work}/hookctl.yaml", "w") as f:
    base = f"http://127.0.0.1:{port}"
    f.write(f"""apiVersion: hookctl/v1
kind: Project
defaultProfile: local
profiles:
  local:
    serviceUrl: {base}/odata/v1/
    catalogueUrl: {base}/stac
    identity: {{despUrl: "{base}", dedlTokenUrl: "{base}/auth/realms/dedl/protocol/openid-connect/token"}}
    auth: {{type: desp, username: demo, password: "${{env:DESP_PASSWORD}}"}}
""")
PY
cd "$WORK"
"$BIN" check | tail -1
for _ in $(seq "$RUNS"); do /usr/bin/time -f "check of $N identifiers: %e s wall, %M KB peak RSS" "$BIN" check --quiet; done
