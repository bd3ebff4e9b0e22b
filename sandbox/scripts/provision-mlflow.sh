#!/usr/bin/env bash
# Installs the MLflow tracking server (PyPI) into a virtualenv in the cache, keyed by version.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

VENV="$MLFLOW_DIR/venv"
if [ -x "$VENV/bin/mlflow" ] && "$VENV/bin/python" -c "import mlflow" 2>/dev/null; then
  step "mlflow $MLFLOW_VERSION: cached in $VENV"
  exit 0
fi
PY="${PYTHON:-$(command -v python3 || true)}"
[ -n "$PY" ] || fail "installing MLflow needs python3 on PATH"
"$PY" -c 'import venv' 2>/dev/null || fail "python3 has no venv module (apt-get install python3-venv)"
step "mlflow $MLFLOW_VERSION: creating a virtualenv and installing from PyPI (a few minutes the first time)"
# A venv embeds its own path, so it is built in place; the import check above catches a half-built one.
rm -rf "$VENV"
"$PY" -m venv "$VENV" || fail "could not create a virtualenv at $VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "mlflow==$MLFLOW_VERSION" \
  || fail "pip install mlflow==$MLFLOW_VERSION failed (see pip's output above)"
step "mlflow $MLFLOW_VERSION: installed ($("$VENV/bin/mlflow" --version))"
