#!/usr/bin/env bash
# `npm run demo [-- --auto] [-- --llm]`: kube-autofix as a team meets it, on a local Slack in the browser.
# Installs if needed, starts the sandbox (provisioning it the first time; a no-op when it is up; never
# stops it), then tools/demo/run-demo.ts starts the bot, a worker and the local Slack, breaks
# deployment/web in namespace shop, and waits for you on the page (or drives it itself with --auto).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules/@kubernetes/client-node ] || npm ci --no-audit --no-fund
# Without a TTY (or with --auto) the scene is driven in a headless Chromium: install it as redis-server is.
auto=false
[ -t 0 ] && [ -t 1 ] || auto=true
for arg in "$@"; do [ "$arg" = --auto ] && auto=true; done
if $auto; then bash sandbox/scripts/ensure-chromium.sh; fi
echo "[demo] starting the sandbox (the first time it is built: see the README for timings)" >&2
bash sandbox/scripts/up.sh >/dev/null
# shellcheck disable=SC1091
source "${SANDBOX_STATE_DIR:-.sandbox}/env"
exec node --import tsx tools/demo/run-demo.ts "$@"
