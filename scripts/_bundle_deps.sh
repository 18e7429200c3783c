#!/usr/bin/env bash
# Install 7-Zip (Debian/Ubuntu: p7zip-full) when it is missing. The bundle tests use it to prove
# that an encrypted bundle opens in a standard tool; they are skipped, with the reason, without it.
set -euo pipefail
if command -v 7z >/dev/null 2>&1; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq p7zip-full >/dev/null
elif command -v brew >/dev/null 2>&1; then
  brew install p7zip
else
  echo "7z not found: install p7zip-full (Debian/Ubuntu) to run the bundle tests against 7-Zip." >&2
fi
