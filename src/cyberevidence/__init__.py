"""cyberevidence: court-ready evidence of cyberstalking from phone and account exports.

The public API (everything the CLI does, a script can do)::

    import cyberevidence as ce
    case = ce.Case.create("case-001", examiner="J. Smith", timezone="Europe/London")
    case.add("WhatsApp Chat - Mark.zip", note="exported by victim, 5 Nov")
    case.load_people("people.toml")
    for event in case.timeline(person="Mark Kell"): ...
    report = case.verify()          # a report; tampering is reported, never raised
    for event in ce.parse("chat.txt", timezone="Europe/London"): ...   # no case needed
"""

from cyberevidence._version import __version__
from cyberevidence.analysis.conduct import ConductOptions, ConductSummary
from cyberevidence.analysis.contacts import ContactRow
from cyberevidence.analysis.links import LinkSeen
from cyberevidence.analysis.places import Place
from cyberevidence.case import Case
from cyberevidence.errors import (
    CaseExistsError,
    CaseLockedError,
    CyberEvidenceError,
    DateOrderAmbiguousError,
    InputNotFoundError,
    NotACaseError,
    ParseError,
    PeopleFileError,
    SigningError,
    UnknownFormatError,
    UnsafeArchiveError,
)
from cyberevidence.events import Attachment, Event, ParseWarning, SourceRef
from cyberevidence.hashing import hash_bytes, hash_file, hash_stream
from cyberevidence.parsers import ParserRegistry, default_registry
from cyberevidence.parsers.base import ParseOptions, ParserInfo, SourceFile
from cyberevidence.people import People, Person, load_people
from cyberevidence.standalone import parse
from cyberevidence.store.ingest import AddReport, FileOutcome, Progress
from cyberevidence.store.manifest import event_schema, generate_key, manifest_schema
from cyberevidence.store.verify import VerifyReport, verify_case

__all__ = [
    "AddReport",
    "Attachment",
    "Case",
    "CaseExistsError",
    "CaseLockedError",
    "ConductOptions",
    "ConductSummary",
    "ContactRow",
    "CyberEvidenceError",
    "DateOrderAmbiguousError",
    "Event",
    "FileOutcome",
    "InputNotFoundError",
    "LinkSeen",
    "NotACaseError",
    "ParseError",
    "ParseOptions",
    "ParseWarning",
    "ParserInfo",
    "ParserRegistry",
    "People",
    "PeopleFileError",
    "Person",
    "Place",
    "Progress",
    "SigningError",
    "SourceFile",
    "SourceRef",
    "UnknownFormatError",
    "UnsafeArchiveError",
    "VerifyReport",
    "__version__",
    "default_registry",
    "event_schema",
    "generate_key",
    "hash_bytes",
    "hash_file",
    "hash_stream",
    "load_people",
    "manifest_schema",
    "parse",
    "verify_case",
]
