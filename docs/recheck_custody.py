#!/usr/bin/env python3
# Recheck a cyberevidence custody chain with Python's standard library only (see verification.md).
#
# Usage: python3 recheck_custody.py CASE/custody.jsonl
# Prints "OK: <n> entries, head hash <hash>", or the first bad seq and exits with status 1.
# Each entry's "hash" is the SHA-256 of its canonical JSON (RFC 8785) without the "hash" key; for
# these entries (ASCII keys; only strings, booleans, integers, lists and objects) that is exactly
# json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False) encoded as UTF-8.
import contextlib, hashlib, json, sys

prev, seq = "0" * 64, -1
for seq, line in enumerate(open(sys.argv[1], encoding="utf-8", errors="replace")):
    ok = False
    with contextlib.suppress(ValueError, KeyError, TypeError, AttributeError):  # not a whole, valid entry: a break
        claimed = (entry := json.loads(line)).pop("hash")
        body = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        ok = line.endswith("\n") and (entry["seq"], entry["prev"], claimed) == (seq, prev, hashlib.sha256(body).hexdigest())
    prev = claimed if ok else sys.exit(f"BAD: the custody chain breaks at seq {seq} (line {seq + 1})")
print(f"OK: {seq + 1} entries, head hash {prev}") if seq >= 0 else sys.exit("BAD: the custody log is empty")
