#!/usr/bin/env bash
# Builds kube-state-metrics (the sandbox's kube_* metrics for Prometheus) from its Go module, cached.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

BIN="$KSM_DIR/bin"
if [ -x "$BIN/kube-state-metrics" ]; then step "kube-state-metrics $KUBE_STATE_METRICS_VERSION: cached in $BIN"; exit 0; fi
command -v go >/dev/null || fail "building kube-state-metrics needs the Go toolchain (go) on PATH"
build_lock "$KSM_DIR"
if [ -x "$BIN/kube-state-metrics" ]; then step "kube-state-metrics $KUBE_STATE_METRICS_VERSION: built meanwhile in $BIN"; exit 0; fi
start=$(date +%s)
step "kube-state-metrics $KUBE_STATE_METRICS_VERSION: building kube-state-metrics"
GOBIN="$BIN" go install -trimpath -ldflags "$(prom_version_ldflags "${KUBE_STATE_METRICS_VERSION#v}")" \
  "k8s.io/kube-state-metrics/v2@$KUBE_STATE_METRICS_VERSION" \
  || fail "go install of kube-state-metrics $KUBE_STATE_METRICS_VERSION failed (see the compiler output above)"
step "kube-state-metrics $KUBE_STATE_METRICS_VERSION: built in $(elapsed $(( $(date +%s) - start )))"
