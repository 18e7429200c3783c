#!/usr/bin/env bash
# Set up cyberevidence in .venv and run the main job on the bundled demo exports.
# Usage: bash scripts/demo.sh        (writes the case to ./demo-case)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/_system_deps.sh
PY="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q ".[signing]"
CE=.venv/bin/cyberevidence
fresh=1; [ -e demo-case/case.json ] && fresh=0
# One stalking case across WhatsApp, SMS and calls, e-mail, Instagram and a photo (fixtures/make_demo.py).
$CE collect fixtures/demo/exports \
  --case demo-case --examiner "Demo Examiner" --people fixtures/demo/people.toml \
  --note "synthetic demo exports shipped with cyberevidence"
if [ "$fresh" = 1 ]; then
  # What the victim tells the advocate: when she blocked him, and her diary of what happened offline.
  $CE marker add demo-case blocked --when "2025-10-12 14:10" --person "Mark Kell" --platform whatsapp --account "Mark Kell"
  $CE diary import demo-case fixtures/demo/diary.csv
fi
echo
echo "Open demo-case/exports/report.html in a browser; the timeline, contact tables and conduct summary are beside it."
echo "Check the case any time with: .venv/bin/cyberevidence verify demo-case"
echo
$CE exports demo-case   # its last lines: the merged figures per person, computed from the case
