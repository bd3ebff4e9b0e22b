#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, kube-scheduler and kubectl from the k8s.io/kubernetes
# Go module through a wrapper module (the module's own go.mod replaces staging repos with local paths).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

BIN="$K8S_DIR/bin"
CMDS=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
if [ -x "$BIN/kubectl" ] && [ -x "$BIN/kube-apiserver" ] && [ -x "$BIN/kube-controller-manager" ] && [ -x "$BIN/kube-scheduler" ]; then
  step "kubernetes $K8S_VERSION: cached in $BIN"
  exit 0
fi
command -v go >/dev/null || fail "building kubernetes needs the Go toolchain (go) on PATH"

WRAP="$K8S_DIR/wrapper"
mkdir -p "$WRAP" "$BIN.tmp"
minor_patch="${K8S_VERSION#v1.}"   # 36.3
step "kubernetes $K8S_VERSION: reading the module's go.mod for its staging modules"
go mod download -json "k8s.io/kubernetes@$K8S_VERSION" > "$WRAP/download.json" \
  || fail "could not download k8s.io/kubernetes@$K8S_VERSION from the Go module proxy"
gomod=$(sed -n 's/.*"GoMod": "\(.*\)".*/\1/p' "$WRAP/download.json")
[ -f "$gomod" ] || fail "the downloaded module has no go.mod at $gomod"
staging=$(grep -oE '^\s*k8s\.io/[a-z0-9-]+ => \./staging' "$gomod" | awk '{print $1}')
[ -n "$staging" ] || fail "found no staging replace lines in $gomod"

{
  echo "module kube-autofix.local/sandbox-k8s"
  echo
  echo "go $(go env GOVERSION | sed 's/^go//' | cut -d. -f1,2)"
  echo
  echo "require k8s.io/kubernetes $K8S_VERSION"
  echo
  for m in $staging; do echo "replace $m => $m v0.$minor_patch"; done
} > "$WRAP/go.mod"
cat > "$WRAP/tools.go" <<'GO'
//go:build tools

package tools
GO

now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
major=1; minor="${minor_patch%%.*}"
ld="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ld+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
  ld+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$now -X $pkg.gitCommit=module-$K8S_VERSION"
done

start=$(date +%s)
step "kubernetes $K8S_VERSION: building ${CMDS[*]} (first time: tens of minutes on 2 cores)"
pkgs=(); for c in "${CMDS[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
( cd "$WRAP" && go build -trimpath -ldflags "$ld" -o "$BIN.tmp/" "${pkgs[@]}" ) \
  || fail "go build of kubernetes $K8S_VERSION failed (see the compiler output above)"
rm -rf "$BIN" && mv "$BIN.tmp" "$BIN"
step "kubernetes $K8S_VERSION: built in $(elapsed $(( $(date +%s) - start )))"
"$BIN/kubectl" version --client >&2
