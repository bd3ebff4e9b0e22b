#!/usr/bin/env bash
# Builds etcd from its Go module through a wrapper module (etcd's own go.mod replaces with relative paths).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

BIN="$ETCD_DIR/bin"
if [ -x "$BIN/etcd" ]; then step "etcd $ETCD_VERSION: cached in $BIN"; exit 0; fi
command -v go >/dev/null || fail "building etcd needs the Go toolchain (go) on PATH"
WRAP="$ETCD_DIR/wrapper"
mkdir -p "$WRAP" "$BIN"
cat > "$WRAP/go.mod" <<MOD
module kube-autofix.local/sandbox-etcd

go $(go env GOVERSION | sed 's/^go//' | cut -d. -f1,2)

require go.etcd.io/etcd/server/v3 $ETCD_VERSION
MOD
start=$(date +%s)
step "etcd $ETCD_VERSION: building (a few minutes the first time)"
( cd "$WRAP" && go build -trimpath -ldflags "-s -w" -o "$BIN/etcd.tmp" go.etcd.io/etcd/server/v3 ) \
  || fail "go build of etcd $ETCD_VERSION failed (see the compiler output above)"
mv "$BIN/etcd.tmp" "$BIN/etcd"
step "etcd $ETCD_VERSION: built in $(elapsed $(( $(date +%s) - start )))"
