"""Hashing benchmark: ``cyberevidence.hashing.hash_file`` against bare hashlib loops.

Measured side by side in one run, interleaved (the order alternates each round to cancel cache
and frequency effects) and repeated; the best time of each method is kept:

* ``hash_file(p, ("sha256",))`` against ``h = hashlib.sha256(); while chunk := f.read(1 << 20): h.update(chunk)``
  -> ratio of throughputs ours/bare, goal >= 0.9;
* ``hash_file(p, ("md5", "sha1", "sha256"))`` against one single-threaded pass updating md5, sha1 and
  sha256 on each chunk -> speedup, goal >= 1.5x.

Every method must give identical digests (exit code 1 otherwise). The test file is random bytes,
created once under ``--dir`` and reused by later runs; the page cache is warmed before timing, so
this measures hashing and the pipeline, not the disk.

    .venv/bin/python benchmarks/bench_hashing.py [--size-mib 512] [--dir DIR] [--rounds 3] [--check]

MB/s are 10^6 bytes per second.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cyberevidence.hashing.digests import hash_file

SINGLE = ("sha256",)
MULTI = ("md5", "sha1", "sha256")
GOAL_SINGLE_RATIO = 0.9
GOAL_MULTI_SPEEDUP = 1.5
BARE_CHUNK = 1 << 20
DEFAULT_DIR = Path(tempfile.gettempdir()) / "cyberevidence-bench"


def ensure_file(directory: Path, size_mib: int) -> Path:
    """A file of ``size_mib`` MiB of random bytes, created once and then reused."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"bench-random-{size_mib}MiB.bin"
    size = size_mib << 20
    if path.exists() and path.stat().st_size == size:
        return path
    tmp = path.with_suffix(".part")
    with open(tmp, "wb") as fh:
        left = size
        while left:
            n = min(left, 8 << 20)
            fh.write(os.urandom(n))
            left -= n
    os.replace(tmp, path)
    return path


def warm(path: Path) -> None:
    """Read the file once so every method starts from the page cache."""
    with open(path, "rb", buffering=0) as fh:
        buf = bytearray(8 << 20)
        while fh.readinto(buf):
            pass


def bare_single(path: Path) -> dict[str, str]:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(BARE_CHUNK):
            h.update(chunk)
    return {"sha256": h.hexdigest()}


def bare_multi(path: Path) -> dict[str, str]:
    hashers = [hashlib.new(a) for a in MULTI]
    with open(path, "rb") as f:
        while chunk := f.read(BARE_CHUNK):
            for h in hashers:
                h.update(chunk)
    return {a: h.hexdigest() for a, h in zip(MULTI, hashers, strict=True)}


def ours_single(path: Path) -> dict[str, str]:
    return hash_file(path, SINGLE)


def ours_multi(path: Path) -> dict[str, str]:
    return hash_file(path, MULTI)


def timed(fn: Callable[[Path], dict[str, str]], path: Path) -> tuple[float, dict[str, str]]:
    t0 = time.perf_counter()
    digests = fn(path)
    return time.perf_counter() - t0, digests


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size-mib", type=int, default=512, help="size of the test file in MiB (default 512)")
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="where the test file lives")
    ap.add_argument("--rounds", type=int, default=3, help="repetitions of each method; the best is kept (default 3)")
    ap.add_argument("--check", action="store_true", help="exit with status 2 when a goal is not met")
    args = ap.parse_args(argv)

    path = ensure_file(args.dir, args.size_mib)
    size = path.stat().st_size
    print(f"file: {path} ({size / 1e6:.0f} MB), {os.cpu_count()} CPU(s), Python {sys.version.split()[0]}, {args.rounds} round(s)")
    warm(path)

    pairs = {
        "single": (("ours sha256", ours_single), ("bare sha256", bare_single)),
        "multi": (("ours md5+sha1+sha256", ours_multi), ("bare one-pass md5+sha1+sha256", bare_multi)),
    }
    best: dict[str, float] = {}
    digests: dict[str, list[dict[str, str]]] = {}
    for r in range(args.rounds):
        for pair in pairs.values():
            order = pair if r % 2 == 0 else pair[::-1]
            for name, fn in order:
                dt, d = timed(fn, path)
                best[name] = min(best.get(name, float("inf")), dt)
                digests.setdefault(name, []).append(d)

    # correctness: every run of every method gives the same digest for each algorithm
    reference = digests["bare one-pass md5+sha1+sha256"][0]
    mismatches = [
        f"{name}: {algo}"
        for name, runs in digests.items()
        for d in runs
        for algo, value in d.items()
        if reference.get(algo) != value
    ]

    def mbps(name: str) -> float:
        return size / best[name] / 1e6

    width = max(len(n) for n in best)
    for name in best:
        print(f"{name:<{width}}  {mbps(name):8.0f} MB/s  (best {best[name]:.3f} s)")
    ratio = mbps("ours sha256") / mbps("bare sha256")
    speedup = mbps("ours md5+sha1+sha256") / mbps("bare one-pass md5+sha1+sha256")
    ok_single, ok_multi = ratio >= GOAL_SINGLE_RATIO, speedup >= GOAL_MULTI_SPEEDUP
    print(f"sha256 ours/bare throughput ratio: {ratio:.2f} (goal >= {GOAL_SINGLE_RATIO}): {'MET' if ok_single else 'NOT MET'}")
    print(
        f"md5+sha1+sha256 speedup over single-thread one pass: {speedup:.2f}x "
        f"(goal >= {GOAL_MULTI_SPEEDUP}x): {'MET' if ok_multi else 'NOT MET'}"
    )
    if mismatches:
        print("DIGESTS DIFFER: " + ", ".join(sorted(set(mismatches))))
        return 1
    print(f"digests: identical across all methods and runs (sha256 {reference['sha256']})")
    return 2 if args.check and not (ok_single and ok_multi) else 0


if __name__ == "__main__":
    sys.exit(main())
