"""Linking the files an export names (photos, voice notes) to their stored copies.

Two places a named file can be, one linker each, with the same safety rules: a path with
``..``, an absolute path or a drive is never followed, nothing is extracted to disk, and a file
that is not there is an attachment without a digest (the parser says so in a warning).

* :class:`SiblingMedia`: files acquired beside the source (an unpacked export folder), already
  stored; looked up by the export's relative path exactly.
* :class:`ZipMedia`: members of the same zip, found by path relative to the download root (any
  root folder, case-insensitive), each derived (hashed and kept) the first time it is linked;
  :class:`NoMedia` when only one file of the download was given.
"""

from __future__ import annotations

import io
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field

from cyberevidence.archive import CHUNK, SafeMember, SafeZip
from cyberevidence.errors import UnsafeArchiveError
from cyberevidence.events import Attachment, ParseWarning
from cyberevidence.parsers.base import DerivedRef, ParseContext, SourceFile


def normalise_rel(path: str) -> str:
    """An export-relative path in one spelling: forward slashes, no ``./``, no leading ``/``."""
    p = path.replace("\\", "/").strip()
    while p.startswith("./"):
        p = p[2:]
    return p.lstrip("/")


@dataclass(slots=True)
class SiblingMedia:
    """Finds the stored copy of a file the export names, among ``source.siblings``.

    Siblings are looked up by the export's relative path exactly (``photos/photo_1@....jpg``);
    a bare file name is looked up as a name. A path with ``..`` or an absolute path is never
    followed. Nothing is read or re-hashed: the siblings were already acquired and stored.
    """

    siblings: Mapping[str, SourceFile]
    by_rel: dict[str, SourceFile] = field(init=False)

    def __post_init__(self) -> None:
        self.by_rel = {normalise_rel(name): sib for name, sib in self.siblings.items()}

    @property
    def supplied(self) -> bool:
        return bool(self.by_rel)

    def find(self, path: str) -> SourceFile | None:
        if path.strip().startswith(("/", "\\")):
            return None
        rel = normalise_rel(path)
        if not rel or ".." in rel.split("/") or ":" in rel.split("/")[0]:
            return None
        return self.by_rel.get(rel)

    def attachment(self, path: str) -> Attachment:
        found = self.find(path)
        name = normalise_rel(path)
        if found is None:
            return Attachment(name)
        return Attachment(name, found.sha256, found.media_type)


class NoMedia:
    """No media were given with the file (one file of an unpacked download): every link is omitted."""

    supplied = False

    def find(self, uri: str, base_dir: str = "") -> tuple[DerivedRef | None, list[ParseWarning]]:
        return None, []


class ZipMedia(NoMedia):
    """Media inside the same zip: found by path (relative to the download root, any root folder).

    A member is derived (hashed and kept) the first time a message links it.
    """

    supplied = True

    def __init__(self, zf: SafeZip, source: SourceFile, ctx: ParseContext) -> None:
        self.zf, self.source, self.ctx = zf, source, ctx
        self.by_base: dict[str, list[SafeMember]] = {}
        for m in zf.members:
            self.by_base.setdefault(posixpath.basename(m.path).casefold(), []).append(m)
        self.done: dict[str, DerivedRef | None] = {}

    def find(self, uri: str, base_dir: str = "") -> tuple[DerivedRef | None, list[ParseWarning]]:
        if not uri or "://" in uri:
            return None, []
        rel = uri[2:] if uri.startswith("./") else uri.lstrip("/")
        want = posixpath.normpath(posixpath.join(base_dir, rel)) if base_dir else posixpath.normpath(rel)
        want_cf = want.casefold()
        for m in self.by_base.get(posixpath.basename(want_cf), []):
            p = m.path.casefold()
            if p == want_cf or p.endswith("/" + want_cf):
                return self._derive(m)
        return None, []

    def _derive(self, m: SafeMember) -> tuple[DerivedRef | None, list[ParseWarning]]:
        if m.path in self.done:
            return self.done[m.path], []
        try:
            with io.BufferedReader(self.zf.open(m), CHUNK) as fh:
                ref: DerivedRef | None = self.ctx.derive(fh, parent=self.source, path_in_parent=m.path)
        except UnsafeArchiveError as exc:
            self.done[m.path] = None
            msg = f"zip member {m.path!r} could not be read safely: {exc}"
            return None, [ParseWarning("unreadable_member", msg, locator=m.path, file=self.source.name)]
        self.done[m.path] = ref
        return ref, []


__all__ = ["NoMedia", "SiblingMedia", "ZipMedia", "normalise_rel"]
