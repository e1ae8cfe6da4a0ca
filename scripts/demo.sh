#!/usr/bin/env bash
# The README's main job: installs what is missing (scripts/setup.sh: npm packages, the build,
# and as root the lab's Debian packages), then runs `lifeboat demo`: the two-site lab, the
# controller and its dashboard on the lab plan, site a cut off after 20 s, the outage and the
# proposed failover live; Ctrl-C tears it all down (docs/demo.md). Options go to the demo:
# `bash scripts/demo.sh --auto`, `--listen 0.0.0.0:8480`, `--no-fault`.
# Without root the lab cannot run: it checks and renders the RDO example instead.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 2
if [ "$(id -u)" = 0 ]; then
  exec ./bin/lifeboat demo "$@"
fi
echo "lifeboat demo needs root (network namespaces): run \`sudo bash scripts/demo.sh\`."
echo "Meanwhile, without root: the RDO example, checked and rendered into out/rdo/."
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
