#!/usr/bin/env bash
# `npm run demo`: the whole product on the local sandbox with embedded defaults (rule engine, no
# LLM key; MLflow tracking on). A healthy deployment gets a bad image tag; kube-autofix diagnoses
# it, proposes the fix, applies it after the (here automatic) approval, and watches the rollout.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
bash sandbox/scripts/up.sh >/dev/null
# shellcheck disable=SC1091
source .sandbox/env
kubectl() { "$SANDBOX_KUBECTL" "$@"; }
export AUTOFIX_NAMESPACES="${AUTOFIX_NAMESPACES:-shop}"
cli() { npx tsx src/cli/main.ts "$@"; }

echo "==> namespace shop: a healthy deployment/web (nginx:1.27)" >&2
kubectl create namespace shop --dry-run=client -o yaml | kubectl apply -f - >/dev/null
kubectl apply -n shop -f sandbox/scenarios/web-healthy.yaml >/dev/null
kubectl rollout status -n shop deployment/web --timeout=120s >&2
echo "==> a bad release: image nginx:1.99 does not exist" >&2
kubectl set image -n shop deployment/web web=nginx:1.99 >/dev/null
kubectl wait -n shop pod -l app=web --for=jsonpath='{.status.containerStatuses[0].state.waiting.reason}'=ImagePullBackOff --timeout=60s >/dev/null 2>&1 || true

echo "==> kube-autofix diagnose deployment/web -n shop" >&2
cli diagnose deployment/web -n shop || true
echo "==> kube-autofix fix deployment/web -n shop --yes" >&2
cli fix deployment/web -n shop --yes
echo "==> the sandbox keeps running: source .sandbox/env to look around; npm run sandbox:down stops it" >&2
