"""Zip bombs that the per-member ratio check cannot see (issue 14, item 3).

The "quoted overlap" bomb (David Fifield, "A better zip bomb", 2019) is built here byte by byte:
one deflate stream (the *kernel*) at the end of the file, and N members whose local headers sit
one after another in front of it. Each member's compressed data starts with a stored (non-compressed)
deflate block that *quotes* the next member's local header, so member ``i`` inflates to headers
``i+1 .. N-1`` followed by the whole kernel: N copies of the kernel from a file that holds one.
Every member's own compressed size spans the kernel, so its own ratio looks tame (and stays under the
16 MiB ratio floor); only the overlap, or a budget over the whole archive, gives it away.

The members are named like a WhatsApp "with media" export (the kernel is the chat text, in the last
member), because the WhatsApp parser keeps every member of such a zip: without the archive checks
the ~653 KB bomb below becomes a ~4.4 GB case, the ~341 KB one ~25 GB.
"""

from __future__ import annotations

import io
import struct
import sys
import time
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path

import pytest

import cyberevidence as ce
from cyberevidence.archive import ArchiveLimits, SafeZip
from cyberevidence.detect import Problem
from cyberevidence.errors import UnsafeArchiveError

CHAT_LINE = b"15/10/2025, 22:10 - Mark Kell: you will regret this\n"

# -- a faithful generator of the quoted-overlap bomb ----------------------------------------------


def _gf2_times(mat: Sequence[int], vec: int) -> int:
    out, i = 0, 0
    while vec:
        if vec & 1:
            out ^= mat[i]
        vec >>= 1
        i += 1
    return out


def _gf2_square(mat: Sequence[int]) -> list[int]:
    return [_gf2_times(mat, mat[n]) for n in range(32)]


def crc32_shift(n: int) -> list[int]:
    """The GF(2) operator that appends ``n`` zero bytes to a finished CRC-32 (zlib's ``crc32_combine``):
    ``crc32(a + b) == _gf2_times(crc32_shift(len(b)), crc32(a)) ^ crc32(b)``."""
    odd = [0xEDB88320] + [1 << k for k in range(31)]
    even = _gf2_square(odd)
    odd = _gf2_square(even)
    result = [1 << k for k in range(32)]
    while n:
        even = _gf2_square(odd)
        if n & 1:
            result = [_gf2_times(even, r) for r in result]
        n >>= 1
        if not n:
            break
        odd = _gf2_square(even)
        if n & 1:
            result = [_gf2_times(odd, r) for r in result]
        n >>= 1
    return result


def _local_header(name: bytes, crc: int, csize: int, usize: int) -> bytes:
    return struct.pack("<4sHHHHHLLLHH", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, csize, usize, len(name), 0) + name


def _central_header(name: bytes, crc: int, csize: int, usize: int, offset: int) -> bytes:
    return (
        struct.pack("<4sHHHHHHLLLHHHHHLL", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, csize, usize, len(name), 0, 0, 0, 0, 0,
                    offset)
        + name
    )


