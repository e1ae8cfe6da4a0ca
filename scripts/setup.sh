#!/usr/bin/env bash
# Everything a fresh Debian machine lacks to build and test Lifeboat: idempotent, quick when done.
set -euo pipefail
cd "$(dirname "$0")/.."
export npm_config_nodedir=/usr

if ! command -v node >/dev/null 2>&1; then
  echo "setup: Node.js >= 20.19 is required (apt-get install nodejs npm)" >&2
  exit 2
fi

# `npm install`, not `npm ci`: npm 11 writes a lock file without other platforms' optional
# packages (biome's) and then `npm ci` refuses that same lock file. The lock still pins versions.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ package.json -nt node_modules/.package-lock.json ]; then
  npm install --no-fund --no-audit
else
  npm run build --silent
fi

# The lab's Debian packages (only as root; without root the unit tests still run). The one
# list is in src/lab/install.ts; `lab install` adds what is missing, with a policy-rc.d in
# place so that Debian's packages do not start their services (the lab starts its own).
if [ "$(id -u)" = 0 ] && [ "${LIFEBOAT_SKIP_APT:-0}" != 1 ]; then
  ./bin/lifeboat lab install
fi
