#!/usr/bin/env bash
# Node and the npm package whatsapp-chat-parser (MIT), the third peer of the WhatsApp text
# differential tests (tests/differential/test_whatsapp_text.py). Optional: those tests skip with
# the reason when either is missing, so a failure here never stops the suite.
set -euo pipefail
DIR="${CYBEREVIDENCE_NODE_DIR:-$HOME/.cache/cyberevidence-node}"
VERSION="4.0.2"
PKG="$DIR/node_modules/whatsapp-chat-parser/package.json"
if [ -f "$PKG" ] && grep -q "\"version\": \"$VERSION\"" "$PKG"; then
  exit 0
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null || true
  fi
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "note: node/npm are not available; the whatsapp-chat-parser differential tests will be skipped" >&2
  exit 0
fi
mkdir -p "$DIR"
npm install --prefix "$DIR" --no-audit --no-fund --silent "whatsapp-chat-parser@$VERSION"
