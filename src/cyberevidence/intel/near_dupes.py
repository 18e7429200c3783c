"""Near-duplicate pictures: the same photo re-encoded, resized or recompressed by an app.

Exact copies are already one artefact (same SHA-256). A picture that went through WhatsApp and
then e-mail is usually *not* byte-identical, so this compares perceptual hashes (``imagehash``'s
pHash, 64 bits) and reports pairs within ``max_distance`` bits as a **suggestion with its
distance**. Nothing is merged: they stay separate exhibits, and a person decides.

Needs the optional extra ``pip install 'cyberevidence[images]'`` (imagehash + Pillow).
Pillow decodes the picture, which is more exposure to hostile input than reading EXIF, so
decompression-bomb protection stays on and a picture that fails to decode is skipped with a note.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

from cyberevidence.errors import CyberEvidenceError

DEFAULT_MAX_DISTANCE = 8


class NearDuplicateUnavailableError(CyberEvidenceError):
    """The optional image libraries are not installed."""

    hint = "Install them with: pip install 'cyberevidence[images]'"


@dataclass(frozen=True, slots=True)
class NearDuplicate:
    sha256_a: str
    sha256_b: str
    names_a: tuple[str, ...]
    names_b: tuple[str, ...]
    distance: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "sha256_a": self.sha256_a,
            "sha256_b": self.sha256_b,
            "names_a": list(self.names_a),
            "names_b": list(self.names_b),
            "distance": self.distance,
            "max_bits": 64,
        }


def _libs() -> tuple[Any, Any]:
    try:
        import imagehash
        from PIL import Image
    except ImportError:
        raise NearDuplicateUnavailableError("near-duplicate detection needs the optional imagehash and Pillow packages") from None
    return imagehash, Image


def near_duplicates(
    images: Iterable[tuple[str, list[str], Path]], max_distance: int = DEFAULT_MAX_DISTANCE
) -> tuple[list[NearDuplicate], list[str]]:
    """Pairs of different pictures whose pHash differs by at most ``max_distance`` bits, and notes
    for pictures that could not be decoded."""
    imagehash, image_mod = _libs()
    hashes: list[tuple[str, tuple[str, ...], Any]] = []
    notes: list[str] = []
    for sha, names, path in images:
        try:
            with image_mod.open(path) as img:
                hashes.append((sha, tuple(names), imagehash.phash(img)))
        except Exception as exc:  # Pillow raises many types on hostile input: skip and say so
            notes.append(f"{', '.join(names) or sha}: not compared ({type(exc).__name__})")
    pairs = []
    for (sa, na, ha), (sb, nb, hb) in combinations(hashes, 2):
        distance = int(ha - hb)
        if distance <= max_distance:
            pairs.append(NearDuplicate(sa, sb, na, nb, distance))
    pairs.sort(key=lambda p: (p.distance, p.sha256_a, p.sha256_b))
    return pairs, notes
