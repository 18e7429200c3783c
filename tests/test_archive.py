"""Hostile zips: traversal, absolute paths, links, encryption, duplicates and bombs."""

import io
import zipfile
from pathlib import Path

import pytest

from cyberevidence.archive import ArchiveLimits, SafeZip, normalise_member_path
from cyberevidence.errors import UnsafeArchiveError


def make_zip(path: Path, members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for info, data in members:
            zf.writestr(info, data)
    return path


@pytest.mark.parametrize(
    ("name", "reason"),
    [("../evil.txt", "outside"), ("a/../../evil.txt", "outside"), ("/etc/passwd", "absolute"), ("C:\\\\x.txt", "absolute")],
)
def test_unsafe_names_are_refused(name: str, reason: str) -> None:
    with pytest.raises(UnsafeArchiveError, match=reason):
        normalise_member_path(name)


def test_safe_names_are_normalised() -> None:
    assert normalise_member_path("./chat/./_chat.txt") == "chat/_chat.txt"
    assert normalise_member_path("media\\\\IMG-1.jpg") == "media/IMG-1.jpg"


def test_bad_members_are_rejected_and_good_ones_kept(tmp_path: Path) -> None:
    link = zipfile.ZipInfo("link")
    link.external_attr = 0o120777 << 16
    z = make_zip(
        tmp_path / "x.zip",
        [
            ("_chat.txt", b"hello\nworld\n"),
            ("../escape.txt", b"x"),
            (link, b"/etc/passwd"),
            ("_CHAT.txt", b"dup"),
        ],
    )
    with SafeZip(z) as sz:
        assert [m.path for m in sz.members] == ["_chat.txt"]
        reasons = dict(sz.rejected)
        assert "outside" in reasons["../escape.txt"]
        assert reasons["link"] == "member is a symbolic link"
        assert "duplicate" in reasons["_CHAT.txt"]
        assert list(sz.iter_lines(sz.members[0])) == [b"hello\n", b"world\n"]


def test_ratio_bomb_is_stopped_while_inflating(tmp_path: Path) -> None:
    z = make_zip(tmp_path / "bomb.zip", [("zeros.bin", b"\0" * (8 << 20))])
    limits = ArchiveLimits(max_ratio=50, ratio_floor_bytes=1 << 20)
    with SafeZip(z, limits) as sz, sz.open(sz.members[0]) as fh:
        with pytest.raises(UnsafeArchiveError, match="zip bomb"):
            while fh.read(1 << 16):
                pass


def test_total_size_limit(tmp_path: Path) -> None:
    z = make_zip(tmp_path / "big.zip", [("a", b"a" * 5000), ("b", b"b" * 5000)])
    with pytest.raises(UnsafeArchiveError, match="limit"):
        SafeZip(z, ArchiveLimits(max_total_bytes=8000))


def test_not_a_zip_is_a_clear_error(tmp_path: Path) -> None:
    p = tmp_path / "fake.zip"
    p.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(UnsafeArchiveError, match="not a readable zip"):
        SafeZip(p)


def test_member_stream_works_with_text_wrappers(tmp_path: Path) -> None:
    z = make_zip(tmp_path / "t.zip", [("_chat.txt", "Zoë\r\nline2\n".encode())])
    with SafeZip(z) as sz, sz.open(sz.members[0]) as raw:
        text = io.TextIOWrapper(io.BufferedReader(raw), encoding="utf-8", newline="").read()
    assert text == "Zoë\r\nline2\n"
