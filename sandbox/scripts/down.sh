#!/usr/bin/env bash
# `npm run sandbox:down`: stops everything the sandbox started; nothing is left running.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
quiet=false; [ "${1:-}" = "--quiet" ] && quiet=true
$quiet || step "stopping the sandbox"
rm -f "$STATE_DIR/env" "$STATE_DIR/controller.ready"
for pidfile in "$STATE_DIR"/pids/*.pid; do
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  # Each service runs in its own session: signal the whole group (mlflow has gunicorn workers).
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  rm -f "$pidfile"
done
if [ -x "$KWOK_DIR/bin/kwokctl" ] && [ -d "$STATE_DIR/kwok/clusters/autofix" ]; then
  # kwokctl removes the cluster's context from a kubeconfig: point it at ours, never at $KUBECONFIG
  # (which may be another sandbox's, or the user's own).
  KUBECONFIG="$STATE_DIR/kubeconfig" KWOK_WORKDIR="$STATE_DIR/kwok" PATH="$K8S_DIR/bin:$PATH" \
    "$KWOK_DIR/bin/kwokctl" delete cluster --name autofix --kubeconfig "$STATE_DIR/kubeconfig" >/dev/null 2>&1 || true
fi
# Anything still holding the state directory (a crashed kwokctl's children) is ended too.
sleep 1
leftovers=$(pgrep -f -- "$STATE_DIR" || true)
if [ -n "$leftovers" ]; then
  kill -TERM $leftovers 2>/dev/null || true; sleep 2
  leftovers=$(pgrep -f -- "$STATE_DIR" || true)
  [ -n "$leftovers" ] && kill -KILL $leftovers 2>/dev/null || true
fi
rm -rf "$STATE_DIR/kwok" "$STATE_DIR/redis" "$STATE_DIR/mlflow" "$STATE_DIR/pods"
$quiet || step "stopped"
exit 0
