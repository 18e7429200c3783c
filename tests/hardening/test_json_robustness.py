"""Issue 14 item 6: unusual but valid JSON values and duplicate keys, in every JSON parser.

The attack files are built here: a Telegram export with a huge integer in message 2 of 5 and a
lone surrogate escape in message 3 (both used to stop the streaming reader, dropping everything
after them), and for each JSON format a file whose first message repeats a key
(``"from": "Mark Kell", "from": "Innocent Person"``), which every reader used to resolve silently.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers.kit.jsonread import JsonGuard, loads
from cyberevidence.standalone import parse

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
INNOCENT = "Innocent Person"


def run(path: Path, fmt: str | None = None) -> tuple[list[Event], list[ParseWarning]]:
    warnings: list[ParseWarning] = []
    events = list(parse(path, format=fmt, timezone="UTC", warnings=warnings))
    return events, warnings


def of(warnings: list[ParseWarning], code: str) -> list[ParseWarning]:
    return [w for w in warnings if w.code == code]


def _tg_message(i: int, text: str, extra: str = "") -> str:
    return (
        f'{{"id": {i}, "type": "message", "date": "2021-01-0{i}T10:00:00", "date_unixtime": "{1609495200 + i * 86400}", '
        f'"from": "Mark Kell", "from_id": "user42", {extra}"text": {text}}}'
    )


def _telegram(tmp_path: Path, messages: list[str], minified: bool = False) -> Path:
    sep = "," if minified else ",\n  "
    head = '{"name": "Mark Kell", "type": "personal_chat", "id": 42, "messages": ['
    body = head + ("" if minified else "\n  ") + sep.join(messages) + ("]}" if minified else "\n ]\n}\n")
    path = tmp_path / "result.json"
    path.write_text(body, encoding="utf-8")
    return path


# -- Telegram: reading continues after a huge number and a lone surrogate --------------------


@pytest.mark.parametrize("minified", [False, True])
def test_telegram_huge_integer_and_lone_surrogate_are_per_message_warnings(tmp_path: Path, minified: bool) -> None:
    huge = "1" + "0" * 40
    messages = [
        _tg_message(1, '"one"'),
        _tg_message(2, '"two"', f'"reply_to_message_id": {huge}, "views": 1e999, '),
        _tg_message(3, '"three \\ud800 and a pair \\ud83d\\ude00"'),
        _tg_message(4, '"four"'),
        _tg_message(5, '"five"'),
    ]
    events, warnings = run(_telegram(tmp_path, messages, minified), "telegram_json")
    assert [e.text for e in events] == ["one", "two", "three \ufffd and a pair \U0001f600", "four", "five"]
    assert [e.source.locator for e in events] == [f"$.messages[{i}]" for i in range(5)]
    assert not of(warnings, "damaged_json")
    huge_w = of(warnings, "huge_number")
    assert [w.locator for w in huge_w] == ["$.messages[1]", "$.messages[1]"]
    assert huge in huge_w[0].message and "1e999" in huge_w[1].message
    sur = of(warnings, "lone_surrogate")
    assert [w.locator for w in sur] == ["$.messages[2]"] and "\\ud800" in sur[0].message


def test_telegram_huge_message_id_keeps_the_message(tmp_path: Path) -> None:
    huge = "9" * 5000  # beyond Python's int() digit limit too
    messages = [_tg_message(1, '"one"'), _tg_message(2, '"two"').replace('"id": 2', f'"id": {huge}'), _tg_message(3, '"x"')]
    events, warnings = run(_telegram(tmp_path, messages), "telegram_json")
    assert [e.text for e in events] == ["one", "two", "x"]
    assert [w.locator for w in of(warnings, "huge_number")] == ["$.messages[1]"]


def test_a_forged_marker_is_just_text(tmp_path: Path) -> None:
    """The in-band markers carry a random per-file token: text that looks like one is left alone."""
    forged = '"\\u0000ce00000000:1\\u0000"'
    events, warnings = run(_telegram(tmp_path, [_tg_message(1, forged)]), "telegram_json")
    assert events[0].text == "\x00ce00000000:1\x00"
    assert not of(warnings, "huge_number") and not of(warnings, "lone_surrogate")


def test_guard_leaves_strings_that_look_like_numbers_alone() -> None:
    guard = JsonGuard()
    raw = b'{"a": "12345678901234567890123", "b": "1e999", "c": 5, "d": "\\\\ud800"}\n'
    assert guard.push(raw) + guard.push(b"", final=True) == raw


def test_guard_across_chunk_boundaries() -> None:
    """A huge number, a surrogate escape and a string split at every byte give the same result."""
    raw = b'[{"n": 123456789012345678901234567890, "s": "a\\ud800b\\ud83d\\ude00"}]'
    whole = JsonGuard()
    expected = whole.push(raw, final=True)
    pieces = JsonGuard()
    pieces.token = whole.token
    pieces._marker_re = whole._marker_re
    got = b"".join(pieces.push(raw[i : i + 1]) for i in range(len(raw))) + pieces.push(b"", final=True)
    assert got == expected
    notes: list[tuple[str, str, str]] = []
    doc = json.loads(got)
    assert pieces.resolve(doc, "$", notes) == [{"n": "123456789012345678901234567890", "s": "a\ufffdb\U0001f600"}]
    assert sorted(n[0] for n in notes) == ["huge_number", "lone_surrogate"]


def test_loads_reports_duplicates_with_path_and_values() -> None:
    found: list[tuple[str, str, str]] = []
    doc = loads('{"messages": [{"from": "Mark Kell", "from": "Innocent Person"}]}', warn=lambda *a: found.append(a))
    assert doc == {"messages": [{"from": INNOCENT}]}
    assert found[0][0] == "duplicate_key" and found[0][2] == "$.messages[0].from"
    assert '"Mark Kell"' in found[0][1] and f'"{INNOCENT}"' in found[0][1]


# -- duplicate keys in every JSON parser ---------------------------------------------------


def _inject(text: str, key: str) -> str:
    """Repeat the first ``"key": "value"`` of ``text`` with the value 'Innocent Person' (the first value is kept)."""
    m = re.search(rf'"{re.escape(key)}"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+)', text)
    assert m is not None, key
    return text[: m.end()] + f', "{key}": "{INNOCENT}"' + text[m.end() :]


def _first_value(text: str, key: str) -> str:
    m = re.search(rf'"{re.escape(key)}"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+)', text)
    assert m is not None
    return str(json.loads(m.group(1)))


def _rezip(src: Path, dst: Path, member_suffix: str, key: str) -> str:
    first = ""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.endswith(member_suffix) and not first and f'"{key}"'.encode() in data:
                text = data.decode("utf-8")
                first = _first_value(text, key)
                data = _inject(text, key).encode("utf-8")
            zout.writestr(info, data)
    assert first
    return first


def _assert_duplicate(warnings: list[ParseWarning], key: str, first: str) -> None:
    dups = of(warnings, "duplicate_key")
    assert dups, [w.code for w in warnings]
    w = dups[0]
    assert f'"{key}"' in w.message and json.dumps(first, ensure_ascii=False) in w.message and f'"{INNOCENT}"' in w.message
    assert w.locator


SINGLE_FILES = [
    ("telegram_json", None, "from"),
    ("facebook", "facebook/correct_utf8_message_1.json", "sender_name"),
    ("instagram", "instagram/message_1.json", "sender_name"),
    ("google_takeout", "google_takeout/messages.json", "text"),
    ("snapchat", "snapchat/old_layout/chat_history.json", "From"),
    ("tiktok", "tiktok/user_data_tiktok.json", "UserName"),
    ("signal_export", "signal/data.json", "sender"),
    ("discord_chat_exporter", None, "name"),
]


def _dce(tmp_path: Path) -> Path:
    doc = {
        "guild": {"id": "1", "name": "Direct Messages"},
        "channel": {"id": "530805775262679064", "type": "DirectTextChat", "name": "Mark Kell"},
        "dateRange": {"after": None, "before": None},
        "messages": [
            {"id": "1", "type": "Default", "timestamp": "2024-03-01T21:20:00+00:00", "content": "hi",
             "author": {"id": "2", "name": "Mark Kell"}},
            {"id": "2", "type": "Default", "timestamp": "2024-03-01T21:21:00+00:00", "content": "there",
             "author": {"id": "2", "name": "Mark Kell"}},
        ],
        "messageCount": 2,
    }  # fmt: skip
    path = tmp_path / "dce.json"
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path


@pytest.mark.parametrize(("fmt", "fixture", "key"), SINGLE_FILES, ids=[f[0] for f in SINGLE_FILES])
def test_duplicate_key_is_a_located_warning(tmp_path: Path, fmt: str, fixture: str | None, key: str) -> None:
    if fmt == "telegram_json":
        src = _telegram(tmp_path, [_tg_message(1, '"one"'), _tg_message(2, '"two"')])
    elif fmt == "discord_chat_exporter":
        src = _dce(tmp_path)
    else:
        assert fixture is not None
        src = FIXTURES / fixture
    text = src.read_text(encoding="utf-8")
    first = _first_value(text, key)
    path = tmp_path / ("dup_" + src.name)
    path.write_text(_inject(text, key), encoding="utf-8")
    events, warnings = run(path, fmt)
    _assert_duplicate(warnings, key, first)
    assert events  # nothing else is lost


ZIPS = [
    ("discord", "discord/discord-package-new.zip", "messages.json", "Contents"),
    ("twitter", "twitter/x-archive-sarah.zip", "data/direct-messages.js", "text"),
    ("facebook", "facebook/facebook-sarahjones-new-layout.zip", "message_2.json", "sender_name"),
]


@pytest.mark.parametrize(("fmt", "fixture", "member", "key"), ZIPS, ids=[z[0] for z in ZIPS])
def test_duplicate_key_in_an_export_zip(tmp_path: Path, fmt: str, fixture: str, member: str, key: str) -> None:
    path = tmp_path / Path(fixture).name
    first = _rezip(FIXTURES / fixture, path, member, key)
    events, warnings = run(path, fmt)
    _assert_duplicate(warnings, key, first)
    assert events


def test_twitter_account_js_duplicate(tmp_path: Path) -> None:
    """The small whole-file reader (account.js) reports duplicates too."""
    path = tmp_path / "x.zip"
    _rezip(FIXTURES / "twitter/x-archive-sarah.zip", path, "data/account.js", "accountId")
    _, warnings = run(path, "twitter")
    assert of(warnings, "duplicate_key")


def test_helpers_keep_their_api() -> None:
    from cyberevidence.parsers._meta_common import load_meta_json
    from cyberevidence.parsers.kit.inputs import read_json
    from cyberevidence.parsers.kit.jsonread import load_json

    assert load_json.__annotations__["return"] == read_json.__annotations__["return"] == load_meta_json.__annotations__["return"]
