#!/usr/bin/env bash
# Optional: install Debian's tesseract-ocr so the screenshot OCR test runs. Never fails the caller.
if command -v tesseract >/dev/null 2>&1; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  ($SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq tesseract-ocr >/dev/null) \
    || echo "note: tesseract-ocr could not be installed; the OCR test will be skipped" >&2
fi
exit 0
