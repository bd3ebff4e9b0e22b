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

# Runtime state of a running sandbox lives in the checkout (ignored by git).
STATE_DIR="${SANDBOX_STATE_DIR:-$PROJECT_ROOT/.sandbox}"

step() { printf '\033[1m[sandbox]\033[0m %s\n' "$*" >&2; }
fail() { printf '[sandbox] FAILED: %s\n' "$*" >&2; exit 1; }
elapsed() { local s=$1; printf '%dm%02ds' $((s / 60)) $((s % 60)); }
