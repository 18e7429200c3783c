"""The evidence pack: a folder for police, a prosecutor or a solicitor, drawn from the case.

It holds the exhibit list with stable references (``JS/1`` ...), a continuity statement from
the custody log, a scope statement with an exclusions log and each source's limitations, a
DRAFT US FRE 902(14) certification for a qualified person, the course-of-conduct summary, the
markers and breaches, the indicators a person confirmed, and ``pack-manifest.json`` with every
file's SHA-256. The pack is recorded in the case's custody log. See ``docs/evidence-pack.md``::

    result = make_pack(case, "pack-1", initials="JS")
"""

from cyberevidence.pack.build import EXHIBIT_COLUMNS, FRE_FILE, PACK_MANIFEST, PackResult, make_pack
from cyberevidence.pack.exhibits import Exhibit, assign_exhibits, default_initials, recorded_references
from cyberevidence.pack.statements import DRAFT_BANNER

__all__ = [
    "DRAFT_BANNER",
    "EXHIBIT_COLUMNS",
    "FRE_FILE",
    "PACK_MANIFEST",
    "Exhibit",
    "PackResult",
    "assign_exhibits",
    "default_initials",
    "make_pack",
    "recorded_references",
]
