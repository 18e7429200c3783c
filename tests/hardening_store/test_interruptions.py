"""Honest interruptions (issue 13, item 5): Ctrl-C, an exception anywhere, a full disk.

Whatever stops ``add`` (copy, hash, derive, parse, index, custody append, manifest refresh):

* the case verifies (exit code 0; only the notes an interrupted writer leaves);
* the stop is in custody (action ``interrupted``) when the process lived to write it;
* the next identical ``add`` finishes the job: the same timeline event ids and sources, the same
  warnings, each acquire/derive/parse logged once, as a clean run gives;
* a full disk is a ``StorageFullError`` that names the file and says to free space and run the
  same command again (the CLI prints it with exit code 2 and no traceback).

``kill -9`` is covered by ``test_crash_safety.py``; its helpers are reused here.
"""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import cyberevidence as ce
import cyberevidence.case as case_module
import cyberevidence.store.ingest as ingest_module
from cyberevidence.errors import StorageFullError
from cyberevidence.store.custody import CustodyEntry, CustodyLog
from cyberevidence.store.index import Index
from cyberevidence.store.ingest import CaseParseContext, Ingest
from cyberevidence.store.objects import EvidenceStore

from . import add_command, work_done, write_sms_xml, write_whatsapp_txt, write_whatsapp_zip
from . import test_crash_safety as crash
from .test_crash_safety import assert_intact_after_kill, finish_and_compare, make_inputs, snapshot

EXAMINER = "J. Smith"
#: Seconds a child may take to exit after Ctrl-C.
EXIT_WITHIN = 5.0
PAGE = 4096


def new_case(path: Path) -> Path:
    ce.Case.create(path, examiner=EXAMINER, case_id="hardening")
    return path


def custody_of(case_dir: Path) -> list[CustodyEntry]:
    return list(CustodyLog(case_dir / "custody.jsonl").entries())


def stops_in(entries: list[CustodyEntry]) -> list[CustodyEntry]:
    return [e for e in entries if e.action == "interrupted"]


def small_inputs(folder: Path) -> list[Path]:
    """Three exports, small enough for dozens of in-process runs; the text gives two event batches."""
    folder.mkdir()
    return [
        write_whatsapp_txt(folder / "WhatsApp Chat with Mark Kell.txt", 2_700, seed=1),
        write_sms_xml(folder / "sms-20250101000000.xml", 150, seed=2),
        write_whatsapp_zip(folder / "WhatsApp Chat - Dana.zip", 80, seed=3, media=8, media_bytes=3_000),
    ]


def add_in_process(case_dir: Path, inputs: list[Path]) -> float:
    t0 = time.monotonic()
    with ce.Case.open(case_dir) as case:
        case.add(*inputs)
    return time.monotonic() - t0


def finish_in_process(monkeypatch: pytest.MonkeyPatch, case_dir: Path, inputs: list[Path], clean: dict[str, Any]) -> None:
    """:func:`finish_and_compare`, with its re-run done in this process (no CLI start-up per case)."""
    with monkeypatch.context() as m:
        m.setattr(crash, "run_add", add_in_process)
        finish_and_compare(case_dir, inputs, clean)


# --------------------------------------------------------------------------- the steps of add
#: Each function ``add`` calls on its way, by a short name: (where it is looked up, attribute).
TARGETS: dict[str, tuple[Any, str]] = {
    "acquire": (Ingest, "acquire"),
    "put_stream": (EvidenceStore, "put_stream"),
    "media_type_of": (ingest_module, "media_type_of"),
    "custody_prepare": (CustodyLog, "prepare"),
    "custody_write": (CustodyLog, "write"),
    "store_commit": (EvidenceStore, "commit"),
    "index_transaction": (Index, "transaction"),
    "add_artefact": (Index, "add_artefact"),
    "parse": (Ingest, "parse"),
    "clear_parse": (Index, "clear_parse"),
    "derive": (CaseParseContext, "derive"),
    "add_warning": (Index, "add_warning"),
    "add_events": (Index, "add_events"),
    "reconcile": (Index, "reconcile"),
    "record_parse": (Index, "record_parse"),
    "digests_of": (ingest_module, "digests_of"),
    "set_pending_custody": (Index, "set_pending_custody"),
    "build_manifest": (case_module, "build_manifest"),
    "write_manifest": (case_module, "write_manifest"),
}

