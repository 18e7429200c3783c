"""Two overlapping 200,000-message WhatsApp exports of one chat: merge time against parsing alone.

Export A holds messages 0..200k of a 300k-message chat, export B (a later export with another
name) messages 100k..300k: 100k messages are in both. Prints the time to add A to an empty case
(parsing and indexing with nothing to merge), the time to add B (which matches the conversation
and merges 100k messages into A's events), the ratio B/A, and the final event count (must be
300,000).

    .venv/bin/python benchmarks/bench_overlap.py [--messages 200000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_whatsapp import iter_lines

import cyberevidence as ce


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=200_000)
    args = ap.parse_args(argv)
    n = args.messages
    total = n + n // 2
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        lines = list(iter_lines(total))
        starts = [i for i, line in enumerate(lines) if line[:1].isdigit() and " - " in line[:25]]
        a_end, b_start = starts[n] if n < len(starts) else len(lines), starts[total - n]
        (root / "a").mkdir()
        (root / "b").mkdir()
        a = root / "a" / "WhatsApp Chat with Tobias Quill.txt"
        b = root / "b" / "WhatsApp Chat with Tobias Quill (1).txt"
        a.write_text("\n".join(lines[:a_end]) + "\n", encoding="utf-8")
        b.write_text("\n".join(lines[b_start:]) + "\n", encoding="utf-8")
        case = ce.Case.create(root / "case", examiner="Bench")
        t0 = time.perf_counter()
        case.add(a, timezone="Europe/London", date_order="dmy")
        t1 = time.perf_counter()
        case.add(b, timezone="Europe/London", date_order="dmy")
        t2 = time.perf_counter()
        count = case.index.event_count()
        parse_a, merge_b = t1 - t0, t2 - t1
        print(f"export A ({n:,} messages, nothing to merge): {parse_a:.1f} s")
        print(f"export B ({n:,} messages, {n - (total - n):,} shared, merged): {merge_b:.1f} s")
        print(f"ratio B/A: {merge_b / parse_a:.2f}")
        print(f"events on the timeline: {count:,} (true figure {total:,})")
        case.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
