#!/usr/bin/env bash
# Exit 0 when every sandbox service answers; `--quiet` prints nothing.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
quiet=false; [ "${1:-}" = "--quiet" ] && quiet=true
say() { $quiet || echo "$@"; }
[ -f "$STATE_DIR/env" ] || { say "not running"; exit 1; }
# shellcheck disable=SC1091
source "$STATE_DIR/env"
ok=0
"$SANDBOX_KUBECTL" --request-timeout=5s get --raw /readyz >/dev/null 2>&1 && say "kubernetes: ready" || { say "kubernetes: down"; ok=1; }
if [ "${SANDBOX_KUBE_ONLY:-0}" != 1 ]; then
  redis-cli -p "$SANDBOX_REDIS_PORT" ping >/dev/null 2>&1 && say "redis: ready" || { say "redis: down"; ok=1; }
  curl -fsS "$MLFLOW_TRACKING_URI/health" >/dev/null 2>&1 && say "mlflow: ready" || { say "mlflow: down"; ok=1; }
fi
pid=$(cat "$STATE_DIR/pids/controller.pid" 2>/dev/null || true)
[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && say "catalog controller: running" || { say "catalog controller: down"; ok=1; }
exit $ok
