#!/usr/bin/env bash
# Makes sure a Chromium is there for the demo's --auto scene (Debian's package, as redis-server is installed).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
want="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$want" ] && exit 0
[ -n "${CHROMIUM_PATH:-}" ] && fail "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable; point it at a Chromium or unset it"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  step "installing chromium from Debian's packages (the demo drives it headless)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
    || fail "apt-get install chromium failed"
else
  fail "Chromium is not installed; install it (e.g. sudo apt-get install chromium) or set CHROMIUM_PATH, and run again"
fi
