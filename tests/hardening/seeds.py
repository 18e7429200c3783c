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

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
CORPUS = REPO.parent / "shared" / "corpus"

#: Seeds larger than this are left out: mutation is about structure, and big seeds slow every example.
MAX_SEED_BYTES = 300_000

#: Globs under fixtures/ for each parser.
FIXTURE_GLOBS: dict[str, tuple[str, ...]] = {
    "case_record": (),
    "imessage": (),
    "outlook_msg": (),
    "outlook_pst": (),
    "photo": ("telegram/*/photos/*.jpg", "whatsapp_db/*/*.jpg"),
    "signal_desktop": (),
    "sms_backup": ("sms_backup/*.xml",),
    "telegram_html": ("telegram/*/messages.html",),
    "telegram_json": ("telegram/*/result.json",),
    "whatsapp_android_db": ("whatsapp_db/android_*/*.db",),
    "whatsapp_ios_db": ("whatsapp_db/ios/*.sqlite",),
    "instagram": ("instagram/*.zip", "instagram/*.json"),
    "signal_export": ("signal/*.md", "signal/*.json"),
    "facebook": ("facebook/*.zip", "facebook/*.json", "facebook/*.html"),
    "discord": ("discord/*.zip", "discord/package-old/messages/*/messages.csv"),
    "discord_chat_exporter": (),
    "twitter": ("twitter/*.zip",),
    "google_takeout": ("google_takeout/*.zip", "google_takeout/*.json"),
    "linkedin": ("linkedin/*.zip", "linkedin/*.csv"),
    "mbox": ("email/*.mbox",),
    "snapchat": ("snapchat/*.zip", "snapchat/*.json", "snapchat/*/chat_history.json"),
    "tiktok": ("tiktok/*.zip", "tiktok/*.json"),
    "email_message": ("email/*.eml",),
    "whatsapp": ("whatsapp/*.txt", "whatsapp/*.zip", "whatsapp/ios_folder/_chat.txt", "demo/exports/*"),
}

#: Globs under ../shared/corpus for each parser (used only when the corpus is present).
CORPUS_GLOBS: dict[str, tuple[str, ...]] = {
    "imessage": ("imessage/*.db",),
    "outlook_msg": ("email/msg/msgreader_s*.msg", "email/msg/msgreader_attach_and_inline.msg", "email/msg/rubymsg_*.msg"),
    "outlook_pst": ("email/pst/*.pst",),
    "photo": ("images/exifsamples_gps_DSCN0010.jpg", "images/exifsamples_no_exif.jpg", "images/*.HEIC"),
    "signal_desktop": ("signal/*.sql",),
    "sms_backup": ("sms_backup_restore/*.xml",),
    "telegram_json": ("telegram/chatanalytics_DM_*.json", "telegram/chm_telegram_2021-0*.json"),
    "whatsapp_android_db": ("whatsapp_db/*msgstore.sql",),
    "instagram": ("instagram/*.zip", "instagram/*message_1.json"),
    "signal_export": ("signal/*.txt",),
    "facebook": ("facebook_messenger/*",),
    "discord": ("discord/langchain_fake_discord_package/messages/*/*",),
    "discord_chat_exporter": ("discord/*.json",),
    "twitter": ("twitter/xf_*.js", "twitter/twitter2sqlite_account.js"),
    "google_takeout": ("google_takeout/*.json",),
    "linkedin": ("linkedin/*.zip",),
    "mbox": ("email/mbox/*",),
    "tiktok": ("tiktok/*.zip",),
    "email_message": ("email/eml/flanker_*.eml", "email/eml/hunnysoft_*.eml", "email/eml/*.mht"),
    "whatsapp": ("whatsapp/chatminer_*.txt", "whatsapp/langchain_*.txt", "whatsapp/*.zip"),
}


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
