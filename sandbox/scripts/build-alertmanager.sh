#!/usr/bin/env bash
# Builds Alertmanager (the alert tests' real router) from its Go module, cached under the sandbox cache root.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

BIN="$ALERTMANAGER_DIR/bin"
if [ -x "$BIN/alertmanager" ]; then step "alertmanager $ALERTMANAGER_VERSION: cached in $BIN"; exit 0; fi
command -v go >/dev/null || fail "building alertmanager needs the Go toolchain (go) on PATH"
build_lock "$ALERTMANAGER_DIR"
if [ -x "$BIN/alertmanager" ]; then step "alertmanager $ALERTMANAGER_VERSION: built meanwhile in $BIN"; exit 0; fi
start=$(date +%s)
step "alertmanager $ALERTMANAGER_VERSION: building alertmanager"
# The module ships without its compiled web UI (ui/web.go embeds app/dist), so `go install …@version`
# fails with "pattern app/dist: no matching files found". Build a copy of the module with a placeholder
# UI page instead: the tests use the v2 API and the webhook, never the UI.
SRC="$(go_module_copy "github.com/prometheus/alertmanager@$ALERTMANAGER_VERSION" "$ALERTMANAGER_DIR/src")"
for ui in elm mantine; do
  mkdir -p "$SRC/ui/app/dist/$ui"
  printf '<!doctype html><title>Alertmanager</title><p>UI not built (kube-autofix sandbox); use the API.\n' > "$SRC/ui/app/dist/$ui/index.html"
done
mkdir -p "$BIN"
( cd "$SRC" && go build -trimpath -ldflags "$(prom_version_ldflags "${ALERTMANAGER_VERSION#v}")" -o "$BIN/alertmanager.tmp" ./cmd/alertmanager ) \
  || fail "go build of alertmanager $ALERTMANAGER_VERSION failed (see the compiler output above)"
mv "$BIN/alertmanager.tmp" "$BIN/alertmanager"
rm -rf "$SRC"
step "alertmanager $ALERTMANAGER_VERSION: built in $(elapsed $(( $(date +%s) - start )))"
