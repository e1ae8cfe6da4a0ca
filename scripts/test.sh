#!/usr/bin/env bash
# The README's test command: set up what is missing, run every test, end with `N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 2
mkdir -p test-results
projects=(--project unit)
if [ "$(id -u)" = 0 ] && [ "${LIFEBOAT_SKIP_LAB:-0}" != 1 ]; then projects+=(--project lab); fi
npx vitest run "${projects[@]}" --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@"
status=$?
node -e '
  const r = JSON.parse(require("node:fs").readFileSync("test-results/vitest.json", "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
' || echo "0 passed, 1 failed"
exit $status
