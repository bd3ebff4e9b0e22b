#!/usr/bin/env bash
# `npm test`: the whole suite. Static checks, unit tests, then the sandbox (started if needed)
# and the integration tests against it. Ends with one "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .sandbox
status=0
# The local-model test's llama-server compiles for minutes the first time: it builds (and the model is
# fetched) in the background from the start, at the lowest priority, on CPU the other steps leave idle; the
# test waits for it (the scripts' locks). Cached: both return at once. Cut short, the build resumes next time.
setsid nice -n 19 bash -c 'bash sandbox/scripts/build-llama.sh && bash sandbox/scripts/fetch-smollm2.sh >/dev/null' \
  >.sandbox/local-model-build.log 2>&1 &
prebuild=$!
trap 'kill -- -"$prebuild" 2>/dev/null || true' EXIT
run() { echo "==> $*" >&2; "$@" || status=1; }

[ -d node_modules ] || run npm ci --no-audit --no-fund
run npx tsc -p tsconfig.json --noEmit
run npx tsc -p tools/stand-ins/local-slack/web/tsconfig.json
run npx eslint .
run npx prettier --check --log-level warn .
run npx depcruise src tools sandbox --config .dependency-cruiser.cjs
run npx vitest run --project unit --reporter=default --reporter=json --outputFile=.sandbox/unit-results.json

started_sandbox=false
if ! bash sandbox/scripts/status.sh --quiet; then
  bash sandbox/scripts/up.sh || { echo "sandbox could not start; integration tests not run" >&2; exit 1; }
  started_sandbox=true
fi
run npx vitest run --project integration --reporter=default --reporter=json --outputFile=.sandbox/integration-results.json
if $started_sandbox && [ "${KEEP_SANDBOX:-}" != "1" ]; then bash sandbox/scripts/down.sh; fi

node -e '
  const fs = require("node:fs");
  let passed = 0, failed = 0;
  for (const f of [".sandbox/unit-results.json", ".sandbox/integration-results.json"]) {
    if (!fs.existsSync(f)) { failed++; continue; }
    const r = JSON.parse(fs.readFileSync(f, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests + (r.numPendingTests || 0) + (r.numTodoTests || 0);
    if (r.numTotalTestSuites > 0 && r.numTotalTests === 0) failed++;
  }
  console.log(`${passed} passed, ${failed} failed`);
  if (passed === 0) process.exitCode = 1;
' || status=1
exit $status
