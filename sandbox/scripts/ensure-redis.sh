#!/usr/bin/env bash
# Makes sure Debian's redis-server is installed (the sandbox runs its own instance on loopback).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
command -v redis-server >/dev/null && command -v redis-cli >/dev/null && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  step "installing redis-server from Debian's packages"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; } \
    || fail "apt-get install redis-server failed"
  # Debian starts a system instance on 6379; the sandbox uses its own on a free port.
  (service redis-server stop || true) >/dev/null 2>&1
else
  fail "redis-server is not installed; install it (e.g. sudo apt-get install redis-server) and run again"
fi
