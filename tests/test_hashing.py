import hashlib
import io
import os
from pathlib import Path

import pytest

from cyberevidence.hashing import MultiHasher, hash_bytes, hash_file, hash_stream

ABC = {
    "md5": "900150983cd24fb0d6963f7d28e17f72",
    "sha1": "a9993e364706816aba3e25717850c26c9cd0d89d",
    "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
}


def test_known_vectors_for_abc() -> None:
    assert hash_bytes(b"abc", ("md5", "sha1", "sha256")) == ABC


def test_hash_file_matches_hashlib_on_multi_chunk_file(tmp_path: Path) -> None:
    data = os.urandom(3 * (1 << 20) + 12345)  # spans several 1 MiB chunks, ragged end
    p = tmp_path / "blob"
    p.write_bytes(data)
    expected = {a: hashlib.new(a, data).hexdigest() for a in ("md5", "sha1", "sha256")}
    assert hash_file(p, ("md5", "sha1", "sha256")) == expected  # threaded path
    assert hash_file(p) == {"sha256": expected["sha256"]}  # single-digest fast path


def test_hash_stream_counts_prefix_and_size() -> None:
    data = b"x" * 100_000
    stream = io.BytesIO(data)
    head = stream.read(10)
    result = hash_stream(stream, ("sha256", "md5"), prefix=head)
    assert result.size == len(data)
    assert result.digests["sha256"] == hashlib.sha256(data).hexdigest()


def test_multihasher_threaded_and_direct_agree() -> None:
    chunks = [os.urandom(70_000) for _ in range(20)]
    with MultiHasher(("sha256", "sha1"), threaded=True) as a:
        for c in chunks:
            a.update(c)
    with MultiHasher(("sha256", "sha1"), threaded=False) as b:
        for c in chunks:
            b.update(c)
    assert a.finish() == b.finish()
    assert a.finish().size == 20 * 70_000


def test_unknown_algorithm_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        hash_bytes(b"x", ("blake3",))


def test_hash_file_does_not_change_atime_or_mtime(tmp_path: Path) -> None:
    p = tmp_path / "orig"
    p.write_bytes(b"evidence")
    os.utime(p, (1_000_000_000, 1_100_000_000))
    hash_file(p)
    st = p.stat()
    assert st.st_mtime == 1_100_000_000
    assert st.st_atime == 1_000_000_000  # O_NOATIME (we own the file)
