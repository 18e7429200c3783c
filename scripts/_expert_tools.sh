#!/usr/bin/env bash
# Install the standard tools an outside expert uses to check a case (docs/verification.md):
# the sqlite3 shell and jq. The tests that run the documented commands skip without them.
set -euo pipefail
if command -v sqlite3 >/dev/null 2>&1 && command -v jq >/dev/null 2>&1; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq sqlite3 jq >/dev/null || echo "note: sqlite3/jq could not be installed; the documented-command tests will be skipped" >&2
else
  echo "sqlite3 and jq not found: the documented-command tests will be skipped." >&2
fi
