#!/usr/bin/env bash
# Builds Prometheus (the end-to-end alert test's rule evaluator) from its Go module, cached under the sandbox cache root.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

BIN="$PROMETHEUS_DIR/bin"
if [ -x "$BIN/prometheus" ]; then step "prometheus $PROMETHEUS_VERSION: cached in $BIN"; exit 0; fi
command -v go >/dev/null || fail "building prometheus needs the Go toolchain (go) on PATH"
build_lock "$PROMETHEUS_DIR"
if [ -x "$BIN/prometheus" ]; then step "prometheus $PROMETHEUS_VERSION: built meanwhile in $BIN"; exit 0; fi
start=$(date +%s)
# Module v0.X.Y is Prometheus 3.X.Y (the project tags its Go module with a 0 major).
shown="$(printf '%s' "$PROMETHEUS_VERSION" | sed -E 's/^v0\.([0-9]+)([0-9]{2})\.([0-9]+)$/\1.\2.\3/; s/^([0-9]+)\.0?([0-9]+)\./\1.\2./')"
step "prometheus $PROMETHEUS_VERSION ($shown): building prometheus"
# Without the builtinassets tag the web UI is read from disk, which the tests never open (they use the API);
# remove_all_sd leaves out the cloud service discoveries (the sandbox is scraped through static_configs),
# which is most of the build.
GOBIN="$BIN" go install -trimpath -tags remove_all_sd -ldflags "$(prom_version_ldflags "$shown")" \
  "github.com/prometheus/prometheus/cmd/prometheus@$PROMETHEUS_VERSION" \
  || fail "go install of prometheus $PROMETHEUS_VERSION failed (see the compiler output above)"
step "prometheus $PROMETHEUS_VERSION: built in $(elapsed $(( $(date +%s) - start )))"
