#!/usr/bin/env bash
# `npm run sandbox:up`: provisions (first time, cached) and starts the sandbox on loopback:
# a real control plane with KWOK nodes, the catalog controller, Redis and MLflow.
# SANDBOX_KUBE_ONLY=1: the control plane and the controller only (a second cluster for multi-cluster tests,
# whose workers share the first sandbox's Redis and MLflow).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
t0=$(date +%s)
KUBE_ONLY="${SANDBOX_KUBE_ONLY:-0}"

if [ -f "$STATE_DIR/env" ] && bash "$SANDBOX_SRC/scripts/status.sh" --quiet; then
  step "already running; environment in $STATE_DIR/env"
  cat "$STATE_DIR/env"
  exit 0
fi
# Leftovers of a sandbox that was not stopped cleanly.
bash "$SANDBOX_SRC/scripts/down.sh" --quiet

step "checking toolchains"
for tool in go python3 node; do command -v "$tool" >/dev/null || fail "missing toolchain: $tool is not on PATH"; done
bash "$SANDBOX_SRC/scripts/ensure-redis.sh"
[ -d "$PROJECT_ROOT/node_modules/@kubernetes/client-node" ] || { step "installing npm dependencies"; (cd "$PROJECT_ROOT" && npm ci --no-audit --no-fund) || fail "npm ci failed"; }

bash "$SANDBOX_SRC/scripts/build-k8s.sh"
bash "$SANDBOX_SRC/scripts/build-etcd.sh"
bash "$SANDBOX_SRC/scripts/build-kwok.sh"
bash "$SANDBOX_SRC/scripts/build-helm.sh"
[ "$KUBE_ONLY" = 1 ] || bash "$SANDBOX_SRC/scripts/provision-mlflow.sh"
step "provisioned in $(elapsed $(( $(date +%s) - t0 )))"

