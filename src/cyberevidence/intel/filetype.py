"""File-type truth: a name's extension against the media type libmagic reads from the content.

A ``.jpg`` that is really a zip, or a ``.pdf`` that is an executable, is worth a second look:
the manifest flags it. Only extensions we know are judged; an unknown extension is never a
mismatch (we do not guess).
"""

from __future__ import annotations

from pathlib import PurePosixPath

#: Extension -> media types that content sniffing may legitimately report for it.
EXPECTED: dict[str, tuple[str, ...]] = {
    ".jpg": ("image/jpeg",),
    ".jpeg": ("image/jpeg",),
    ".png": ("image/png",),
    ".gif": ("image/gif",),
    ".webp": ("image/webp",),
    ".heic": ("image/heic", "image/heif", "image/heic-sequence", "image/heif-sequence"),
    ".heif": ("image/heif", "image/heic", "image/heif-sequence"),
    ".tif": ("image/tiff",),
    ".tiff": ("image/tiff",),
    ".mp4": ("video/mp4", "video/quicktime", "video/3gpp"),
    ".mov": ("video/quicktime", "video/mp4"),
    ".3gp": ("video/3gpp", "video/mp4"),
    ".opus": ("audio/ogg", "audio/opus"),
    ".ogg": ("audio/ogg", "video/ogg", "audio/opus"),
    ".mp3": ("audio/mpeg",),
    ".m4a": ("audio/mp4", "audio/x-m4a", "video/mp4"),
    ".pdf": ("application/pdf",),
    ".zip": ("application/zip", "application/x-zip-compressed"),
    ".json": ("application/json", "text/plain"),
    ".txt": ("text/plain", "text/csv", "application/csv"),
    ".csv": ("text/csv", "text/plain", "application/csv"),
    ".xml": ("text/xml", "application/xml"),
    ".html": ("text/html", "text/xml", "text/plain"),
    ".htm": ("text/html", "text/xml", "text/plain"),
    ".eml": ("message/rfc822", "text/plain"),
    ".mbox": ("application/mbox", "text/plain", "message/rfc822"),
    ".db": ("application/vnd.sqlite3", "application/x-sqlite3"),
    ".sqlite": ("application/vnd.sqlite3", "application/x-sqlite3"),
    ".msg": ("application/vnd.ms-outlook", "application/x-ole-storage", "application/CDFV2"),
}

#: Media types that say nothing about the content (empty files, unknown binary).
_UNINFORMATIVE = {"", "application/octet-stream", "inode/x-empty", "application/x-empty"}


def extension_mismatch(name: str, media_type: str) -> str:
    """A plain-language note when ``name``'s extension disagrees with ``media_type``, else ``""``."""
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    expected = EXPECTED.get(suffix)
    if expected is None or media_type in _UNINFORMATIVE:
        return ""
    if media_type in expected or (media_type.startswith("text/") and any(e.startswith("text/") for e in expected)):
        return ""
    return f"named {suffix} but the content is {media_type}"
