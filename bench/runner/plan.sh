#!/usr/bin/env bash
# `plan` on N finished orders: N one-item manifests (one file) and a lock file recording each as completed, built
# from `hookctl render`'s bodies (the digest is SHA-256 of the canonical body without its Name line; the script
# checks it against the 10 hex digits in each Name). Reports wall time (median of RUNS) and peak resident memory,
# and checks that every order is planned `keep`. No network, no sandbox: plan is offline.
# Usage: bench/runner/plan.sh [N] [RUNS]   (KEEP=1 keeps the generated project and prints where)   (default 10000 and 5; builds release first)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-10000}
RUNS=${2:-5}
swift build -c release --product hookctl >/dev/null
BIN=$PWD/.build/release/hookctl
WORK=$(mktemp -d)
[ -n "${KEEP:-}" ] && echo "keeping $WORK" >&2 || trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/manifests"
cat >"$WORK/hookctl.yaml" <<YAML
apiVersion: hookctl/v1
kind: Project
defaultProfile: local
profiles:
  local:   # never contacted: plan is offline. A token login leaves DESP sources' logins as plain references.
    serviceUrl: http://127.0.0.1:9/odata/v1/
    auth: {type: token, token: "\${env:DEDL_TOKEN}"}
YAML
python3 - "$WORK/manifests" "$N" <<'PY'
import sys
folder, n = sys.argv[1], int(sys.argv[2])
for i in range(n):  # 1,000 orders a file (a file may hold at most 4 MiB)
    with open(f"{folder}/orders-{i // 1000:03d}.yaml", "a") as f:
        f.write(f"""---
apiVersion: hookctl/v1
kind: Order
metadata: {{name: o{i:06d}}}
spec:
  workflow: data-harvest
  identifiers: [S2A_MSIL1C_20230910T050701_N0509_R019_T47VLH_20230910T074321.SAFE]
  source: {{type: DESP, collection: EO.ESA.DAT.SENTINEL-2.MSI.L1C}}
  storage: {{type: TEMPORARY}}
""")
PY
(cd "$WORK" && env -u DESP_USERNAME -u DESP_PASSWORD "$BIN" render >"$WORK/bodies.json" 2>/dev/null)
python3 - "$WORK" <<'PY'
import hashlib, json, re, sys
work = sys.argv[1]
text = open(f"{work}/bodies.json").read()
bodies = re.split(r"(?<=\n})\n(?=\{)", text.strip("\n"))
orders = {}
for i, rendered in enumerate(bodies):
    rendered = rendered if rendered.endswith("\n") else rendered + "\n"
    lines = rendered.split("\n")
    name = json.loads(lines[1].rstrip(",").split(": ", 1)[1])
    digest = hashlib.sha256("\n".join([lines[0]] + lines[2:]).encode()).hexdigest()
    assert name.endswith(digest[:10]), (name, digest)
    key = name[len("hookctl-"):-11]
    identifiers = json.loads(rendered)["IdentifierList"]
    product = {"id": i + 1, "identifier": identifiers[0], "message": "Processing finished successfully",
               "output": f"BatchOrder({i + 1})/Product({i + 1})/$value", "status": "completed"}
    orders[key] = {
        "attempts": [{"attempt": 1, "id": i + 1, "identifiers": identifiers, "name": name, "status": "completed",
                      "message": "requested output product is available", "products": [product]}],
        # What hookctl writes beside the attempts (derived from them): the latest name, id and status.
        "id": i + 1, "name": name, "status": "completed",
        "body": json.loads(rendered), "digest": digest, "labels": {}, "manifest": f"manifests/orders-{i // 1000:03d}.yaml",
        "workflow": "data-harvest"}
with open(f"{work}/hookctl.local.lock", "w") as f:
    json.dump({"orders": orders, "version": 2}, f, indent=2, sort_keys=True, ensure_ascii=False)
    f.write("\n")
PY
cd "$WORK"
"$BIN" plan --format json >plan.json
keeps=$(python3 -c 'import json; print(sum(1 for i in json.load(open("plan.json")) if i["action"] == "keep"))')
[ "$keeps" = "$N" ] || { echo "expected $N orders planned keep, got $keeps" >&2; exit 1; }
times=()
for _ in $(seq "$RUNS"); do
    # With the login variables set, as where apply runs (unset, each order adds a warning about them to stderr).
    DESP_USERNAME=user DESP_PASSWORD=secret /usr/bin/time -f "%e %M" -o time.txt "$BIN" plan >/dev/null
    times+=("$(cat time.txt)")
done
size=$(du -h hookctl.local.lock | cut -f1)
printf '%s\n' "${times[@]}" | python3 -c '
import statistics, sys
rows = [line.split() for line in sys.stdin if line.strip()]
wall = statistics.median(float(r[0]) for r in rows); rss = max(int(r[1]) for r in rows) / 1024
print(f"hookctl plan on '"$N"' finished orders (lock file '"$size"'): median {wall:.2f} s of {len(rows)} runs, peak RSS {rss:.0f} MiB")'
