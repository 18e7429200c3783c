"""Say what is wrong (issue 14, item 7).

An encrypted zip (AES or ZipCrypto), a truncated zip and a damaged SQLite database used to be
"stored as evidence; no parser reads this kind of file" with exit 0; links, FIFOs and devices in an
added folder vanished without a word; a FIFO given directly was "no such file or folder". Each is now
said plainly, in the Python result, in the ``add`` output and in the custody log. Every attack file
is built here.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import sqlite3
import stat
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

import cyberevidence as ce
from cyberevidence.detect import Problem
from cyberevidence.errors import InputNotFoundError, SpecialFileError
from cyberevidence.store.ingest import SkipReason

CHAT = b"15/10/2025, 22:10 - Mark Kell: first\n15/10/2025, 22:11 - Mark Kell: second\n"
OLD_MESSAGE = "no parser reads this kind of file"


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cyberevidence_cli.main", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "250"},
        timeout=120,
    )


def new_case(tmp_path: Path, name: str = "case") -> ce.Case:
    return ce.Case.create(tmp_path / name, examiner="Hardening Test", timezone="Europe/London")


def entries(case: ce.Case, action: str) -> list[dict[str, object]]:
    return [dict(e.details) for e in case.custody.entries() if e.action == action]


def cli_add(tmp_path: Path, *paths: Path) -> tuple[subprocess.CompletedProcess[str], ce.Case]:
    root = tmp_path / "cli-case"
    assert cli("init", root, "--examiner", "J. Smith", "--timezone", "Europe/London").returncode == 0
    added = cli("add", root, *paths)
    assert "Traceback" not in added.stderr, added.stderr
    case = ce.Case.open(root)
    assert case.verify().exit_code == 0
    return added, case


# -- building the attack files ------------------------------------------------------------------


def aes_zip(path: Path) -> Path:
    pyzipper = pytest.importorskip("pyzipper")
    with pyzipper.AESZipFile(path, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as zf:
        zf.setpassword(b"correct horse")
        zf.writestr("_chat.txt", CHAT)
        zf.writestr("IMG-20251015-WA0001.jpg", b"\xff\xd8\xff" + os.urandom(2000))
    return path


class _ZipCrypto:
    """The traditional PKWARE stream cipher (APPNOTE 6.1), encrypting side."""

    def __init__(self, password: bytes) -> None:
        self.keys = [0x12345678, 0x23456789, 0x34567890]
        for b in password:
            self._update(b)

    @staticmethod
    def _crc(crc: int, b: int) -> int:
        # one step of the raw (unconditioned) CRC-32 register, as the cipher uses it
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0xEDB88320 if crc & 1 else 0)
        return crc

    def _update(self, b: int) -> None:
        k0, k1, k2 = self.keys
        k0 = self._crc(k0, b)
        k1 = ((k1 + (k0 & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        k2 = self._crc(k2, k1 >> 24)
        self.keys = [k0, k1, k2]

    def encrypt(self, data: bytes) -> bytes:
        out = bytearray()
        for b in data:
            t = (self.keys[2] | 2) & 0xFFFF
            out.append(b ^ (((t * (t ^ 1)) >> 8) & 0xFF))
            self._update(b)
        return bytes(out)


def zipcrypto_zip(path: Path, members: dict[str, bytes], password: bytes = b"secret") -> Path:
    """A real ZipCrypto zip, written byte by byte (``zipfile`` can read these but not write them)."""
    out = bytearray()
    central = bytearray()
    for name, data in members.items():
        squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
        body = squeeze.compress(data) + squeeze.flush()
        crc = zlib.crc32(data)
        cipher = _ZipCrypto(password)
        header = cipher.encrypt(os.urandom(11) + bytes([crc >> 24]))  # the last byte checks the password
        secret = header + cipher.encrypt(body)
        raw = name.encode()
        offset = len(out)
        out += struct.pack("<4sHHHHHLLLHH", b"PK\x03\x04", 20, 1, 8, 0, 0x21, crc, len(secret), len(data), len(raw), 0)
        out += raw + secret
        central += struct.pack(
            "<4sHHHHHHLLLHHHHHLL", b"PK\x01\x02", 20, 20, 1, 8, 0, 0x21, crc, len(secret), len(data), len(raw), 0, 0, 0, 0, 0,
            offset,
        )
        central += raw
    at = len(out)
    out += central + struct.pack("<4sHHHHLLH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), at, 0)
    path.write_bytes(bytes(out))
    return path


def truncated_zip(path: Path) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("_chat.txt", CHAT)
        zf.writestr("IMG-20251015-WA0001.jpg", os.urandom(6000))
        zf.writestr("IMG-20251015-WA0002.jpg", os.urandom(6000))
    data = buf.getvalue()
    path.write_bytes(data[: int(len(data) * 0.7)])  # a download cut short: the central directory is gone
    return path


def sqlite_db(path: Path) -> int:
    """A database with a big ``messages`` table and a one-row ``notes`` table; returns the page size."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE messages (_id INTEGER PRIMARY KEY, body TEXT)")
    conn.executemany("INSERT INTO messages (body) VALUES (?)", [("x" * 200,) for _ in range(2000)])
    conn.execute("CREATE TABLE notes (a TEXT)")
    conn.execute("INSERT INTO notes VALUES ('kept')")
    conn.commit()
    conn.close()
    return int.from_bytes(path.read_bytes()[16:18], "big")


