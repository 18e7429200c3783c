"""Issue 19 items 2 and 3: each mistake a caseworker makes gets one clear message and exit code 2.

Messages name the real case folder (never 'CASE'), the offending key or value, and a did-you-mean.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.cli._run import DEMO, cli, copy_case, demo_case, lines

import cyberevidence as ce
from cyberevidence.dateargs import DateArgumentError
from cyberevidence.people import UnknownPersonError

PEOPLE_HINT = "What to do: Check the people file against docs/people.md; each [[person]] needs a name and a role."
DATE_HINT = (
    "What to do: Write the date as 2025-03-14, 2025-03-14 19:05 (the case's timezone) or 2025-03-14T19:05:00+00:00."
)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("base") / "case"
    demo_case(root)
    return root


@pytest.fixture
def case(base: Path, tmp_path: Path) -> Path:
    return copy_case(base, tmp_path / "case")


def _people(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "people.toml"
    path.write_text(text, encoding="utf-8")
    return path


# -- the people file ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[[person]]\nname = "Mark Kell"\nrole = "subject"\nphone = ["+44 7700 900123"]\n',
         "Mark Kell: unknown key 'phone' (did you mean 'phones'?); a person has name, role, phones, emails, handles, "
         "stop_dates, evidence"),
        ('[[person]]\nname = "Mark Kell"\nrole = "subject"\nhandels = ["whatsapp:Mark"]\n',
         "Mark Kell: unknown key 'handels' (did you mean 'handles'?); a person has name, role, phones, emails, handles, "
         "stop_dates, evidence"),
        ('[[persons]]\nname = "Mark Kell"\nrole = "subject"\n',
         "unknown table [[persons]] (did you mean [[person]]?); a people file has only [[person]] tables"),
    ],
    ids=["phone", "handels", "persons"],
)
def test_unknown_keys_and_tables_are_refused_by_name(case: Path, tmp_path: Path, toml: str, message: str) -> None:
    before = ce.Case.open(case).people()
    path = _people(tmp_path, toml)
    done = cli("people", case, path)
    assert done.returncode == 2
    assert lines(done.stderr) == [f"Error: {path}: {message}", PEOPLE_HINT]
    assert ce.Case.open(case).people().persons == before.persons  # the good file stays in force


def test_a_misspelled_platform_is_refused_with_the_known_ones(case: Path, tmp_path: Path) -> None:
    path = _people(tmp_path, '[[person]]\nname = "Bob"\nrole = "subject"\nhandles = ["whatsap:Bob"]\n')
    done = cli("people", case, path)
    assert done.returncode == 2
    out = lines(done.stderr)
    assert out[0] == f"Error: {path}: Bob: handle 'whatsap:Bob': 'whatsap' is not a known platform (did you mean 'whatsapp'?)"
    platforms = sorted({info.platform for info in ce.default_registry().all()})
    assert out[1] == f"What to do: Known platforms: {', '.join(platforms)}."


def test_an_empty_people_file_never_replaces_a_good_one_without_force(case: Path, tmp_path: Path) -> None:
    path = _people(tmp_path, "# nobody yet\n")
    done = cli("people", case, path)
    assert done.returncode == 2
    assert lines(done.stderr) == [
        f"Error: {path}: lists no one, and would replace the people file in force, which lists 2 person(s)",
        "What to do: Check that each person is a [[person]] table (two brackets). "
        "To clear the people file on purpose, add --force.",
    ]
    assert len(ce.Case.open(case).people().persons) == 2
    assert cli("people", case, path, "--force").returncode == 0
    assert ce.Case.open(case).people().persons == []


def test_a_case_made_before_the_strict_rules_still_opens(case: Path) -> None:
    # The stored people file is read leniently: a stored file is evidence and is never refused afterwards.
    from cyberevidence.people import people_from_data

    data = {"person": [{"name": "A", "role": "subject", "phone": ["x"], "handles": ["myspace:a"]}], "persons": []}
    assert people_from_data(data, "GB", strict=False).persons[0].name == "A"


# -- names given on the command line ---------------------------------------------------------------


def test_marker_for_a_person_not_in_the_people_file_is_refused_and_not_saved(case: Path) -> None:
    done = cli("marker", "add", case, "blocked", "--when", "2025-10-01 21:00", "--person", "Mark Kel")
    assert done.returncode == 2
    assert lines(done.stderr) == [
        "Error: 'Mark Kel' is not in the people file (did you mean 'Mark Kell'?)",
        "What to do: Use a name exactly as the people file lists it: 'Sarah Jones', 'Mark Kell'.",
    ]
    assert ce.Case.open(case).markers() == []


def test_diary_for_an_unknown_person_is_refused_before_anything_is_written(case: Path) -> None:
    done = cli("diary", "add", case, "--when", "2025-10-01 21:00", "--what", "x", "--person", "Bobby")
    assert done.returncode == 2
    assert lines(done.stderr)[0] == "Error: 'Bobby' is not in the people file"
    assert ce.Case.open(case).diary() == []


@pytest.mark.parametrize("command", ["timeline", "contacts"])
def test_person_filters_must_name_a_listed_person(case: Path, command: str) -> None:
    done = cli(command, case, "--person", "mark kell")
    assert done.returncode == 2
    assert lines(done.stderr)[0] == "Error: 'mark kell' is not in the people file (did you mean 'Mark Kell'?)"
    assert done.stdout == ""


def test_api_person_filter_is_typed(case: Path) -> None:
    with pytest.raises(UnknownPersonError, match="did you mean 'Mark Kell'"):
        list(ce.Case.open(case).timeline(person="Mark"))


def test_a_wrong_marker_type_gets_the_list_not_the_date_hint(case: Path) -> None:
    done = cli("marker", "add", case, "blockd", "--when", "2025-10-01 21:00")
    assert done.returncode == 2
    assert lines(done.stderr)[-1] == (
        "Error: Invalid value for MARKER_TYPE: 'blockd' is not a marker type (did you mean 'blocked'?); use one of "
        "stop_request, blocked, police_warning, report_made, order_served, court_date, other"
    )
    assert "YYYY-MM-DD" not in done.stderr


# -- collect checks every input before it creates anything ------------------------------------------


@pytest.mark.parametrize(
    ("extra", "first_line"),
    [
        (["--people", "peple.toml"], "Error: peple.toml: cannot read the people file"),
        (["--date-order", "dym"], None),
        (["--timezone", "Europe/Londn"], "Error: unknown timezone 'Europe/Londn'"),
        (["--people", str(DEMO / "people.toml"), "missing-export.zip"], "Error: missing-export.zip: no such file or folder"),
    ],
    ids=["people", "date-order", "timezone", "missing-export"],
)
def test_collect_refuses_bad_inputs_before_creating_the_case(tmp_path: Path, extra: list[str], first_line: str | None) -> None:
    case = tmp_path / "new-case"
    args = ["collect", DEMO / "exports", "--case", case, "--examiner", "J. Smith", *extra]
    if extra[-1] == "missing-export.zip":
        args = ["collect", DEMO / "exports", "missing-export.zip", "--case", case, "--examiner", "J. Smith", *extra[:2]]
    done = cli(*args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    if first_line is None:
        assert "use dmy (day first), mdy (month first) or ymd (year first)" in done.stderr
    else:
        assert lines(done.stderr)[0].startswith(first_line), done.stderr
    assert not case.exists()


# -- dates ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "message", "hint"),
    [
        ("--since", "yesterday", "'yesterday' is not accepted: a date in words depends on the day the command is run",
         "What to do: Give the date itself, e.g. 2025-03-14, so the same command always gives the same result."),
        ("--since", "03/12/2017", "'03/12/2017' is ambiguous: it could be 2017-12-03 (day first) or 2017-03-12 (month first)",
         "What to do: Write the one you mean as YYYY-MM-DD, e.g. 2017-12-03."),
        ("--until", "2025-13-45", "'2025-13-45' is not a real date or time", DATE_HINT),
        ("--since", "1 Oct 2025", "'1 Oct 2025' is not a date like 2025-03-14, 2025-03-14 19:05 (the case's timezone) or "
         "2025-03-14T19:05:00+00:00", DATE_HINT),
    ],
)
def test_bad_dates_are_refused(case: Path, option: str, value: str, message: str, hint: str) -> None:
    done = cli("timeline", case, option, value)
    assert done.returncode == 2
    assert lines(done.stderr) == [f"Error: {option}: {message}", hint]
    assert done.stdout == ""


def test_api_dates_are_typed_and_name_no_option(case: Path) -> None:
    c = ce.Case.open(case)
    with pytest.raises(DateArgumentError) as err:
        list(c.timeline(since="yesterday"))
    assert str(err.value).startswith("since: 'yesterday'") and "--" not in str(err.value) + err.value.hint


def test_since_and_until_compare_instants(case: Path) -> None:
    c = ce.Case.open(case)
    every = [e for e in c.timeline() if e.timestamp is not None]
    mid = every[len(every) // 2].timestamp
    assert mid is not None
    utc = mid.strftime("%Y-%m-%dT%H:%M:%S")
    # The same instant written three ways gives the same events.
    ways = [f"{utc}Z", f"{utc}+00:00", mid.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Tokyo")).isoformat()]
    counts = {len(list(c.timeline(since=w))) for w in ways}
    assert counts == {sum(1 for e in every if e.timestamp >= mid.replace(microsecond=0))}
    before = list(c.timeline(until=ways[1]))
    assert before and all(e.timestamp is not None and e.timestamp < mid.replace(microsecond=0) for e in before)
    # A bare date is the start of that day in the case's timezone (Europe/London, BST in October).
    day = mid.date().isoformat()
    starts = [e for e in c.timeline(since=day)]
    assert all(e.timestamp is not None and e.timestamp.astimezone(__import__("zoneinfo").ZoneInfo("Europe/London")).date()
               >= mid.date() for e in starts)


# -- messages ---------------------------------------------------------------------------------------


def test_warnings_is_a_table_by_file_and_code(case: Path) -> None:
    done = cli("warnings", case)
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert out[0] == (
        f"6 warning(s) in 3 file(s) of {case}. Nothing was dropped silently: each is listed with where it was found "
        "(all of them: --format jsonl)."
    )
    assert "WhatsApp Chat - Mark Kell.zip  (sha256 " in done.stdout
    assert not any(line.startswith("{") for line in out)
    machine = cli("warnings", case, "--format", "jsonl")
    rows = [json.loads(line) for line in machine.stdout.splitlines()]
    assert len(rows) == 6 and {"code", "file", "locator", "message"} <= set(rows[0])


def test_add_names_the_real_case_folder_and_says_the_date_order_once(case: Path, tmp_path: Path) -> None:
    chat = tmp_path / "WhatsApp Chat with Amb.txt"
    chat.write_text("01/02/2025, 10:00 - Mark: hi\n02/03/2025, 11:00 - Mark: there\n", encoding="utf-8")
    done = cli("add", case, chat)
    assert done.returncode == 1
    assert done.stderr.count("--date-order dmy") == 1, done.stderr
    assert "CASE" not in done.stderr
    ok = tmp_path / "WhatsApp Chat with Amy.txt"
    ok.write_text("14/10/2025, 10:00 - Amy: hello\n", encoding="utf-8")
    added = cli("add", case, ok)
    assert f"Run 'cyberevidence warnings {case}' to see them." in added.stderr


def test_help_opens_with_collect_and_shows_no_python_types() -> None:
    top = cli("--help")
    assert top.stdout.splitlines()[2].strip().startswith("Start here: collect.")
    commands = top.stdout.split("Commands:")[1].split()
    assert commands[0] == "collect"
    names = [line.split()[0] for line in top.stdout.split("Commands:")[1].splitlines() if line.strip()]
    for name in [*names, "diary add", "marker add"]:
        text = cli(*name.split(), "--help").stdout
        assert "<" not in text.replace("<=", ""), (name, text)


def test_diary_help_lists_only_real_commands() -> None:
    text = cli("diary", "--help").stdout
    assert "export" not in text.split("Commands:")[0]
    listed = [line.split()[0] for line in text.split("Commands:")[1].splitlines() if line.strip()]
    assert sorted(listed) == ["add", "edit", "history", "import", "list"]


def test_a_wrong_bundle_password_prints_one_message(case: Path, tmp_path: Path) -> None:
    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_text("violet anchor mosquito harp\n")
    bad.write_text("violet anchor mosquito harm\n")
    assert cli("bundle", case, "-o", tmp_path / "b.zip", "--password-file", good).returncode == 0
    done = cli("verify", tmp_path / "b.zip", "--password-file", bad)
    assert done.returncode == 2
    assert len(lines(done.stderr)) == 1 and "password is wrong" in done.stderr
    assert "not a cyberevidence case" not in done.stderr
