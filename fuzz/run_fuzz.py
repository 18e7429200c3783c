"""Long-run fuzzing of cyberevidence's parsers and sniffers.

    .venv/bin/python fuzz/run_fuzz.py --seconds 300 --parser whatsapp
    .venv/bin/python fuzz/run_fuzz.py --seconds 60 --parser all

Each parser gets ``--seconds`` of mutated inputs built from its seeds (fixtures, generated
databases, and ``../shared/corpus`` when present; corpus files are read in place, never copied).
Every input goes through every sniffer, ``detect`` and ``cyberevidence.parse(format=NAME)``; the
only acceptable failure is a ``CyberEvidenceError`` naming the file. Crashing inputs are saved to
``--crashes DIR`` (default: a folder under the system temp dir, outside the repository) with one
``.txt`` note each. Memory is capped with ``RLIMIT_AS`` (``--max-memory-mb``), so a parser that
reads a whole hostile input into memory shows up as a ``MemoryError`` crash.

The output is one line per parser: inputs tried, crashes, and distinct crash signatures.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from hardening.harness import Outcome, check, registry  # noqa: E402
from hardening.mutators import mutate  # noqa: E402
from hardening.seeds import seed_files  # noqa: E402


def fuzz_one(
    name: str, seconds: float, rnd: random.Random, work: Path, crashes: Path, per_input: float
) -> tuple[int, Counter[str]]:
    seeds = [(p, p.read_bytes()) for p in seed_files(name, work / "seeds" / name)]
    if not seeds:
        return 0, Counter()
    signatures: Counter[str] = Counter()
    tried = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        seed_path, data = rnd.choice(seeds)
        mutated = mutate(seed_path, data, rnd)
        target = work / "inputs" / name / seed_path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(mutated)
        tried += 1
        try:
            outcome = check(target, name, seconds=per_input)
        except MemoryError:
            outcome = Outcome(crash="MemoryError: above --max-memory-mb", where=f"parse:{name}")
        signature = f"{outcome.where}: {outcome.crash.split(':', 1)[0]} {outcome.crash.rsplit(' at ', 1)[-1]}"
        if not outcome.ok:
            new = signature not in signatures
            signatures[signature] += 1
            if new:
                digest = hashlib.sha256(mutated).hexdigest()[:16]
                saved = crashes / name / f"{digest}-{seed_path.name}"
                saved.parent.mkdir(parents=True, exist_ok=True)
                saved.write_bytes(mutated)
                detail = outcome.crash
                saved.with_suffix(saved.suffix + ".crash.txt").write_text(
                    f"parser: {name}\nseed: {seed_path}\n{outcome.where}\n{detail}\n", encoding="utf-8"
                )
                print(f"  [{name}] NEW {signature}\n      {detail}\n      saved {saved}", flush=True)
    return tried, signatures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=60.0, help="time per parser (default 60)")
    ap.add_argument("--parser", default="all", help="a parser name, a comma-separated list, or 'all' (default)")
    ap.add_argument("--seed", type=int, default=None, help="random seed (default: from the clock; printed)")
    ap.add_argument("--crashes", type=Path, default=Path(tempfile.gettempdir()) / "cyberevidence-fuzz-crashes")
    ap.add_argument("--per-input-seconds", type=float, default=10.0, help="an input taking longer is a hang (default 10)")
    ap.add_argument("--max-memory-mb", type=int, default=3072, help="address-space cap for this process (0 = none)")
    args = ap.parse_args(argv)

    if args.max_memory_mb:
        cap = args.max_memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    names = [p.name for p in registry().all()] if args.parser == "all" else args.parser.split(",")
    for n in names:
        registry().get(n)
    seed = args.seed if args.seed is not None else int(time.time())
    rnd = random.Random(seed)
    print(f"seed {seed}; {args.seconds:g} s per parser; crashes saved under {args.crashes}", flush=True)
    total_crashes = 0
    rows = []
    with tempfile.TemporaryDirectory(prefix="cyberevidence-fuzz-") as tmp:
        for n in names:
            tried, sigs = fuzz_one(n, args.seconds, rnd, Path(tmp), args.crashes, args.per_input_seconds)
            crashes = sum(sigs.values())
            total_crashes += crashes
            rows.append((n, tried, crashes, len(sigs)))
            print(f"{n:24s} inputs {tried:7d}  crashes {crashes:5d}  distinct {len(sigs):3d}", flush=True)
            for sig, count in sigs.most_common():
                print(f"    {count:5d} x {sig}", flush=True)
    print("\nparser                    inputs  crashes  distinct")
    for n, tried, crashes, distinct in rows:
        print(f"{n:24s} {tried:7d}  {crashes:7d}  {distinct:8d}")
    return 1 if total_crashes else 0


if __name__ == "__main__":
    raise SystemExit(main())
