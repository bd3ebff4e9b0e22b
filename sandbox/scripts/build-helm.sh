#!/usr/bin/env bash
# Installs helm (the chart tests' client) from its Go module, cached under the sandbox cache root.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

BIN="$HELM_DIR/bin"
if [ -x "$BIN/helm" ]; then step "helm $HELM_VERSION: cached in $BIN"; exit 0; fi
command -v go >/dev/null || fail "building helm needs the Go toolchain (go) on PATH"
mkdir -p "$BIN"
start=$(date +%s)
step "helm $HELM_VERSION: building helm"
# Stamped the way helm's release build does (Makefile LDFLAGS), so `helm version` is truthful.
ld="-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION -X helm.sh/helm/v4/internal/version.metadata= -X helm.sh/helm/v4/internal/version.gitTreeState=clean"
GOBIN="$BIN" go install -trimpath -ldflags "$ld" "helm.sh/helm/v4/cmd/helm@$HELM_VERSION" \
  || fail "go install of helm $HELM_VERSION failed (see the compiler output above)"
step "helm $HELM_VERSION: built in $(elapsed $(( $(date +%s) - start )))"