def damaged_pages_db(path: Path) -> Path:
    size = sqlite_db(path)
    data = bytearray(path.read_bytes())
    data[5 * size : 6 * size] = b"\xff" * size  # a page of the messages table overwritten
    path.write_bytes(bytes(data))
    return path


def damaged_schema_db(path: Path) -> Path:
    size = sqlite_db(path)
    data = bytearray(path.read_bytes())
    data[100:size] = os.urandom(size - 100)  # page 1 after the header: the list of tables
    path.write_bytes(bytes(data))
    return path


# -- the generators are faithful ----------------------------------------------------------------


def test_the_zipcrypto_zip_is_real_zipcrypto(tmp_path: Path) -> None:
    z = zipcrypto_zip(tmp_path / "z.zip", {"_chat.txt": CHAT})
    with zipfile.ZipFile(z) as zf:
        with pytest.raises(RuntimeError, match="password required"):
            zf.read("_chat.txt")
        assert zf.read("_chat.txt", pwd=b"secret") == CHAT
        with pytest.raises(RuntimeError, match="Bad password"):
            zf.read("_chat.txt", pwd=b"wrong")


# -- encrypted archives -------------------------------------------------------------------------


def _zipcrypto_by_zip_command(path: Path, tmp_path: Path) -> Path:
    if shutil.which("zip") is None:
        pytest.skip("the zip command is not installed")
    (tmp_path / "_chat.txt").write_bytes(CHAT)
    subprocess.run(["zip", "-q", "-e", "-P", "secret", str(path), "_chat.txt"], check=True, cwd=tmp_path)
    return path


