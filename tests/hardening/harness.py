"""Run one input through every sniffer, ``detect`` and one parser, and classify what happened.

The only acceptable failure is a :class:`~cyberevidence.errors.CyberEvidenceError` whose message
names the file. Anything else (a stray ``KeyError``, ``RecursionError``, ``sqlite3`` or ``lxml``
error, a sniffer that raises, a parse that runs past the time limit) is a :class:`Crash`.
"""

from __future__ import annotations

import json
import signal
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import cyberevidence
from cyberevidence.detect import SNIFF_BYTES, detect
from cyberevidence.errors import CyberEvidenceError
from cyberevidence.events import ParseWarning
from cyberevidence.parsers import ParserRegistry, default_registry
from cyberevidence.parsers.base import Strength
from cyberevidence.standalone import source_file_for


class Hang(BaseException):
    """Raised by the alarm when an input takes longer than the time limit."""


@dataclass
class Outcome:
    """What one input did: events, warnings, a clean error, or a crash (with its traceback)."""

    events: int = 0
    warnings: int = 0
    error: str = ""
    crash: str = ""
    where: str = ""

    @property
    def ok(self) -> bool:
        return not self.crash


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`Hang` after ``seconds`` (main thread only; a no-op when ``seconds`` is 0)."""
    if seconds <= 0:
        yield
        return

    def _alarm(signum: int, frame: FrameType | None) -> None:
        raise Hang(f"took longer than {seconds:g} s")

    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


_REGISTRY: ParserRegistry | None = None


def registry() -> ParserRegistry:
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = default_registry()
    return _REGISTRY


def _short_trace(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "cyberevidence" in f.filename] or frames
    last = ours[-1] if ours else None
    at = f" at {Path(last.filename).name}:{last.lineno} ({last.name})" if last else ""
    return f"{type(exc).__name__}: {str(exc)[:300]}{at}"


def check_sniffers(path: Path) -> Outcome:
    """Every sniffer must answer True/False (or a weaker ``Strength``) without raising; ``detect`` must not raise."""
    try:
        with time_limit(10):
            source = source_file_for(path)
            head = path.read_bytes()[:SNIFF_BYTES]
            for info in registry().all():
                try:
                    answer = info.sniff(source, head)
                except Exception as exc:
                    return Outcome(crash=_short_trace(exc), where=f"sniff:{info.name}")
                if not isinstance(answer, bool | Strength):
                    return Outcome(crash=f"sniff returned {answer!r}, not a bool or Strength", where=f"sniff:{info.name}")
            detect(source, registry())
    except Hang as exc:
        return Outcome(crash=f"Hang: {exc}", where="sniff")
    except Exception as exc:
        return Outcome(crash=_short_trace(exc), where="detect")
    return Outcome()


def check_parse(path: Path, parser: str, *, seconds: float = 10.0) -> Outcome:
    """Parse ``path`` with ``parser`` forced; classify the result."""
    warnings: list[ParseWarning] = []
    out = Outcome(where=f"parse:{parser}")
    try:
        with time_limit(seconds):
            for event in cyberevidence.parse(path, format=parser, timezone="Europe/London", warnings=warnings):
                out.events += 1
                # what the index and the exporters do with every event: UTF-8 JSON (no lone surrogates)
                json.dumps(event.to_record(), ensure_ascii=False).encode("utf-8")
            for w in warnings:
                json.dumps(w.to_dict(), ensure_ascii=False).encode("utf-8")
    except Hang as exc:
        out.crash = f"Hang: {exc}"
    except RecursionError as exc:
        out.crash = _short_trace(exc)
    except CyberEvidenceError as exc:
        out.error = str(exc)
        if path.name not in out.error:
            out.crash = f"{type(exc).__name__} does not name the file: {out.error[:300]}"
    except Exception as exc:
        out.crash = _short_trace(exc)
    out.warnings = len(warnings)
    bad = [w for w in warnings if not isinstance(w, ParseWarning) or not (w.code and w.message)]
    if bad and not out.crash:
        out.crash = f"malformed warning: {bad[0]!r}"
    return out


def check(path: Path, parser: str, *, seconds: float = 10.0) -> Outcome:
    """Sniffers first, then the parse."""
    sniffed = check_sniffers(path)
    if not sniffed.ok:
        return sniffed
    return check_parse(path, parser, seconds=seconds)
