#!/usr/bin/env bash
# Set up a test environment in .venv and run the whole test suite (plus lint and type checks).
# Usage: bash scripts/test.sh [extra pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/_system_deps.sh
bash scripts/_browser_deps.sh
bash scripts/_bundle_deps.sh
bash scripts/_ocr_deps.sh
bash scripts/_expert_tools.sh
bash scripts/_office_deps.sh
bash scripts/_node_deps.sh || echo "note: whatsapp-chat-parser could not be installed; its differential tests will be skipped" >&2
PY="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test,signing]" ruff mypy
# Optional extras: their tests skip with a clear reason when these cannot be installed here.
.venv/bin/python -m pip install -q -e ".[pst,ocr]" || echo "note: the pst/ocr extras could not be installed; their tests will be skipped" >&2
.venv/bin/ruff check src cli tests benchmarks fixtures
.venv/bin/mypy
.venv/bin/python -m pytest -q "$@"
