"""Disclosure benchmark: what finding third parties in the data costs, side by side in one run.

Builds (once, under ``--dir``) a case of one WhatsApp chat of ``--events`` messages in which a
third party the people file does not list writes every tenth message and phone numbers and e-mail
addresses appear in the texts, then times, alternating for ``--rounds`` rounds and keeping the best:

* ``listed``: ``disclose(case, out, unlisted=False)`` – only the people file's third parties;
* ``all``: ``disclose(case, out)`` – the default: also every sender, number and address seen only
  in the data (docs/redaction.md).

    .venv/bin/python benchmarks/bench_disclose.py [--events 20000] [--rounds 2] [--dir DIR] [--check]

Goal: ``all`` takes at most 4x the time of ``listed`` (the extra passes read the timeline once
more and run the phone-number matcher only on texts with seven digits or more).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import cyberevidence as ce

GOAL = 4.0
PEOPLE = """\
[[person]]
name = "Sarah Jones"
role = "victim"
handles = ["whatsapp:Sarah Jones"]

[[person]]
name = "Mark Kell"
role = "subject"
handles = ["whatsapp:Mark Kell"]
"""


def build(folder: Path, events: int) -> Path:
    root = folder / f"case-{events}"
    if (root / "case.json").exists():
        return root
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for i in range(events):
        who = "Dorota Quill" if i % 10 == 0 else ("Mark Kell" if i % 3 else "Sarah Jones")
        text = f"message {i}" + (f", ring 07700 9{i % 100000:05d} or mail d{i % 97}@example.org" if i % 25 == 0 else "")
        lines.append(f"{1 + (i // 1440) % 28:02d}/10/2025, {(i // 60) % 24:02d}:{i % 60:02d} - {who}: {text}")
    chat = folder / "WhatsApp Chat with Mark Kell.txt"
    chat.write_text("\n".join(lines) + "\n", encoding="utf-8")
    people = folder / "people.toml"
    people.write_text(PEOPLE, encoding="utf-8")
    case = ce.Case.create(root, examiner="Bench", timezone="Europe/London")
    case.load_people(people)
    case.add(chat, date_order="dmy")
    case.close()
    return root


def timed(case: ce.Case, out: Path, unlisted: bool) -> tuple[float, int]:
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    result = ce.disclose(case, out, unlisted=unlisted)
    return time.perf_counter() - start, result.pseudonyms


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=20_000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "cyberevidence-bench" / "disclose")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    root = build(args.dir, args.events)
    best = {"listed": float("inf"), "all": float("inf")}
    found = {}
    for _ in range(args.rounds):
        for mode in ("listed", "all"):
            case = ce.Case.open(root)
            try:
                took, pseudonyms = timed(case, args.dir / f"out-{mode}-{os.getpid()}", mode == "all")
            finally:
                case.close()
            best[mode] = min(best[mode], took)
            found[mode] = pseudonyms
    ratio = best["all"] / best["listed"]
    print(f"events {args.events:,}: listed {best['listed']:.2f}s ({found['listed']} pseudonyms), "
          f"all {best['all']:.2f}s ({found['all']} pseudonyms); ratio all/listed {ratio:.2f} (goal <= {GOAL})")
    if found["all"] <= found["listed"]:
        print("results wrong: the default found no third party the people file does not list")
        return 1
    met = ratio <= GOAL
    print("goal met" if met else "goal NOT met")
    return 2 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
