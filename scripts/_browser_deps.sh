#!/usr/bin/env bash
# Install Debian's chromium (for the report's browser tests) when it is missing.
# Playwright drives this system browser; nothing is downloaded by 'playwright install'.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
else
  echo "Chromium not found: the report's browser tests will be skipped (Debian/Ubuntu: apt-get install chromium)." >&2
fi