def overlap_bomb(names: Sequence[str], kernel_bytes: int, line: bytes = CHAT_LINE) -> bytes:
    """The bytes of a quoted-overlap zip bomb: ``len(names)`` members, each inflating to the kernel
    (``kernel_bytes`` of ``line`` repeated) plus the local headers of the members after it.

    CRCs and sizes are exact, so a zip reader without an overlap check inflates every member in full.
    """
    kernel_data = (line * (kernel_bytes // len(line) + 1))[:kernel_bytes]
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    kernel = squeeze.compress(kernel_data) + squeeze.flush()  # one final deflate block stream
    kernel_crc = zlib.crc32(kernel_data)
    shift = crc32_shift(kernel_bytes)
    raw = [n.encode() for n in names]
    sizes = [30 + len(n) for n in raw]
    headers = bytearray(sum(sizes))  # filled from the end: member i's quoted headers are headers[starts[i+1]:]
    starts = [0] * (len(raw) + 1)
    starts[-1] = len(headers)
    entries: list[tuple[bytes, int, int, int]] = []
    for i in range(len(raw) - 1, -1, -1):
        quoted = memoryview(headers)[starts[i + 1] :]
        crc = _gf2_times(shift, zlib.crc32(quoted)) ^ kernel_crc  # crc32(quoted headers + kernel data)
        usize = len(quoted) + kernel_bytes
        csize = len(quoted) + 5 * (len(raw) - 1 - i) + len(kernel)  # each quoted header has a 5-byte block header
        local = _local_header(raw[i], crc, csize, usize)
        starts[i] = starts[i + 1] - len(local)
        headers[starts[i] : starts[i + 1]] = local
        entries.append((raw[i], crc, csize, usize))
    entries.reverse()
    out = bytearray()
    offsets = []
    for i in range(len(raw)):
        offsets.append(len(out))
        out += headers[starts[i] : starts[i + 1]]
        if i + 1 < len(raw):
            n = starts[i + 2] - starts[i + 1]  # a stored, non-final deflate block quoting the next local header
            out += struct.pack("<BHH", 0, n, n ^ 0xFFFF)
    out += kernel
    central_at = len(out)
    for (name, crc, csize, usize), offset in zip(entries, offsets, strict=True):
        out += _central_header(name, crc, csize, usize, offset)
    central_size = len(out) - central_at
    out += struct.pack("<4sHHHHLLH", b"PK\x05\x06", 0, 0, len(raw), len(raw), central_size, central_at, 0)
    return bytes(out)


def whatsapp_names(n: int) -> list[str]:
    """``n`` member names of a WhatsApp "with media" export, the chat text last (it is the kernel alone)."""
    return [f"IMG-20251015-WA{i:04d}.jpg" for i in range(n - 1)] + ["_chat.txt"]


def declared_total(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return sum(i.file_size for i in zf.infolist())


#: The two bombs of the issue: name -> (members, kernel bytes, zip size in KB, declared total in GB).
ISSUE_BOMBS = {"653KB-4.4GB": (5130, 722_000, 653, 4.4), "341KB-25GB": (2460, 10_200_000, 341, 25.0)}


# -- the generator is faithful ------------------------------------------------------------------


def test_crc_shift_matches_zlib() -> None:
    a, b = b"header bytes" * 7, CHAT_LINE * 999
    assert _gf2_times(crc32_shift(len(b)), zlib.crc32(a)) ^ zlib.crc32(b) == zlib.crc32(a + b)


def test_a_small_bomb_really_inflates_every_member_in_full_without_an_overlap_check() -> None:
    data = overlap_bomb(whatsapp_names(12), 200_000)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
        assert [i.filename for i in infos][-1] == "_chat.txt"
        if sys.version_info >= (3, 12, 2) or (3, 11, 8) <= sys.version_info < (3, 12):
            with pytest.raises(zipfile.BadZipFile, match=r"[Oo]verlap"):
                zf.read(infos[0])
            return
        out = [zf.read(i) for i in infos]  # CRC checked by zipfile: the quoted headers and the kernel, in full
    assert [len(b) for b in out] == [i.file_size for i in infos]
    assert out[-1] == (CHAT_LINE * 4000)[:200_000]
    assert out[0].endswith(out[-1]) and out[0].startswith(b"PK\x03\x04")
    assert sum(len(b) for b in out) > 12 * 200_000 > 20 * len(data)


@pytest.mark.parametrize("which", sorted(ISSUE_BOMBS))
def test_the_issue_bombs_have_the_issue_sizes(which: str) -> None:
    members, kernel, size_kb, total_gb = ISSUE_BOMBS[which]
    data = overlap_bomb(whatsapp_names(members), kernel)
    assert abs(len(data) / 1000 - size_kb) < 0.02 * size_kb
    assert abs(declared_total(data) / 1e9 - total_gb) < 0.05 * total_gb


# -- refused, fast, and the case still verifies -------------------------------------------------


def _case(tmp_path: Path) -> ce.Case:
    return ce.Case.create(tmp_path / "case", examiner="Hardening Test", timezone="Europe/London")


def _tree_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize("which", sorted(ISSUE_BOMBS))
def test_overlap_bomb_is_refused_in_under_a_second_and_the_case_verifies(tmp_path: Path, which: str) -> None:
    members, kernel, _, _ = ISSUE_BOMBS[which]
    bomb = tmp_path / "WhatsApp Chat - Mark Kell.zip"
    bomb.write_bytes(overlap_bomb(whatsapp_names(members), kernel))
    assert declared_total(bomb.read_bytes()) > 4 * 1024**3

    started = time.perf_counter()
    with pytest.raises(UnsafeArchiveError, match="members overlap") as err:
        SafeZip(bomb)
    assert time.perf_counter() - started < 5.0  # about 0.03 s here; a generous bound for slow CI machines
    assert bomb.name in str(err.value) and "zip bomb" in str(err.value)

    case = _case(tmp_path)
    started = time.perf_counter()
    report = case.add(bomb)
    elapsed = time.perf_counter() - started
    assert elapsed < 5.0, elapsed  # about 0.5 s here (acquire, every sniffer, the refusal, custody, manifest)
    (outcome,) = report.files
    assert outcome.problem is Problem.UNSAFE and outcome.events == 0
    assert "members overlap" in outcome.error and bomb.name in outcome.error
    failed = [e.details for e in case.custody.entries() if e.action == "parse_failed"]
    assert failed and "members overlap" in str(failed[-1]["error"]) and failed[-1]["problem"] == "unsafe"
    assert not [e for e in case.custody.entries() if e.action == "derive"]
    assert _tree_bytes(case.root) < bomb.stat().st_size + 2 * 1024**2  # the bomb's own copy, and little else
    assert case.verify().exit_code == 0

    # forcing the parser changes nothing: the parser's own SafeZip refuses it too, naming the original
    forced = case.add(bomb, format="whatsapp", date_order="dmy")
    assert forced.files[0].problem is Problem.UNSAFE and "members overlap" in forced.files[0].error
    assert bomb.name in forced.files[0].error and str(case.root) not in forced.files[0].error
    assert case.verify().exit_code == 0


def test_all_members_at_one_offset_are_overlapping_too(tmp_path: Path) -> None:
    """Fifield's simplest form: every central entry points at the same local header."""
    one = io.BytesIO()
    with zipfile.ZipFile(one, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("_chat.txt", CHAT_LINE * 50_000)
    data = bytearray(one.getvalue())
    cd = data.find(b"PK\x01\x02")
    eocd = data.find(b"PK\x05\x06")
    entry = bytes(data[cd:eocd])
    copies = [entry] + [entry.replace(b"_chat.txt", f"copy{i:05d}".encode()) for i in range(1, 400)]
    body = bytes(data[:cd]) + b"".join(copies)
    end = struct.pack("<4sHHHHLLH", b"PK\x05\x06", 0, 0, 400, 400, len(body) - cd, cd, 0)
    path = tmp_path / "same-offset.zip"
    path.write_bytes(body + end)
    with pytest.raises(UnsafeArchiveError, match="members overlap"):
        SafeZip(path)


def test_local_header_naming_another_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat - Mark.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("_chat.txt", CHAT_LINE)
        zf.writestr("IMG-1.jpg", b"picture")
    data = bytearray(path.read_bytes())
    at = data.find(b"IMG-1.jpg")  # the local header's copy (the central directory's comes later)
    data[at : at + 9] = b"EVIL1.exe"
    path.write_bytes(bytes(data))
    with SafeZip(path) as zf:
        assert [m.path for m in zf.members] == ["_chat.txt"]
        (why,) = [r for n, r in zf.rejected if n == "IMG-1.jpg"]
    assert "local header" in why and "EVIL1.exe" in why


def test_legitimate_zips_with_data_descriptors_and_prefixes_are_not_overlaps(tmp_path: Path) -> None:
    stream = io.BytesIO()
    stream.write(b"#!/bin/sh\nexit 0\n")  # a self-extractor stub before the zip
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(30):
            with zf.open(f"m{i}.txt", "w") as fh:  # written with a data descriptor (bit 3)
                fh.write(CHAT_LINE * (i + 1))
    path = tmp_path / "ok.zip"
    path.write_bytes(stream.getvalue())
    with SafeZip(path) as zf:
        assert len(zf.members) == 30 and not zf.rejected
        assert b"".join(zf.iter_lines(zf.members[2])) == CHAT_LINE * 3


# -- one budget per archive, nested archives included -------------------------------------------


def _stored_zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_many_small_members_past_the_archive_budget_are_refused_before_inflating(tmp_path: Path) -> None:
    """No member breaks the per-member ratio (each is under the 16 MiB floor); together they are ~1000x."""
    path = tmp_path / "WhatsApp Chat - Mark.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("_chat.txt", CHAT_LINE * 2)
        for i in range(12):
            zf.writestr(f"IMG-{i}.jpg", b"\0" * (8 << 20))
    assert path.stat().st_size < 150_000
    with pytest.raises(UnsafeArchiveError, match=r"declares \d+ bytes uncompressed, \d+ times") as err:
        SafeZip(path)
    assert path.name in str(err.value)
    SafeZip(path, ArchiveLimits(archive_ratio_floor_bytes=200 << 20)).close()  # a larger budget lets it through
    case = _case(tmp_path)
    report = case.add(path, format="whatsapp", date_order="dmy")
    assert report.files[0].problem is Problem.UNSAFE and "times" in report.files[0].error
    assert case.verify().exit_code == 0


def _deflated_zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _zip_of_zips(path: Path, n: int) -> Path:
    """``n`` inner zips, each ~20 KB holding 3 x 6 MiB of zeros (no member reaches the 16 MiB ratio floor)."""
    inner = _deflated_zip({f"zeros{k}.bin": b"\0" * (6 << 20) for k in range(3)})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(n):
            zf.writestr(f"part{i}.zip", inner)
    return path


def test_nested_archives_share_the_outer_budget_while_inflating(tmp_path: Path) -> None:
    """8 inner zips, each declaring 18 MiB: each fits what is left of the outer zip's 64 MiB budget when it
    is opened, but everything inflated from them draws on that one budget, and reading stops at it."""
    outer = _zip_of_zips(tmp_path / "outer.zip", 8)
    assert outer.stat().st_size < 200_000
    with SafeZip(outer) as zf:
        assert zf.budget.limit == ArchiveLimits().archive_ratio_floor_bytes
        nested = [zf.open_nested(m) for m in zf.members]  # opened first: each one's declared 18 MiB still fits
        try:
            with pytest.raises(UnsafeArchiveError, match="nested archives included") as err:
                for inner in nested:
                    for m in inner.members:
                        with inner.open(m) as fh:
                            while fh.read(1 << 20):
                                pass
        finally:
            for inner in nested:
                inner.close()
        assert zf.budget.limit < zf.budget.used <= zf.budget.limit + (1 << 20)
    assert str(err.value).startswith(f"{outer}: ") and "zip bomb" in str(err.value)


def test_a_nested_archive_declaring_more_than_is_left_is_refused_when_opened(tmp_path: Path) -> None:
    outer = _zip_of_zips(tmp_path / "outer.zip", 8)
    opened = 0
    with SafeZip(outer) as zf:
        with pytest.raises(UnsafeArchiveError, match=r"with what was already read from it") as err:
            for m in zf.members:
                with zf.open_nested(m) as inner:
                    for member in inner.members:
                        with inner.open(member) as fh:
                            while fh.read(1 << 20):
                                pass
                    opened += 1
    assert opened == 3  # 3 x 18 MiB read; the 4th would pass 64 MiB
    assert "outer.zip!part3.zip" in str(err.value)


def test_a_member_read_twice_is_counted_once(tmp_path: Path) -> None:
    path = tmp_path / "twice.zip"
    path.write_bytes(_deflated_zip({"a.bin": b"\0" * (40 << 20)}))
    with SafeZip(path, ArchiveLimits(ratio_floor_bytes=64 << 20)) as zf:
        for _ in range(3):  # 120 MiB read in all, 40 MiB of it distinct: within the 64 MiB budget
            with zf.open(zf.members[0]) as fh:
                while fh.read(1 << 20):
                    pass
        assert zf.budget.used == 40 << 20


def test_nesting_depth_is_limited(tmp_path: Path) -> None:
    data = _stored_zip({"_chat.txt": CHAT_LINE})
    for level in range(4):
        data = _stored_zip({f"level{level}.zip": data})
    path = tmp_path / "deep.zip"
    path.write_bytes(data)
    with SafeZip(path) as zf:
        opened = [zf]
        with pytest.raises(UnsafeArchiveError, match="nested more than 3 levels"):
            while True:
                opened.append(opened[-1].open_nested(opened[-1].members[0]))
        for z in opened[1:]:
            z.close()


def test_a_zip_of_zips_added_to_a_case_keeps_the_inner_zips_within_the_outer_budget(tmp_path: Path) -> None:
    """Through a real case: the WhatsApp parser keeps every member; the inner zips are kept (never unpacked)
    and what inflating them from the outer zip costs is counted against the outer zip's budget."""
    inner = _stored_zip({"zeros.bin": b"\0" * (10 << 20)})  # 10 MiB stored: deflates to ~10 KB in the outer zip
    path = tmp_path / "WhatsApp Chat - Mark.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("_chat.txt", CHAT_LINE * 2)
        for i in range(10):
            zf.writestr(f"nested{i}.zip", inner)
    case = _case(tmp_path)
    report = case.add(path, format="whatsapp", date_order="dmy")
    (outcome,) = report.files
    assert outcome.problem is Problem.UNSAFE and "declares" in outcome.error and path.name in outcome.error
    assert _tree_bytes(case.root) < 4 * 1024**2
    assert case.verify().exit_code == 0
