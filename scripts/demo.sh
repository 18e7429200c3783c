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
.venv/bin/cyberevidence collect fixtures/demo/exports \
  --case demo-case --examiner "Demo Examiner" --people fixtures/demo/people.toml \
  --note "synthetic demo exports shipped with cyberevidence"
echo
echo "Done. Open demo-case/exports/report.html in a browser; the timeline, contact tables and conduct summary are beside it. Check the case any time with:"
echo "  .venv/bin/cyberevidence verify demo-case"
