"""Library messages never name a command-line flag; the command line adds its flag and the real case path."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from tests.cli._run import REPO, cli, lines

import cyberevidence as ce
from cyberevidence import errors
from cyberevidence.errors import Setting

FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]+")
AMBIGUOUS = "01/02/2025, 10:00 - Mark: hi\n02/03/2025, 11:00 - Mark: there\n"


def test_no_error_class_hint_names_a_flag() -> None:
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, ce.CyberEvidenceError)]
    assert len(classes) > 10
    for c in classes:
        assert not FLAG.search(c.hint), f"{c.__name__}.hint names a flag: {c.hint!r}"


def test_no_hint_in_the_library_source_names_a_flag() -> None:
    """Every ``hint=`` written in the library (not the CLI) is free of flags."""
    offenders = []
    for path in (REPO / "src" / "cyberevidence").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"hint\s*=\s*(f?\"(?:[^\"\\]|\\.)*\"(?:\s*f?\"(?:[^\"\\]|\\.)*\")*)", text):
            if FLAG.search(m.group(1)):
                offenders.append(f"{path.relative_to(REPO)}: {m.group(1)[:80]}")
    assert offenders == []


def test_the_api_gets_a_typed_setting_not_a_flag(tmp_path: Path) -> None:
    chat = tmp_path / "WhatsApp Chat with Amb.txt"
    chat.write_text(AMBIGUOUS, encoding="utf-8")
    case = ce.Case.create(tmp_path / "case", examiner="J. Smith")
    report = case.add(chat)
    (outcome,) = report.files
    assert outcome.setting is Setting.DATE_ORDER and outcome.setting.value == "date_order"
    assert outcome.error.endswith(
        "Say which comes first in this file's dates: the day (dmy, as in the UK) or the month (mdy, as in the US)."
    )
    assert "--" not in outcome.error
    assert ce.DateOrderAmbiguousError.setting is Setting.DATE_ORDER
    again = case.add(chat, date_order="dmy")  # the setting's value is the argument's name
    assert again.events == 2


def test_the_cli_translates_the_setting_into_its_flag(tmp_path: Path) -> None:
    chat = tmp_path / "WhatsApp Chat with Amb.txt"
    chat.write_text(AMBIGUOUS, encoding="utf-8")
    case = tmp_path / "case-007"
    assert cli("init", case, "--examiner", "J. Smith").returncode == 0
    done = cli("add", case, chat)
    assert done.returncode == 1
    assert ("On the command line: add --date-order dmy (day first, as in the UK) or --date-order mdy "
            "(month first, as in the US).") in [ln.strip() for ln in lines(done.stderr)]


def test_not_a_case_names_the_real_folder(tmp_path: Path) -> None:
    folder = tmp_path / "case-0O1"
    done = cli("report", folder)
    assert done.returncode == 2
    assert lines(done.stderr) == [
        f"Error: {folder}: not a cyberevidence case (no case.json)",
        f"What to do: Check the folder name; to start a new case there: cyberevidence init {folder} --examiner \"Your Name\" "
        f"(or cyberevidence collect EXPORTS --case {folder} --examiner \"Your Name\").",
    ]
    assert "CASE" not in done.stderr


def test_a_blank_examiner_gets_the_flag_on_the_command_line_and_the_argument_in_the_api(tmp_path: Path) -> None:
    done = cli("init", tmp_path / "c", "--examiner", " ")
    assert done.returncode == 2
    assert lines(done.stderr) == [
        "Error: an examiner name is needed",
        "What to do: Give the examiner's name: the person doing this work. On the command line: add --examiner \"Your Name\".",
    ]
    try:
        ce.Case.create(tmp_path / "d", examiner="")
    except ce.CyberEvidenceError as exc:
        assert exc.setting is Setting.EXAMINER and "--" not in exc.hint
    else:  # pragma: no cover - the test fails here
        raise AssertionError("an empty examiner was accepted")
