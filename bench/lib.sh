# Shared by the bench scripts (source it): a project that talks to a `hookctl sandbox` on loopback.

# local_project DIR PORT: writes DIR/hookctl.yaml, whose profile `local` logs in to the sandbox on PORT as the demo
# user (password from $DESP_PASSWORD, by reference), and makes DIR/manifests.
local_project() {
    mkdir -p "$1/manifests"
    cat >"$1/hookctl.yaml" <<YAML
apiVersion: hookctl/v1
kind: Project
defaultProfile: local
profiles:
  local:
    serviceUrl: http://127.0.0.1:$2/odata/v1/
    identity: {despUrl: "http://127.0.0.1:$2", dedlTokenUrl: "http://127.0.0.1:$2/auth/realms/dedl/protocol/openid-connect/token"}
    auth: {type: desp, username: "\${env:DESP_USERNAME:-demo}", password: "\${env:DESP_PASSWORD}"}
YAML
}

# start_sandbox LOG [FLAGS...]: starts `$BIN sandbox --port $PORT FLAGS...` in the background, logging to LOG, sets
# SANDBOX to its pid and returns once it answers (exits the script if it has not within 10 s).
start_sandbox() {
    local log=$1
    shift
    "$BIN" sandbox --port "$PORT" "$@" >"$log" 2>&1 &
    SANDBOX=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/sandbox/stats" >/dev/null && return 0; sleep 0.1; done
    echo "the sandbox did not start on port $PORT (log: $log)" >&2
    exit 1
}
