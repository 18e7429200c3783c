"""The formula guard leaves plain phone numbers alone and nothing else that a spreadsheet could run.

The oracle is written here, independently of ``csv_out``: a cell is safe unguarded only when no
spreadsheet can read it as a formula. A plain phone number (``+``, an ASCII digit, then ASCII
digits, spaces and hyphens) names no function, cell reference or command; LibreOffice, asked to
evaluate formulas, imports every such cell without a formula (checked below when it is installed).
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cyberevidence.exporters.csv_out import csv_bytes, guard, needs_guard, unguard

PHONES = ["+15550000001", "+44 7700 900123", "+1-555-0100", "+4", "+1 555 0100 ", "+33 6-12-34-56-78"]
GUARDED = [
    "+", "+ 1", "+-1", "+1+1", "+1*2", "+1e5", "+1E5", "+1.5", "+1/2", "+1^2", "+1&A1", "+1;2", "+1,2", "+44 (0)",
    "+1\n=cmd|' /C calc'!A0", "+1\r@SUM(1)", "+1\t2", "+1\u00a0555", "+1\u2009555", "+1\u200b", "+1\u2212" "2",
    "+１２３", "+١٢٣", "＋15550000001", "﹢15550000001", " +15550000001", "\t+15550000001", "\r+15550000001",
    "\u200b+15550000001", "+15550000001=", "+15550000001!A1", "+cmd|' /C calc'!A0", "+A1", "+SUM(1)",
    "-15550000001", "=15550000001", "@15550000001", "-1-555-0100", "+1555 0100\n", "+1555\u2010" "0100",
]
_DIGIT = set("0123456789")


def _plain_phone(text: str) -> bool:
    """Independent reading of the rule: '+', an ASCII digit, then only ASCII digits, spaces and hyphens."""
    return len(text) >= 2 and text[0] == "+" and text[1] in _DIGIT and all(c in _DIGIT or c in " -" for c in text[2:])


def _formula_start(text: str) -> bool:
    """Could a spreadsheet treat this cell as a formula (after skipping blanks and invisible characters)?"""
    if text[:1] in ("\t", "\r"):
        return True
    rest = text.lstrip(" \t\r\n\u00a0\u3000\u2000\u2001\u2002\u2003\u2009\u200b\u200c\u200d\u2028\u2029\ufeff")
    return bool(rest) and unicodedata.normalize("NFKC", rest[0])[:1] in "=+-@"


@pytest.mark.parametrize("phone", PHONES)
def test_plain_phone_numbers_are_left_alone(phone: str) -> None:
    assert not needs_guard(phone) and guard(phone) == phone
    assert csv_bytes(["sender"], [[phone]]).decode() == f'"sender"\r\n"{phone}"\r\n'


@pytest.mark.parametrize("text", GUARDED)
def test_everything_else_dangerous_stays_guarded(text: str) -> None:
    assert needs_guard(text), repr(text)
    assert guard(text) == "'" + text and unguard(guard(text)) == text


def test_an_apostrophe_before_a_phone_number_is_kept_as_it_was() -> None:
    """'+1555... is not guarded (its rest is a plain number), so reading back gives it unchanged."""
    for text in ("'+15550000001", "''+15550000001"):
        assert guard(text) == text and unguard(text) == text


_ALPHABET = "+-=@ 0123456789\t\r\n()eE.,;*/^&!A'＋１\u00a0\u200b\u2212"


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=12))
def test_no_unguarded_cell_can_start_a_formula_unless_it_is_a_plain_phone(text: str) -> None:
    cell = guard(text)
    assert unguard(cell) == text
    if cell == text and _formula_start(text):
        assert _plain_phone(text), repr(text)
    if _plain_phone(text):
        assert cell == text


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed; see scripts/_office_deps.sh")
def test_libreoffice_evaluating_formulas_makes_no_formula_of_a_phone_number(tmp_path: Path) -> None:
    source = tmp_path / "phones.csv"
    source.write_bytes(csv_bytes(["text"], [[p] for p in [*PHONES, "+1-2", "+1--2", "+12 3-4"]]))
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--norestore",
         "--infilter=CSV:44,34,76,1,,0,false,true,false,false,false,-1,true", "--convert-to", "fods",
         "--outdir", str(tmp_path / "out"), str(source)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    sheet = (tmp_path / "out" / "phones.fods").read_text(encoding="utf-8")
    assert "table:formula=" not in sheet
    assert "+1-555-0100" in sheet and "+44 7700 900123" in sheet