mkdir -p "$STATE_DIR/pids" "$STATE_DIR/logs"
export PATH="$K8S_DIR/bin:$KWOK_DIR/bin:$ETCD_DIR/bin:$PATH"
export KWOK_WORKDIR="$STATE_DIR/kwok"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port_free() { python3 -c 'import socket,sys; s=socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null; }
pick_port() { # $1 name of an override variable
  local want="${!1:-}"
  if [ -n "$want" ]; then port_free "$want" || fail "port $want ($1) is in use on 127.0.0.1; free it or choose another"; echo "$want"; else free_port; fi
}
start_bg() { # name, command...: runs detached in its own session, pid recorded for down.sh
  local name=$1; shift
  setsid nohup "$@" >"$STATE_DIR/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$STATE_DIR/pids/$name.pid"
}
wait_for() { # description, seconds, command...
  local what=$1 secs=$2; shift 2
  local deadline=$(( $(date +%s) + secs ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 1
  done
}

# Ports are checked before anything starts, so a port in use fails fast with nothing to clean up.
if [ "$KUBE_ONLY" != 1 ]; then
  REDIS_PORT=$(pick_port SANDBOX_REDIS_PORT)
  MLFLOW_PORT=$(pick_port SANDBOX_MLFLOW_PORT)
fi
# A failure after this point stops whatever was already started: nothing is left half-running.
trap 'status=$?; if [ $status -ne 0 ]; then bash "$SANDBOX_SRC/scripts/down.sh" --quiet; fi' EXIT

# --- Kubernetes control plane + KWOK ---------------------------------------------------------
step "starting the control plane (kube-apiserver, etcd, controller-manager, scheduler, kwok)"
cat > "$STATE_DIR/kwokctl.yaml" <<YAML
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokctlConfiguration
options:
  runtime: binary
  kubeApiserverBinary: $K8S_DIR/bin/kube-apiserver
  kubeControllerManagerBinary: $K8S_DIR/bin/kube-controller-manager
  kubeSchedulerBinary: $K8S_DIR/bin/kube-scheduler
  kubectlBinary: $K8S_DIR/bin/kubectl
  kwokControllerBinary: $KWOK_DIR/bin/kwok
  etcdBinary: $ETCD_DIR/bin/etcd
  cacheDir: $CACHE_ROOT/kwokctl-cache
  enableCRDs: [Logs]
  quietPull: true
  kubeAuditPolicy: $SANDBOX_SRC/kwok/audit-policy.yaml
---
$(cat "$SANDBOX_SRC/kwok/stages.yaml")
YAML
KUBECONFIG="$STATE_DIR/kubeconfig" kwokctl create cluster --name autofix --config "$STATE_DIR/kwokctl.yaml" \
  --kubeconfig "$STATE_DIR/kubeconfig" --wait 3m >"$STATE_DIR/logs/kwokctl.log" 2>&1 \
  || { tail -n 30 "$STATE_DIR/logs/kwokctl.log" >&2; fail "kwokctl could not start the cluster (log: $STATE_DIR/logs/kwokctl.log)"; }
export KUBECONFIG="$STATE_DIR/kubeconfig"
kubectl config use-context kwok-autofix >/dev/null
kubectl apply -f "$SANDBOX_SRC/kwok/nodes.yaml" >/dev/null || fail "could not register the simulated nodes"
wait_for "nodes Ready" 90 kubectl wait --for=condition=Ready node --all --timeout=5s \
  || fail "the simulated nodes did not become Ready within 90s (kwok log: $STATE_DIR/kwok/clusters/autofix/logs)"
wait_for "default service account" 60 kubectl get serviceaccount default -n default \
  || fail "the controller-manager did not create the default ServiceAccount within 60s"
# kwokctl writes the audit log (JSON lines) in its own workdir; the tests read it under logs/.
AUDIT_LOG="$STATE_DIR/logs/kube-apiserver-audit.log"
ln -sfn "$KWOK_WORKDIR/clusters/autofix/logs/audit.log" "$AUDIT_LOG"
[ -f "$AUDIT_LOG" ] || fail "kwokctl did not start kube-apiserver with the audit log ($AUDIT_LOG)"
kubectl apply -f "$SANDBOX_SRC/kwok/test-identities.yaml" >/dev/null || fail "could not create the test identities' roles"

# --- Redis ----------------------------------------------------------------------------------
if [ "$KUBE_ONLY" != 1 ]; then
mkdir -p "$STATE_DIR/redis"
step "starting redis on 127.0.0.1:$REDIS_PORT (AOF on, noeviction)"
start_bg redis redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$STATE_DIR/redis" \
  --appendonly yes --maxmemory-policy noeviction --save '' --protected-mode yes
wait_for "redis" 20 redis-cli -p "$REDIS_PORT" ping || fail "redis did not answer on port $REDIS_PORT (log: $STATE_DIR/logs/redis.log)"

# --- MLflow ---------------------------------------------------------------------------------
mkdir -p "$STATE_DIR/mlflow/artifacts"
step "starting mlflow on 127.0.0.1:$MLFLOW_PORT (SQLite backend, proxied artifacts)"
# Background job runners (GenAI evaluation) are unused here and cost ~2 GB; tracing does not need them.
MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false start_bg mlflow "$MLFLOW_DIR/venv/bin/mlflow" server \
  --backend-store-uri "sqlite:///$STATE_DIR/mlflow/mlflow.db" \
  --artifacts-destination "$STATE_DIR/mlflow/artifacts" \
  --host 127.0.0.1 --port "$MLFLOW_PORT" --workers 1
wait_for "mlflow" 180 curl -fsS "http://127.0.0.1:$MLFLOW_PORT/health" \
  || fail "mlflow did not answer /health within 180s (log: $STATE_DIR/logs/mlflow.log)"
fi

# --- Catalog controller ---------------------------------------------------------------------
step "starting the image-catalog controller"
start_bg controller node --import tsx "$SANDBOX_SRC/controller/main.ts" \
  --kubeconfig "$KUBECONFIG" --catalog "$SANDBOX_SRC/catalog/images.yaml" --state "$STATE_DIR"
wait_for "controller" 60 test -f "$STATE_DIR/controller.ready" \
  || { tail -n 20 "$STATE_DIR/logs/controller.log" >&2; fail "the catalog controller did not start (log: $STATE_DIR/logs/controller.log)"; }

{
  echo "export KUBECONFIG='$STATE_DIR/kubeconfig'"
  if [ "$KUBE_ONLY" != 1 ]; then
    echo "export REDIS_URL='redis://127.0.0.1:$REDIS_PORT'"
    echo "export MLFLOW_TRACKING_URI='http://127.0.0.1:$MLFLOW_PORT'"
    echo "export SANDBOX_REDIS_PORT='$REDIS_PORT'"
  else
    echo "export SANDBOX_KUBE_ONLY='1'"
  fi
  echo "export SANDBOX_DIR='$STATE_DIR'"
  echo "export SANDBOX_KUBECTL='$K8S_DIR/bin/kubectl'"
  echo "export SANDBOX_HELM='$HELM_DIR/bin/helm'"
  echo "export SANDBOX_AUDIT_LOG='$AUDIT_LOG'"
} > "$STATE_DIR/env.tmp"
mv "$STATE_DIR/env.tmp" "$STATE_DIR/env"
step "ready in $(elapsed $(( $(date +%s) - t0 ))): source $STATE_DIR/env"
cat "$STATE_DIR/env"
