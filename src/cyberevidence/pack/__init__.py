"""The evidence pack: a folder for police, a prosecutor or a solicitor, drawn from the case.

It holds the exhibit list with stable references (``JS/1`` ...), a continuity statement from
the custody log, a scope statement with an exclusions log and each source's limitations, a
DRAFT UK witness-statement style exhibit list and continuity text and a DRAFT US FRE 902(14)
certification, both for a qualified person to adopt, the course-of-conduct summary, the
markers and breaches, the indicators a person confirmed, and ``pack-manifest.json`` with every
file's SHA-256. The pack is recorded in the case's custody log. See ``docs/evidence-pack.md``::

    result = make_pack(case, "pack-1", initials="JS")
"""

from cyberevidence.exhibits import Exhibit, assign_exhibits, default_initials, recorded_references
from cyberevidence.pack.build import EXHIBIT_COLUMNS, FRE_FILE, PACK_MANIFEST, UK_FILE, PackResult, make_pack
from cyberevidence.pack.statements import DRAFT_BANNER

__all__ = [
    "DRAFT_BANNER",
    "EXHIBIT_COLUMNS",
    "FRE_FILE",
    "PACK_MANIFEST",
    "UK_FILE",
    "Exhibit",
    "PackResult",
    "assign_exhibits",
    "default_initials",
    "make_pack",
    "recorded_references",
]
