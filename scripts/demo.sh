#!/usr/bin/env bash
# The README's main job. Until the live demo (lab + controller + dashboard + failover) exists,
# it checks and renders the RDO example: the wiki table of seed 000, as a checked plan.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 2
out=out/rdo
echo
echo "== lifeboat check examples/rdo/plan.yaml"
./bin/lifeboat check examples/rdo/plan.yaml
status=$?
case $status in
  0) echo "(no error finding)" ;;
  1) echo "(exit 1: the plan has error findings: the weaknesses of the RDO table, listed above)" ;;
  *) echo "lifeboat check failed with exit $status" >&2; exit "$status" ;;
esac
echo
echo "== lifeboat render examples/rdo/plan.yaml --out $out"
./bin/lifeboat render examples/rdo/plan.yaml --out "$out" || exit $?
echo
echo "The continuity-plan document is in $out/: plan.md, plan.html (open it in a browser, or print it) and diagram.svg."
