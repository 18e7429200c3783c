"""Invisible and control characters are shown, never applied (issue 14, item 4).

The attack: a WhatsApp export whose sender is ``Mark\\u202eexe.gnp`` (displays "Markpng.exe"),
whose texts hold a zero-width space, a bidi isolate, ``ESC[2J`` (clear the screen) and
``ESC]0;title BEL`` (set the window title), with an attachment named with U+202E and ``ESC[2J``,
in a zip whose own file name holds the same plus Rich markup and an emoji code. Checked: the
HTML report (every text node, attribute and script block), the evidence pack's HTML and text
files, conduct text, and the terminal output of ``init``, ``add``, ``pack`` and ``report``; the
finding ``FindingCode.BIDI_OVERRIDE_IN_NAME`` / ``..._IN_FILE_NAME``; and that the stored
events keep every original character.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from bs4.element import NavigableString, Tag
from rich.console import Console

import cyberevidence as ce
from cyberevidence.display import _HIDDEN_RE, SHOWN_CATEGORIES, escaped, visible
from cyberevidence.limitations import FindingCode, name_findings
from cyberevidence_cli.console import SafeConsole, markup_safe, shown
from cyberevidence_cli.progress import RichProgress

RLO = "\u202e"
SENDER = f"Mark{RLO}exe.gnp"
SENDER_SHOWN = "Mark⟨U+202E⟩exe.gnp"
ATTACHMENT = f"IMG{RLO}gpj.exe\x1b[2J.jpg"
ATTACHMENT_SHOWN = "IMG⟨U+202E⟩gpj.exe⟨U+001B⟩[2J.jpg"
FAMILY = "👨\u200d👩\u200d👧"  # a ZWJ emoji sequence: kept as it is
TEXTS = (
    "hello\u200bthere \u2066isolated\u2069 end",
    "clear \x1b[2J and \x1b]0;title\x07 done",
    f"family {FAMILY}",
)
#: The zip's own file name: bidi override, ESC sequences, BEL, Rich markup and an emoji code.
ZIP_NAME = f"WhatsApp Chat - Mark{RLO}\x1b[2J\x1b]0;pwned\x07 [bold red]x :warning:.zip"
#: Never raw in anything shown (LF and TAB may be, in multi-line text).
FORBIDDEN = frozenset(
    "\x1b\x07\x00\r\x9b\u200b\u200c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2060\ufeff\u061c"
)


def _chat() -> str:
    lines = [
        f"15/10/2025, 22:10 - {SENDER}: {TEXTS[0]}",
        f"15/10/2025, 22:11 - {SENDER}: {TEXTS[1]}",
        f"15/10/2025, 22:12 - {SENDER}: {ATTACHMENT} (file attached)",
        f"15/10/2025, 22:13 - Anna Jones: {TEXTS[2]}",
    ]
    return "\n".join(lines) + "\n"


def make_export(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ZIP_NAME
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("WhatsApp Chat with Mark.txt", _chat())
        zf.writestr(ATTACHMENT, b"\xff\xd8\xff\xe0 not really a photo")
    return path


def raw_controls(text: str) -> list[str]:
    """Characters that must not appear raw: FORBIDDEN, any other Cc but LF/TAB, any Cf but a ZWJ inside FAMILY."""
    allowed_zwj = text.count(FAMILY) * 2
    bad = [c for c in text if c in FORBIDDEN or (unicodedata.category(c) == "Cc" and c not in "\n\t")]
    zwj = text.count("\u200d")
    other_cf = [c for c in text if unicodedata.category(c) == "Cf" and c != "\u200d"]
    return bad + other_cf + (["\u200d"] * (zwj - allowed_zwj) if zwj > allowed_zwj else [])


@pytest.fixture(scope="module")
def hostile_case(tmp_path_factory: pytest.TempPathFactory) -> ce.Case:
    root = tmp_path_factory.mktemp("invisible")
    export = make_export(root / "in")
    case = ce.Case.create(root / "case", examiner="Test Examiner", timezone="Europe/London")
    report = case.add(export, timezone="Europe/London", date_order="dmy")
    assert not report.errors
    return case


@pytest.fixture(scope="module")
def report_soup(hostile_case: ce.Case) -> tuple[str, BeautifulSoup]:
    html = ce.build_report(hostile_case, generated_at="2026-01-01T00:00:00Z")
    return html, BeautifulSoup(html, "lxml")


# ------------------------------------------------------------------------------- the rule


def test_visible_rule() -> None:
    assert visible(SENDER) == SENDER_SHOWN
    assert visible("a\u200bb\u2066c\u2069") == "a⟨U+200B⟩b⟨U+2066⟩c⟨U+2069⟩"
    assert visible("\x1b[2J\x1b]0;t\x07") == "⟨U+001B⟩[2J⟨U+001B⟩]0;t⟨U+0007⟩"
    assert visible("\u200eok\u200f\u061c\u2060\ufeff\u00ad") == "⟨U+200E⟩ok⟨U+200F⟩⟨U+061C⟩⟨U+2060⟩⟨U+FEFF⟩⟨U+00AD⟩"
    assert visible("\x85\x9b31m") == "⟨U+0085⟩⟨U+009B⟩31m"  # C1 controls (NEL, CSI)
    # kept: ZWJ between emoji (with skin tone and VS16), ZWNJ/ZWJ in scripts that need them, flag tags
    for kept in (FAMILY, "👨🏿\u200d🦰", "🏳\ufe0f\u200d🌈", "می\u200cخواهم", "ශ්\u200dරී",
                 "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"):
        assert visible(kept) == kept, kept
    # shown: the same joiners elsewhere
    assert visible("Mark\u200dKell") == "Mark⟨U+200D⟩Kell"
    assert visible("Mark\u200cKell") == "Mark⟨U+200C⟩Kell"
    assert visible("\u200d👨") == "⟨U+200D⟩👨"
    assert visible("\U000e0067x") == "⟨U+E0067⟩x"
    # line breaks: kept only in multi-line text
    assert visible("a\nb\tc") == "a⟨U+000A⟩b⟨U+0009⟩c"
    assert visible("a\r\nb\tc\rd", multiline=True) == "a\nb\tc⟨U+000D⟩d"
    assert visible("a\u2028b", multiline=True) == "a⟨U+2028⟩b"
    assert visible(None) == "" and visible(12) == "12"


def test_candidate_class_covers_every_shown_category() -> None:
    missing = [f"U+{cp:04X}" for cp in range(0x110000)
               if unicodedata.category(chr(cp)) in SHOWN_CATEGORIES and not _HIDDEN_RE.match(chr(cp))]
    assert missing == []


def test_escaped_code_points() -> None:
    assert escaped(SENDER) == "Mark\\u202eexe.gnp"
    assert escaped("a\\b\x1b\U0001f600") == "a\\\\b\\x1b\\U0001f600"


# ------------------------------------------------------------------------------- stored evidence


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_stored_events_keep_the_original_characters(hostile_case: ce.Case) -> None:
    events = list(hostile_case.timeline())
    texts = [ev.text for ev in events]
    for text in TEXTS:
        assert text in texts
    attached = [a.name for ev in events for a in ev.attachments]
    assert ATTACHMENT in attached
    raw_senders = {ev.extra.get("sender_raw") for ev in events}
    assert SENDER in raw_senders
    rows = hostile_case.index.db.execute("SELECT record FROM events").fetchall()
    records = "\n".join(_strings([json.loads(r[0]) for r in rows]))  # the index, decoded
    assert RLO in records and "\x1b[2J" in records and "\u200b" in records and "\x07" in records
    assert ZIP_NAME in {p["original_name"] for p in hostile_case.index.provenance()}
    assert hostile_case.verify().ok


def test_name_findings_are_typed(hostile_case: ce.Case) -> None:
    findings = name_findings(hostile_case)
    by_value = {(f.code, f.value) for f in findings}
    assert (FindingCode.BIDI_OVERRIDE_IN_NAME, SENDER) in by_value
    assert (FindingCode.BIDI_OVERRIDE_IN_FILE_NAME, ATTACHMENT) in by_value
    assert (FindingCode.BIDI_OVERRIDE_IN_FILE_NAME, ZIP_NAME) in by_value
    sender = next(f for f in findings if f.value == SENDER)
    assert sender.code is FindingCode.BIDI_OVERRIDE_IN_NAME
    assert sender.events == 3 and sender.event_id
    assert SENDER_SHOWN in sender.text and "Mark\\u202eexe.gnp" in sender.text and "Markpng.exe" in sender.text
    assert "right-to-left override" in sender.text
    for f in findings:
        assert raw_controls(f.text) == []
        assert json.loads(json.dumps(f.to_dict()))["code"] == f.code.value
    # Anna's emoji ZWJ and the isolate in a text are not findings
    assert all("Anna" not in f.value for f in findings)


# ------------------------------------------------------------------------------- the report


def _nodes(soup: BeautifulSoup) -> list[str]:
    out = [str(s) for s in soup.find_all(string=True) if isinstance(s, NavigableString)]
    for tag in soup.find_all(True):
        assert isinstance(tag, Tag)
        for value in tag.attrs.values():
            out.extend(value if isinstance(value, list) else [str(value)])
    return out


def test_report_shows_controls_instead_of_applying_them(report_soup: tuple[str, BeautifulSoup]) -> None:
    html, soup = report_soup
    assert raw_controls(html) == []  # the page's source as a whole, scripts included
    for node in _nodes(soup):
        assert raw_controls(node) == [], repr(node)
    text = soup.get_text()
    for expected in (SENDER_SHOWN, ATTACHMENT_SHOWN, "hello⟨U+200B⟩there ⟨U+2066⟩isolated⟨U+2069⟩ end",
                     "clear ⟨U+001B⟩[2J and ⟨U+001B⟩]0;title⟨U+0007⟩ done", f"family {FAMILY}"):
        assert expected in text, expected
    data = json.loads(soup.find("script", id="timeline-data").get_text())  # type: ignore[union-attr]
    assert data["rows"]  # the filter data is intact once parsed


def test_report_lists_the_finding(report_soup: tuple[str, BeautifulSoup]) -> None:
    _, soup = report_soup
    section = soup.find("section", id="names")
    assert isinstance(section, Tag)
    names = [li.get_text() for li in section.find_all("li", attrs={"data-finding": FindingCode.BIDI_OVERRIDE_IN_NAME.value})]
    assert any(SENDER_SHOWN in t and "Mark\\u202eexe.gnp" in t and "right-to-left override" in t for t in names)
    files = [li.get_text() for li in section.find_all("li", attrs={"data-finding": FindingCode.BIDI_OVERRIDE_IN_FILE_NAME.value})]
    assert any(ATTACHMENT_SHOWN in t and "IMG\\u202egpj.exe\\x1b[2J.jpg" in t for t in files)
    banner = soup.find("a", href="#names")
    assert banner is not None and "For you to confirm" in banner.parent.get_text()  # type: ignore[union-attr]


# ------------------------------------------------------------------------------- the pack and conduct text


def test_pack_html_and_text_files_show_controls(hostile_case: ce.Case, tmp_path: Path) -> None:
    result = ce.make_pack(hostile_case, tmp_path / "pack", "TE", record=False)
    for name in result.files:
        if name.endswith((".html", ".md")):
            text = (tmp_path / "pack" / name).read_text(encoding="utf-8")
            assert raw_controls(text) == [], name
    exhibits = BeautifulSoup((tmp_path / "pack" / "exhibits.html").read_text(encoding="utf-8"), "lxml")
    for node in _nodes(exhibits):
        assert raw_controls(node) == [], repr(node)
    assert visible(ZIP_NAME) in exhibits.get_text()
    scope = (tmp_path / "pack" / "scope.md").read_text(encoding="utf-8")
    assert "## Names and file names to confirm" in scope
    assert f"[{FindingCode.BIDI_OVERRIDE_IN_NAME.value}]" in scope and SENDER_SHOWN in scope


def test_conduct_and_indicator_text_show_controls(hostile_case: ce.Case) -> None:
    from cyberevidence_cli.conduct_text import write_conduct_text

    out = io.StringIO()
    write_conduct_text(hostile_case.conduct(), out)
    assert raw_controls(out.getvalue()) == []
    out = io.StringIO()
    ce.indicator_report(hostile_case).write_text(out)
    assert raw_controls(out.getvalue()) == []


# ------------------------------------------------------------------------------- the terminal


def test_console_prints_no_markup_emoji_or_controls() -> None:
    buf = io.StringIO()
    console = SafeConsole(file=buf, width=200)
    console.print(f"read {ZIP_NAME} [/] [bold]x[/bold]\nnext line")
    out = buf.getvalue()
    assert raw_controls(out) == []
    assert "[bold red]x :warning:.zip [/] [bold]x[/bold]" in out and "⚠" not in out
    assert "next line" in out.splitlines()[-1]
    assert shown("a\nb") == "a⟨U+000A⟩b"  # a name cannot fake a line of output
    assert markup_safe("[bold]x[/]") == "\\[bold]x\\[/]"


def test_progress_labels_escape_markup_and_controls() -> None:
    from cyberevidence.store.ingest import Progress

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=False, width=200)
    with RichProgress(console) as progress:
        progress(Progress("hash", "[/]\x1b[2J" + SENDER, 1, 10))  # "[/]" would be a markup error if read as markup
        progress(Progress("parse", "[bold]x[/bold]", 5, 0))
    assert "\x1b[2J" not in buf.getvalue()


def _cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE", "CLICOLOR_FORCE")}
    env.update({"COLUMNS": "200", "NO_COLOR": "1"})
    return subprocess.run(
        [sys.executable, "-m", "cyberevidence_cli.main", *map(str, args)],
        capture_output=True, text=True, encoding="utf-8", cwd=cwd, env=env, timeout=180, check=False,
    )


def test_cli_add_pack_report_print_no_controls(tmp_path: Path) -> None:
    export = make_export(tmp_path / "in")
    case = tmp_path / "case"
    runs = [
        _cli("init", case, "--examiner", "Test Examiner", cwd=tmp_path),
        _cli("add", case, export, "--date-order", "dmy", cwd=tmp_path),
        _cli("pack", case, "-o", tmp_path / "pack", cwd=tmp_path),
        _cli("report", case, "-o", tmp_path / "report.html", cwd=tmp_path),
        _cli("people", case, "--suggestions", cwd=tmp_path),
    ]
    for run in runs:
        assert run.returncode == 0, (run.args, run.stderr)
        for stream in (run.stdout, run.stderr):
            assert "\x1b" not in stream and "\x07" not in stream, (run.args, stream)
            assert raw_controls(stream) == [], (run.args, stream)
    add, pack = runs[1], runs[2]
    assert "Mark⟨U+202E⟩⟨U+001B⟩[2J⟨U+001B⟩]0;pwned⟨U+0007⟩ [bold red]x :warning:.zip" in add.stderr
    assert "[bold red]x :warning:" in pack.stderr and "⚠" not in pack.stderr
    assert ATTACHMENT_SHOWN in pack.stderr or visible(ZIP_NAME) in pack.stderr
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert raw_controls(html) == [] and SENDER_SHOWN in html
