#!/usr/bin/env bash
# Installs kwok (simulated kubelets) and kwokctl (cluster launcher) from the Go module proxy.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

BIN="$KWOK_DIR/bin"
if [ -x "$BIN/kwok" ] && [ -x "$BIN/kwokctl" ]; then step "kwok $KWOK_VERSION: cached in $BIN"; exit 0; fi
command -v go >/dev/null || fail "building kwok needs the Go toolchain (go) on PATH"
mkdir -p "$BIN"
start=$(date +%s)
step "kwok $KWOK_VERSION: building kwok and kwokctl"
# The kwok version is stamped the way its release build does, so `kwok --version` is truthful.
ld="-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v}"
GOBIN="$BIN" go install -trimpath -ldflags "$ld" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" "sigs.k8s.io/kwok/cmd/kwokctl@$KWOK_VERSION" \
  || fail "go install of kwok $KWOK_VERSION failed (see the compiler output above)"
step "kwok $KWOK_VERSION: built in $(elapsed $(( $(date +%s) - start )))"
