#!/usr/bin/env bash
# The README's test command: set up what is missing, run every test, end with `N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 2
mkdir -p test-results
rm -f test-results/vitest.json test-results/playwright.json
projects=(--project unit)
if [ "$(id -u)" = 0 ] && [ "${LIFEBOAT_SKIP_LAB:-0}" != 1 ]; then projects+=(--project lab); fi
npx vitest run "${projects[@]}" --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@"
status=$?
# The dashboard in a real browser (Debian's chromium; `lifeboat lab install` adds it as root).
browser=0
if [ -x /usr/bin/chromium ] && [ "${LIFEBOAT_SKIP_BROWSER:-0}" != 1 ] && [ $# = 0 ]; then
  PLAYWRIGHT_JSON_OUTPUT_NAME=test-results/playwright.json npx playwright test --reporter=list,json
  browser=$?
fi
node -e '
  const fs = require("node:fs");
  const r = JSON.parse(fs.readFileSync("test-results/vitest.json", "utf8"));
  let passed = r.numPassedTests, failed = r.numFailedTests, skipped = r.numPendingTests + r.numTodoTests;
  if (fs.existsSync("test-results/playwright.json")) {
    const s = JSON.parse(fs.readFileSync("test-results/playwright.json", "utf8")).stats;
    passed += s.expected; failed += s.unexpected; skipped += s.skipped;
  }
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
' || echo "0 passed, 1 failed"
[ $status = 0 ] && [ $browser = 0 ]
