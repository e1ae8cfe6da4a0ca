#!/usr/bin/env bash
# Everything a fresh Debian machine lacks to build and test Lifeboat: idempotent, quick when done.
set -euo pipefail
cd "$(dirname "$0")/.."
export npm_config_nodedir=/usr

if ! command -v node >/dev/null 2>&1; then
  echo "setup: Node.js >= 20.19 is required (apt-get install nodejs npm)" >&2
  exit 2
fi

# The lab's Debian packages (only as root; without root the unit tests still run).
if [ "$(id -u)" = 0 ] && [ "${LIFEBOAT_SKIP_APT:-0}" != 1 ] && [ -f scripts/lab-packages.txt ]; then
  missing=()
  while read -r pkg; do
    [ -z "$pkg" ] || [ "${pkg#\#}" != "$pkg" ] && continue
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done < scripts/lab-packages.txt
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    # Debian's packages must not start their services here: the lab starts what it needs.
    if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; fi
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-fund --no-audit
else
  npm run build --silent
fi