POSITIONS = ("first", "middle", "last")


class Fault:
    """Wraps a callable so that its ``n``-th call raises (``sticky``: every call from the ``n``-th on)."""

    def __init__(self, n: int, make: Callable[[int], BaseException], *, sticky: bool = False) -> None:
        self.n, self.make, self.sticky = n, make, sticky
        self.calls = 0
        self.raised: list[BaseException] = []

    def wrap(self, real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if self.calls == self.n or (self.sticky and self.calls > self.n):
                exc = self.make(self.calls)
                self.raised.append(exc)
                raise exc
            return real(*args, **kwargs)

        return wrapper


@dataclass
class Workload:
    inputs: list[Path]
    clean: dict[str, Any]
    calls: dict[str, int]

    def nth(self, target: str, position: str) -> int:
        total = self.calls[target]
        assert total > 0, f"a clean add never calls {target}"
        return {"first": 1, "middle": (total + 1) // 2, "last": total}[position]


@pytest.fixture(scope="module")
def workload(tmp_path_factory: pytest.TempPathFactory) -> Workload:
    """The small exports, a clean case made from them, and how often a clean ``add`` calls each step."""
    root = tmp_path_factory.mktemp("interruptions")
    inputs = small_inputs(root / "in")
    clean_dir = new_case(root / "clean")
    counters = {name: Fault(0, RuntimeError) for name in TARGETS}
    with pytest.MonkeyPatch.context() as m:
        for name, (owner, attr) in TARGETS.items():
            m.setattr(owner, attr, counters[name].wrap(getattr(owner, attr)))
        add_in_process(clean_dir, inputs)
    clean = snapshot(clean_dir)
    assert clean["event_count"] == 2_700 + 150 + 80
    assert max(clean["work"].values()) == 1
    return Workload(inputs, clean, {name: f.calls for name, f in counters.items()})


def _injected(name: str, kind: type[BaseException]) -> Callable[[int], BaseException]:
    return lambda call: kind(f"injected failure in {name} (call {call})")


def _steps() -> list[Any]:
    few = {"acquire", "parse", "clear_parse", "build_manifest", "write_manifest"}
    cases = [
        pytest.param(t, p, RuntimeError, False, id=f"{t}-{p}")
        for t in TARGETS
        for p in (("first",) if t in ("build_manifest", "write_manifest") else ("first", "last") if t in few else POSITIONS)
    ]
    ctrl_c = ("put_stream", "custody_write", "store_commit", "derive", "add_events", "digests_of", "set_pending_custody",
              "write_manifest", "index_transaction")
    cases += [pytest.param(t, "middle", KeyboardInterrupt, False, id=f"{t}-middle-ctrl-c") for t in ctrl_c]
    # The failure persists through the clean-up (as a full disk does): the first error must still be the one raised.
    sticky = ("write_manifest", "build_manifest", "custody_write", "index_transaction", "put_stream")
    cases += [pytest.param(t, "middle", RuntimeError, True, id=f"{t}-middle-persists") for t in sticky]
    return cases


@pytest.mark.parametrize(("target", "position", "kind", "sticky"), _steps())
def test_exception_at_each_step_then_rerun(
    workload: Workload,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    target: str,
    position: str,
    kind: type[BaseException],
    sticky: bool,
) -> None:
    case_dir = new_case(tmp_path / "case")
    fault = Fault(workload.nth(target, position), _injected(target, kind), sticky=sticky)
    owner, attr = TARGETS[target]
    with monkeypatch.context() as m:
        m.setattr(owner, attr, fault.wrap(getattr(owner, attr)))
        with pytest.raises(kind) as caught:
            add_in_process(case_dir, workload.inputs)
    assert fault.raised, "the fault never fired"
    assert caught.value is fault.raised[0], "a failure in the clean-up replaced the error that stopped add"
    label = f"{target}-{position}"
    assert_intact_after_kill(case_dir, label)
    entries = custody_of(case_dir)
    stops = stops_in(entries)
    if sticky and target == "custody_write":
        assert not stops  # custody cannot be written: the next writer's recovery puts things right
    else:
        assert len(stops) == 1 and entries[-1] == stops[0], [e.action for e in entries]
        reason = stops[0].details["reason"]
        assert ("Ctrl-C" in reason) if kind is KeyboardInterrupt else (str(fault.raised[0]) in reason), reason
    finish_in_process(monkeypatch, case_dir, workload.inputs, workload.clean)


# --------------------------------------------------------------------------- a full disk, simulated
class _FullFile:
    """A file object whose writes fail with ENOSPC (the disk filled while it was written)."""

    def __init__(self, real: Any, path: str) -> None:
        self._real, self._path = real, path

    def write(self, data: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def __enter__(self) -> _FullFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._real.close()


class FullDisk:
    """ENOSPC at one kind of write point, from its ``n``-th write on, until :meth:`free` is called.

    ``custody``: ``os.write`` to ``custody.jsonl`` (``partial``: the ``n``-th write stores half its
    bytes first, as a disk filling mid-line does); ``store``/``manifest``: the temporary files of
    the evidence store or of manifest.json/SHA256SUMS; ``index``: SQLite's commit fails with
    "database or disk is full".
    """

    def __init__(self, where: str, n: int, *, partial: bool = False) -> None:
        self.where, self.n, self.partial = where, n, partial
        self.writes = 0
        self.full = True

    def free(self) -> None:
        self.full = False

    def _hit(self) -> bool:
        self.writes += 1
        return self.full and self.writes >= self.n

    def install(self, m: pytest.MonkeyPatch) -> None:
        if self.where == "custody":
            real_write = os.write

            def write(fd: int, data: Any) -> int:
                if os.readlink(f"/proc/self/fd/{fd}").endswith("custody.jsonl") and self._hit():
                    if self.partial and self.writes == self.n and len(data) > 1:
                        return real_write(fd, bytes(data[: len(data) // 2]))
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                return real_write(fd, data)

            m.setattr(os, "write", write)
        elif self.where in ("store", "manifest"):
            real_fdopen = os.fdopen

            def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
                path = os.readlink(f"/proc/self/fd/{fd}")
                real = real_fdopen(fd, *args, **kwargs)
                name = Path(path).name
                ours = (
                    f"{os.sep}evidence{os.sep}tmp{os.sep}" in path
                    if self.where == "store"
                    else name.startswith((".manifest.json.", ".SHA256SUMS."))
                )
                return _FullFile(real, path) if ours and self._hit() else real

            m.setattr(os, "fdopen", fdopen)
        elif self.where == "index":
            disk = self

            class FullConnection(sqlite3.Connection):
                def commit(self) -> None:
                    if disk._hit():
                        raise sqlite3.OperationalError("database or disk is full")
                    super().commit()

            real_connect = sqlite3.connect

            def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
                if kwargs.get("uri") or "factory" in kwargs:
                    return real_connect(*args, **kwargs)
                return real_connect(*args, factory=FullConnection, **kwargs)

            m.setattr(sqlite3, "connect", connect)
        else:
            raise ValueError(self.where)


#: (where, n-th write, partial, the file the error must name)
FULL_POINTS = [
    pytest.param("store", 1, False, "evidence", id="store-first-copy"),
    pytest.param("store", 7, False, "evidence", id="store-derived-member"),
    pytest.param("custody", 1, False, "custody.jsonl", id="custody-first-entry"),
    pytest.param("custody", 6, True, "custody.jsonl", id="custody-half-a-line"),
    pytest.param("custody", 15, False, "custody.jsonl", id="custody-last-parse-entry"),
    pytest.param("index", 1, False, "index.sqlite", id="index-first-commit"),
    pytest.param("index", 5, False, "index.sqlite", id="index-parse-commit"),
    pytest.param("manifest", 1, False, "SHA256SUMS", id="manifest-sums"),
    pytest.param("manifest", 2, False, "manifest.json", id="manifest-json"),
]


def assert_names_full_disk(message: str, case_dir: Path, name: str) -> None:
    assert str(case_dir) in message and name in message, message
    assert "Free some space" in message and "run the same command again" in message, message


@pytest.mark.parametrize(("where", "n", "partial", "name"), FULL_POINTS)
def test_disk_full_is_named_and_rerun_finishes(
    workload: Workload, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, n: int, partial: bool, name: str
) -> None:
    case_dir = new_case(tmp_path / "case")
    disk = FullDisk(where, n, partial=partial)
    before = (case_dir / "custody.jsonl").read_bytes()
    with monkeypatch.context() as m:
        disk.install(m)
        with pytest.raises(StorageFullError) as caught:
            add_in_process(case_dir, workload.inputs)
        exc = caught.value
        assert_names_full_disk(f"{exc} {exc.hint}", case_dir, name)
        assert_intact_after_kill(case_dir, where)  # verified while the disk is still full
        assert (case_dir / "custody.jsonl").read_bytes().startswith(before)
        entries = custody_of(case_dir)
        if where == "custody":
            assert not stops_in(entries)
        else:
            assert entries[-1].action == "interrupted" and "StorageFullError" in entries[-1].details["reason"]
        disk.free()
    finish_in_process(monkeypatch, case_dir, workload.inputs, workload.clean)


_FULL_DISK_CLI = """
import errno, os, sqlite3, sys
where, cli = sys.argv[1], sys.argv[2]
sys.argv = [cli, "add", *sys.argv[3:]]
if where == "custody":
    real_write = os.write
    def write(fd, data):
        if os.readlink(f"/proc/self/fd/{fd}").endswith("custody.jsonl"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)
    os.write = write
else:
    class Full(sqlite3.Connection):
        def commit(self):
            raise sqlite3.OperationalError("database or disk is full")
    real_connect = sqlite3.connect
    def connect(*args, **kwargs):
        return real_connect(*args, **kwargs) if kwargs.get("uri") else real_connect(*args, factory=Full, **kwargs)
    sqlite3.connect = connect
from cyberevidence_cli.main import run
run()
"""


def assert_cli_says_disk_full(proc: subprocess.CompletedProcess[str], case_dir: Path, name: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-3000:])
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert_names_full_disk(proc.stderr, case_dir, name)


@pytest.mark.parametrize(("where", "name"), [("custody", "custody.jsonl"), ("index", "index.sqlite")])
def test_cli_disk_full_message(workload: Workload, tmp_path: Path, where: str, name: str) -> None:
    case_dir = new_case(tmp_path / "case")
    cli = add_command(case_dir)[0]
    proc = subprocess.run(
        [sys.executable, "-c", _FULL_DISK_CLI, where, cli, str(case_dir), *map(str, workload.inputs)],
        capture_output=True, text=True, timeout=300,
    )
    assert_cli_says_disk_full(proc, case_dir, name)
    assert_intact_after_kill(case_dir, where)
    finish_and_compare(case_dir, workload.inputs, workload.clean)


# --------------------------------------------------------------------------- a full disk, for real
def _used(mount: Path) -> int:
    st = os.statvfs(mount)
    return (st.f_blocks - st.f_bfree) * st.f_frsize


def _free(mount: Path) -> int:
    st = os.statvfs(mount)
    return st.f_bavail * st.f_frsize


def _fill(mount: Path, leave: int) -> Path:
    """A filler file that leaves ``leave`` bytes (whole pages) free on ``mount``."""
    filler = mount / "filler"
    size = _free(mount) - (leave // PAGE) * PAGE
    assert size > 0, "the small disk is too small for this test"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.posix_fallocate(fd, 0, size)
    finally:
        os.close(fd)
    assert abs(_free(mount) - (leave // PAGE) * PAGE) <= PAGE
    return filler


_CALIBRATE = """
import json, os, sys
import cyberevidence.case as case_module
from cyberevidence.store.ingest import Ingest
from cyberevidence.store.manifest import manifest_bytes
out, mount, cli = sys.argv[1], sys.argv[2], sys.argv[3]
sys.argv = [cli, "add", *sys.argv[4:]]
def used():
    st = os.statvfs(mount)
    return (st.f_blocks - st.f_bfree) * st.f_frsize
points = {}
real_parse, real_write = Ingest.parse, case_module.write_manifest
def parse(self, *args, **kwargs):
    points.setdefault("parse", used())
    return real_parse(self, *args, **kwargs)
def write_manifest(root, manifest, *args, **kwargs):
    points["manifest"] = used()
    points["manifest_bytes"] = len(manifest_bytes(manifest))
    return real_write(root, manifest, *args, **kwargs)
Ingest.parse, case_module.write_manifest = parse, write_manifest
from cyberevidence_cli.main import run
try:
    run()
finally:
    with open(out, "w") as fh:
        json.dump(points, fh)
"""


@dataclass
class SmallDisk:
    mount: Path
    #: Bytes an ``add`` on a new case has used on the disk when parsing starts and when the manifest is written.
    at_parse: int
    at_manifest: int
    manifest_bytes: int


@pytest.fixture(scope="module")
def small_disk(tmp_path_factory: pytest.TempPathFactory, workload: Workload) -> Iterator[SmallDisk]:
    """A 48 MB tmpfs for the case (needs root with CAP_SYS_ADMIN; skipped otherwise), calibrated with one ``add``."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root on Linux")
    mount = tmp_path_factory.mktemp("small-disk")
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m,mode=0700", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
    try:
        case_dir = new_case(mount / "case")
        base = _used(mount)
        out = tmp_path_factory.mktemp("calibration") / "points.json"
        cli = add_command(case_dir)[0]
        run = subprocess.run(
            [sys.executable, "-c", _CALIBRATE, str(out), str(mount), cli, str(case_dir), *map(str, workload.inputs)],
            capture_output=True, text=True, timeout=300,
        )
        assert run.returncode == 0, run.stderr[-3000:]
        points = json.loads(out.read_text())
        shutil.rmtree(case_dir)
        yield SmallDisk(mount, points["parse"] - base, points["manifest"] - base, points["manifest_bytes"])
    finally:
        if subprocess.run(["umount", str(mount)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _leave(disk: SmallDisk, inputs: list[Path], point: str) -> int:
    """Free space to leave after ``create`` so that the disk fills during the copy, the parse, or the manifest."""
    if point == "copy":
        return inputs[0].stat().st_size // 2
    if point == "index":  # the text's parse first fills the WAL (about half the growth), then the checkpoint
        return disk.at_parse + (disk.at_manifest - disk.at_parse) // 4
    pages = -(-disk.manifest_bytes // PAGE)
    assert pages >= 2, "the manifest is too small to fill the disk half-way through it"
    return disk.at_manifest + PAGE + (pages // 2) * PAGE  # SHA256SUMS fits, manifest.json does not


@pytest.mark.parametrize(("point", "name"), [("copy", "evidence"), ("index", "index.sqlite"), ("manifest", "manifest.json")])
def test_real_full_disk_then_free_space_and_rerun(
    small_disk: SmallDisk, workload: Workload, point: str, name: str
) -> None:
    case_dir = new_case(small_disk.mount / "case")
    filler = small_disk.mount / "filler"
    try:
        filler = _fill(small_disk.mount, _leave(small_disk, workload.inputs, point))
        proc = subprocess.run(add_command(case_dir, *workload.inputs), capture_output=True, text=True, timeout=300)
        assert_cli_says_disk_full(proc, case_dir, name)
        assert_intact_after_kill(case_dir, point)  # still full
        entries = custody_of(case_dir)
        stops = stops_in(entries)
        if stops:  # written when the failed write left room for it
            assert entries[-1] == stops[-1] and "StorageFullError" in stops[-1].details["reason"]
        filler.unlink()  # free the space
        finish_and_compare(case_dir, workload.inputs, workload.clean)
    finally:
        filler.unlink(missing_ok=True)
        shutil.rmtree(case_dir, ignore_errors=True)


# --------------------------------------------------------------------------- Ctrl-C in the real CLI
def _lock_holder(case_dir: Path) -> int:
    try:
        return int((case_dir / ".lock").read_text().strip() or 0)
    except (OSError, ValueError):
        return 0


def _start_add(case_dir: Path, inputs: list[Path], stderr: Path) -> tuple[subprocess.Popen[bytes], bool]:
    """Start ``add`` in a child; return once it holds the case lock (False: it exited first)."""
    with open(stderr, "wb") as err:
        proc = subprocess.Popen(add_command(case_dir, *inputs), stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.monotonic() + 120
    while _lock_holder(case_dir) != proc.pid:
        if proc.poll() is not None or time.monotonic() > deadline:
            return proc, False
        time.sleep(0.002)
    return proc, True


def sigint_and_finish(tmp_path: Path, interrupts: int, scale: int, seed: int) -> None:
    """Ctrl-C ``add`` ``interrupts`` times at random moments after it took the case lock (every
    fourth time twice, the second press during the clean-up); each stop resumes the same case."""
    inputs = make_inputs(tmp_path / "in", scale)
    clean_dir = new_case(tmp_path / "clean")
    proc, locked = _start_add(clean_dir, inputs, tmp_path / "clean.err")
    t0 = time.monotonic()
    assert locked and proc.wait(timeout=300) == 0, (tmp_path / "clean.err").read_text()
    span = time.monotonic() - t0
    clean = snapshot(clean_dir)
    rng = random.Random(seed)
    sent = logged = cases = 0
    case_dir = new_case(tmp_path / "stopped-0")
    for attempt in range(interrupts * 3):
        if sent >= interrupts:
            break
        before = custody_of(case_dir)
        err = tmp_path / f"attempt-{attempt}.err"
        proc, locked = _start_add(case_dir, inputs, err)
        if locked:
            time.sleep(rng.uniform(0.0, 0.95) * span)
        signalled = proc.poll() is None
        if signalled:
            os.kill(proc.pid, signal.SIGINT)
            stopped_at = time.monotonic()
            sent += 1
            if attempt % 4 == 3:
                time.sleep(rng.uniform(0.001, 0.05))
                if proc.poll() is None:
                    os.kill(proc.pid, signal.SIGINT)
        try:
            rc = proc.wait(timeout=EXIT_WITHIN if signalled else 300)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            pytest.fail(f"attempt {attempt}: add did not exit within {EXIT_WITHIN}s of Ctrl-C")
        stderr = err.read_text(errors="replace")
        if signalled:
            assert time.monotonic() - stopped_at < EXIT_WITHIN
            assert rc in (0, 130), (attempt, rc, stderr[-3000:])
            assert "Traceback" not in stderr, (attempt, stderr[-3000:])
            if rc == 130:
                assert "Stopped" in stderr and "run the same command again" in stderr, (attempt, stderr[-3000:])
        else:
            assert rc == 0, (attempt, stderr[-3000:])
        assert_intact_after_kill(case_dir, attempt)
        entries = custody_of(case_dir)
        new = entries[len(before):]
        assert entries[: len(before)] == before
        finished = work_done(entries) == clean["work"]
        stops = stops_in(new)
        if stops:
            assert len(stops) == 1 and new[-1] == stops[0], (attempt, [e.action for e in new])
            assert "Ctrl-C" in stops[0].details["reason"]
            logged += 1
        elif signalled:  # the child held the lock when it was stopped: the stop must be logged, unless the work was done
            assert finished, (attempt, rc, [e.action for e in new])
        if finished:
            finish_and_compare(case_dir, inputs, clean)
            cases += 1
            case_dir = new_case(tmp_path / f"stopped-{cases}")
    assert sent >= interrupts, f"only {sent} runs were still working when Ctrl-C came"
    assert logged >= interrupts // 2, f"only {logged} of {sent} stops were logged in custody"
    finish_and_compare(case_dir, inputs, clean)


def test_ctrl_c_at_random_points_then_rerun(tmp_path: Path) -> None:
    sigint_and_finish(tmp_path, interrupts=20, scale=1, seed=20250306)


@pytest.mark.long
def test_ctrl_c_at_random_points_then_rerun_long(tmp_path: Path) -> None:
    sigint_and_finish(tmp_path, interrupts=60, scale=3, seed=777)
