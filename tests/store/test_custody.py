import hashlib
import itertools
import json
from pathlib import Path

import rfc8785

from cyberevidence.store.custody import GENESIS, CustodyLog, entry_hash, plain


def make_log(tmp_path: Path, n: int = 4) -> CustodyLog:
    log = CustodyLog(tmp_path / "custody.jsonl")
    for i in range(n):
        log.append("J. Smith", "acquire", "ab" * 32, {"n": i, "name": "Chat with Zoë"})
    return log


def test_chain_links_and_hashes(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    entries = list(log.entries())
    assert [e.seq for e in entries] == [0, 1, 2, 3]
    assert entries[0].prev == GENESIS
    for a, b in itertools.pairwise(entries):
        assert b.prev == a.hash
    # the hash is SHA-256 of the RFC 8785 canonical JSON without "hash"
    d = entries[2].to_dict()
    body = {k: v for k, v in d.items() if k != "hash"}
    assert hashlib.sha256(rfc8785.dumps(body)).hexdigest() == d["hash"]
    assert log.check() == ([], entries[-1])
    assert log.head() == entries[-1]


def test_each_line_is_canonical_json(tmp_path: Path) -> None:
    log = make_log(tmp_path, 2)
    for line in log.path.read_bytes().splitlines():
        assert rfc8785.dumps(json.loads(line)) == line


def test_edit_delete_reorder_are_detected(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    original = log.path.read_bytes().splitlines(keepends=True)

    log.path.write_bytes(b"".join(original[:1] + original[2:]))  # delete seq 1
    problems, _ = log.check()
    assert any("seq is 2, expected 1" in p.problem for p in problems)

    log.path.write_bytes(b"".join([original[0], original[2], original[1], original[3]]))  # reorder
    assert log.check()[0]

    edited = original[1].replace(b'"n":1', b'"n":7')
    log.path.write_bytes(b"".join([original[0], edited, *original[2:]]))  # edit
    problems, _ = log.check()
    assert [p.line for p in problems] == [2]
    assert "edited" in problems[0].problem


def test_torn_tail_is_found_and_cut_exactly(tmp_path: Path) -> None:
    log = make_log(tmp_path, 2)
    with open(log.path, "ab") as fh:
        fh.write(b'{"seq":2,"ti')
    assert log.check()[0]
    assert log.torn_tail() == b'{"seq":2,"ti'
    log.cut_torn_tail(log.torn_tail())
    assert log.torn_tail() == b""
    assert log.check()[0] == []
    log.append("J. Smith", "recover", "", {})
    assert log.check()[0] == []


def test_plain_keeps_only_json_safe_scalars() -> None:
    assert plain({"f": 1.5, "big": 2**60, "ok": 3, "p": Path("/x"), "t": (1, True)}) == {
        "f": "1.5",
        "big": str(2**60),
        "ok": 3,
        "p": "/x",
        "t": [1, True],
    }


def test_entry_hash_ignores_hash_field() -> None:
    e = {"seq": 0, "a": "b", "hash": "whatever"}
    assert entry_hash(e) == hashlib.sha256(b'{"a":"b","seq":0}').hexdigest()
