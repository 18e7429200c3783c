"""Seed inputs for fuzzing, per parser: the project's fixtures, generated databases and images,
and, when ``../shared/corpus`` is present, small corpus files (read in place, never copied into
the repository).

``seed_files(name, workdir)`` returns existing paths; generated seeds are written under
``workdir`` (a temporary folder).
"""

from __future__ import annotations

import importlib.util
import io
import sqlite3
from pathlib import Path
from types import ModuleType

from cyberevidence.parsers import builtin_parsers

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
CORPUS = REPO.parent / "shared" / "corpus"

#: Seeds larger than this are left out: mutation is about structure, and big seeds slow every example.
MAX_SEED_BYTES = 300_000

#: Globs under fixtures/ and under ../shared/corpus for each parser: what each source declares
#: (``ParserInfo.fixtures`` / ``corpus_seeds``); a fixture generator (``make_fixtures.py``) is not a seed.
FIXTURE_GLOBS: dict[str, tuple[str, ...]] = {
    p.name: tuple(g for g in p.fixtures if not g.endswith(".py")) for p in builtin_parsers()
}
CORPUS_GLOBS: dict[str, tuple[str, ...]] = {p.name: p.corpus_seeds for p in builtin_parsers()}


def _fixture_module(family: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"{family}_fixtures_for_fuzz", FIXTURES / family / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _jpeg_with_exif() -> bytes:
    from PIL import Image

    img = Image.new("RGB", (8, 8), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0132] = "2025:10:05 22:10:00"  # DateTime
    exif[0x010F] = "FuzzCam"  # Make
    exif.get_ifd(0x8769)[0x9003] = "2025:10:05 22:10:00"  # DateTimeOriginal
    exif.get_ifd(0x8769)[0x9011] = "+01:00"  # OffsetTimeOriginal
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _generated(name: str, workdir: Path) -> list[Path]:
    """Seeds built on the fly for parsers without small fixture files."""
    out: list[Path] = []
    if name == "case_record":
        from zoneinfo import ZoneInfo

        from cyberevidence.records import make_diary_entry, make_marker, record_bytes

        london = ZoneInfo("Europe/London")
        d = workdir / "diary.json"
        d.write_bytes(record_bytes(make_diary_entry("2025-10-26 01:30", "Phone buzzed all night", london, place="Home")))
        m = workdir / "marker.json"
        m.write_bytes(record_bytes(make_marker("blocked", "2025-03-12T20:00:00+00:00", london, person="Mark Kell")))
        out += [d, m]
    elif name == "imessage":
        fx = _fixture_module("imessage")
        out.append(fx.build_chat_db(workdir / "chat.db"))
    elif name == "signal_desktop":
        fx = _fixture_module("signal")
        out.append(fx.build_signal_db(workdir / "db.sqlite"))
        sql = workdir / "signal.sql"
        sql.write_text(fx.signal_sql(generated=True), encoding="utf-8")
        out.append(sql)
    elif name in ("whatsapp_ios_db", "whatsapp_android_db"):
        src = FIXTURES / "whatsapp_db" / ("ios/ChatStorage.sqlite" if name == "whatsapp_ios_db" else "android_new/msgstore.db")
        conn = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
        try:
            dump = workdir / f"{name}.sql"
            dump.write_text("\n".join(conn.iterdump()), encoding="utf-8")
        finally:
            conn.close()
        out.append(dump)
    elif name == "photo":
        p = workdir / "exif.jpg"
        p.write_bytes(_jpeg_with_exif())
        out.append(p)
    elif name == "discord_chat_exporter":
        p = workdir / "dce.json"
        p.write_text(
            '{"guild":{"id":"1","name":"Direct Messages"},"channel":{"id":"2","type":"DirectTextChat","name":"mark"},'
            '"messages":[{"id":"3","type":"Default","timestamp":"2025-10-05T22:10:00+01:00","content":"hi",'
            '"author":{"id":"4","name":"mark","nickname":"Mark"},"attachments":[],"embeds":[],"reactions":[],'
            '"mentions":[]}],"messageCount":1}',
            encoding="utf-8",
        )
        out.append(p)
    return out


def seed_files(name: str, workdir: Path, *, corpus: bool = True) -> list[Path]:
    """Existing seed files for parser ``name`` (fixtures, generated under ``workdir``, corpus)."""
    workdir.mkdir(parents=True, exist_ok=True)
    found: list[Path] = []
    for pattern in FIXTURE_GLOBS.get(name, ()):
        found += sorted(FIXTURES.glob(pattern))
    found += _generated(name, workdir)
    if corpus and CORPUS.is_dir():
        for pattern in CORPUS_GLOBS.get(name, ()):
            found += sorted(CORPUS.glob(pattern))
    return [p for p in dict.fromkeys(found) if p.is_file() and p.stat().st_size <= MAX_SEED_BYTES]
