#!/usr/bin/env bash
# Optional: install Debian's LibreOffice Calc (headless, no GUI) so the CSV import test
# (tests/hardening/test_csv_output.py::test_libreoffice_imports_no_formula) runs. Never fails the caller.
# libreoffice-calc-nogui without recommends is the smaller choice: about 90 MB to download, 276 MB
# installed on Debian 12 (libreoffice-calc with recommends: 714 MB).
if command -v soffice >/dev/null 2>&1; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  ($SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    libreoffice-calc-nogui >/dev/null) \
    || echo "note: libreoffice-calc-nogui could not be installed; the LibreOffice CSV import test will be skipped" >&2
fi
exit 0