@pytest.mark.parametrize("kind", ["aes", "zipcrypto", "zip -e"])
def test_an_encrypted_zip_says_it_is_encrypted_and_what_to_do(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "WhatsApp Chat - Mark Kell.zip"
    if kind == "aes":
        aes_zip(path)
    elif kind == "zipcrypto":
        zipcrypto_zip(path, {"_chat.txt": CHAT, "IMG-20251015-WA0001.jpg": os.urandom(500)})
    else:
        _zipcrypto_by_zip_command(path, tmp_path)
    method = "AES" if kind == "aes" else "ZipCrypto"

    case = new_case(tmp_path)
    (outcome,) = case.add(path).files
    assert outcome.problem is Problem.ENCRYPTED and outcome.events == 0
    assert "encrypted" in outcome.error and method in outcome.error and "without a password" in outcome.error
    assert "_chat.txt" in outcome.readable  # the member names are not encrypted
    assert OLD_MESSAGE not in outcome.error + outcome.skipped
    (failed,) = entries(case, "parse_failed")
    assert failed["problem"] == "encrypted" and method in str(failed["error"])
    assert "without a password" in str(failed["what_to_do"])
    assert entries(case, "acquire")  # the encrypted original is kept as evidence all the same
    assert case.verify().exit_code == 0
    case.add(path)
    assert len(entries(case, "parse_failed")) == 1  # a re-run says nothing new twice

    added, cli_case = cli_add(tmp_path, path)
    assert added.returncode == 1
    assert "ENCRYPTED" in added.stderr and method in added.stderr and "without a password" in added.stderr
    assert OLD_MESSAGE not in added.stderr
    assert [d["problem"] for d in entries(cli_case, "parse_failed")] == ["encrypted"]


def test_an_encrypted_member_in_a_readable_export_says_what_to_do(tmp_path: Path) -> None:
    """The chat text is plain, a photo is encrypted: the chat is read, the photo named with the reason."""
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as zf:
        zf.writestr("_chat.txt", CHAT)
    secret = zipcrypto_zip(tmp_path / "s.zip", {"IMG-20251015-WA0001.jpg": b"\xff\xd8" + os.urandom(100)}).read_bytes()
    path = tmp_path / "WhatsApp Chat - Mark Kell.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("_chat.txt", CHAT)
    # append the encrypted member: take its local header + data and central entry from the ZipCrypto zip
    base, extra = path.read_bytes(), secret
    cd_base, cd_extra = base.find(b"PK\x01\x02"), extra.find(b"PK\x01\x02")
    eocd_base, eocd_extra = base.find(b"PK\x05\x06"), extra.find(b"PK\x05\x06")
    entry = bytearray(extra[cd_extra:eocd_extra])
    struct.pack_into("<L", entry, 42, cd_base)  # its local header now follows the chat's data
    body = base[:cd_base] + extra[:cd_extra]
    central = base[cd_base:eocd_base] + bytes(entry)
    path.write_bytes(body + central + struct.pack("<4sHHHHLLH", b"PK\x05\x06", 0, 0, 2, 2, len(central), len(body), 0))

    case = new_case(tmp_path)
    (outcome,) = case.add(path, date_order="dmy").files
    assert outcome.events == 2 and not outcome.error
    (warning,) = [w for w in case.warnings() if w.code == "rejected_member"]
    assert "encrypted (ZipCrypto" in warning.message and "without a password" in warning.message
    assert case.verify().exit_code == 0


# -- damaged archives and databases -------------------------------------------------------------


def test_a_truncated_zip_says_damaged_and_what_is_still_whole(tmp_path: Path) -> None:
    path = truncated_zip(tmp_path / "WhatsApp Chat - Mark Kell.zip")
    case = new_case(tmp_path)
    (outcome,) = case.add(path).files
    assert outcome.problem is Problem.DAMAGED and "damaged" in outcome.error
    assert "_chat.txt" in outcome.readable and "cut short" in outcome.readable
    (failed,) = entries(case, "parse_failed")
    assert failed["problem"] == "damaged" and "_chat.txt" in str(failed["readable"])
    assert case.verify().exit_code == 0

    forced = case.add(path, format="whatsapp", date_order="dmy").files[0]  # the parser's own refusal says so too
    assert forced.problem is Problem.DAMAGED and "_chat.txt" in forced.readable
    assert str(case.root) not in forced.error  # named by its original name, not the store path

    added, _ = cli_add(tmp_path, path)
    assert added.returncode == 1 and "DAMAGED" in added.stderr and "_chat.txt" in added.stderr
    assert OLD_MESSAGE not in added.stderr


@pytest.mark.parametrize("where", ["pages", "schema"])
def test_a_damaged_database_says_damaged_and_what_could_still_be_read(tmp_path: Path, where: str) -> None:
    path = (damaged_pages_db if where == "pages" else damaged_schema_db)(tmp_path / "msgstore.db")
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    case = new_case(tmp_path)
    (outcome,) = case.add(path).files
    assert outcome.problem is Problem.DAMAGED and "database is damaged" in outcome.error
    if where == "pages":
        assert "messages" in outcome.error and "notes (1 rows)" in outcome.readable
    else:
        assert "Nothing could be read" in outcome.readable
    (failed,) = entries(case, "parse_failed")
    assert failed["problem"] == "damaged"
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before  # opened read-only, immutable
    assert case.verify().exit_code == 0

    added, _ = cli_add(tmp_path, path)
    assert added.returncode == 1 and "DAMAGED" in added.stderr and "database is damaged" in added.stderr
    assert OLD_MESSAGE not in added.stderr


def test_a_healthy_file_of_an_unknown_kind_keeps_the_plain_message(tmp_path: Path) -> None:
    sqlite_db(tmp_path / "other.db")
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as zf:
        zf.writestr("readme.bin", b"\x00\x01\x02")
    case = new_case(tmp_path)
    for outcome in case.add(tmp_path / "other.db", tmp_path / "other.zip").files:
        assert outcome.problem is None and not outcome.error and OLD_MESSAGE in outcome.skipped
    assert not entries(case, "parse_failed")


# -- special files in folders and given directly -----------------------------------------------


def _folder_with_special_files(tmp_path: Path) -> tuple[Path, dict[str, SkipReason]]:
    folder = tmp_path / "export"
    (folder / "media").mkdir(parents=True)
    (folder / "WhatsApp Chat with Mark Kell.txt").write_bytes(CHAT)
    (folder / "media" / "IMG-1.jpg").write_bytes(b"\xff\xd8\xff" + b"\x00" * 100)
    outside = tmp_path / "outside-secret.txt"
    outside.write_text("not part of the export")
    os.symlink(outside, folder / "link-to-file.txt")
    os.symlink(tmp_path, folder / "link-to-folder")
    os.mkfifo(folder / "media" / "pipe")
    expected = {
        "link-to-file.txt": SkipReason.SYMLINK,
        "link-to-folder": SkipReason.SYMLINK,
        "pipe": SkipReason.FIFO,
    }
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(folder / "sock"))
        expected["sock"] = SkipReason.SOCKET
    except OSError:
        pass
    finally:
        sock.close()
    try:
        os.mknod(folder / "null-device", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
        expected["null-device"] = SkipReason.CHAR_DEVICE
    except (OSError, AttributeError):
        pass  # not allowed here (needs CAP_MKNOD); the FIFO and links are always tested
    return folder, expected


def test_special_files_in_a_folder_are_listed_as_skipped_with_the_reason(tmp_path: Path) -> None:
    folder, expected = _folder_with_special_files(tmp_path)
    case = new_case(tmp_path)
    report = case.add(folder, date_order="dmy")  # would hang for ever if the FIFO were opened
    assert {Path(f.original_path).name for f in report.files} == {"WhatsApp Chat with Mark Kell.txt", "IMG-1.jpg"}
    assert {Path(s.path).name: s.kind for s in report.skipped} == expected
    by_name = {Path(s.path).name: s for s in report.skipped}
    assert by_name["link-to-file.txt"].link_target.endswith("outside-secret.txt")
    assert "not followed" in by_name["link-to-file.txt"].reason and "not opened" in by_name["pipe"].reason
    (logged,) = entries(case, "not_acquired")
    skipped = logged["skipped"]
    assert isinstance(skipped, list)
    assert {Path(s["path"]).name: s["kind"] for s in skipped} == {n: k.value for n, k in expected.items()}
    assert all(s["reason"] for s in skipped)
    assert not any("outside-secret" in str(d.get("original_path", "")) for d in entries(case, "acquire"))
    assert case.verify().exit_code == 0
    case.add(folder, date_order="dmy")
    assert len(entries(case, "not_acquired")) == 1  # a re-run logs nothing new

    added, cli_case = cli_add(tmp_path, folder)
    assert added.returncode == 0, added.stderr
    for name, kind in expected.items():
        line = next(line for line in added.stderr.splitlines() if name in line and "skipped" in line)
        assert kind.value in line
    assert f"{len(expected)} item(s) in the folders were skipped" in added.stderr
    assert len(entries(cli_case, "not_acquired")) == 1


def test_a_fifo_given_directly_is_refused_as_a_fifo_without_being_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "chat.txt"
    os.mkfifo(fifo)
    case = new_case(tmp_path)
    with pytest.raises(SpecialFileError, match="FIFO") as err:
        case.add(fifo)
    assert str(fifo) in str(err.value) and "no such file" not in str(err.value)
    assert isinstance(err.value, InputNotFoundError)  # callers catching the old type still catch it
    assert not entries(case, "acquire")
    assert case.verify().exit_code == 0

    added, _ = cli_add(tmp_path, fifo)
    assert added.returncode != 0 and "FIFO" in added.stderr and "no such file" not in added.stderr


def test_a_device_given_directly_is_refused_as_a_device(tmp_path: Path) -> None:
    case = new_case(tmp_path)
    with pytest.raises(SpecialFileError, match="character device"):
        case.add("/dev/null")
    added, _ = cli_add(tmp_path, Path("/dev/null"))
    assert added.returncode != 0 and "character device" in added.stderr


def test_a_link_given_directly_is_still_refused(tmp_path: Path) -> None:
    target = tmp_path / "chat.txt"
    target.write_bytes(CHAT)
    os.symlink(target, tmp_path / "link.txt")
    with pytest.raises(SpecialFileError, match="symbolic link"):
        new_case(tmp_path).add(tmp_path / "link.txt")
    with pytest.raises(InputNotFoundError, match="no such file or folder"):
        new_case(tmp_path, "case2").add(tmp_path / "missing.txt")
