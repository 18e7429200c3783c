#!/usr/bin/env bash
# Install the one system library cyberevidence needs (libmagic) when it is missing.
set -euo pipefail
if ldconfig -p 2>/dev/null | grep -q 'libmagic\.so\.1'; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libmagic1 >/dev/null
elif command -v brew >/dev/null 2>&1; then
  brew install libmagic
else
  echo "Please install libmagic (Debian/Ubuntu: apt-get install libmagic1; macOS: brew install libmagic)." >&2
  exit 1
fi
