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
from cyberevidence.analysis.identities import IdentityLink, IdentitySuggestion
from cyberevidence.analysis.links import LinkSeen
from cyberevidence.analysis.markers import Breach, MarkerEffect
from cyberevidence.analysis.places import Place
from cyberevidence.analysis.undated import UndatedTally
from cyberevidence.bundle import BundlePasswordError, BundleResult, make_bundle, read_password_file, verify_bundle
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
from cyberevidence.exporters.case_uco import case_uco_document, write_case_uco
from cyberevidence.exporters.diary_csv import write_diary_csv
from cyberevidence.exporters.redact import DisclosureResult, disclose
from cyberevidence.exporters.timesketch import write_timeline_timesketch
from cyberevidence.hashing import hash_bytes, hash_file, hash_stream
from cyberevidence.indicators import Candidate as IndicatorCandidate
from cyberevidence.indicators import IndicatorPatternError, IndicatorReport, indicator_report, review_candidate
from cyberevidence.indicators import candidates as indicator_candidates
from cyberevidence.indicators import languages as indicator_languages
from cyberevidence.limitations import Limitation, limitations_for_manifest, source_limitations
from cyberevidence.pack import PackResult, make_pack
from cyberevidence.parsers import ParserRegistry, default_registry
from cyberevidence.parsers.base import ParseOptions, ParserInfo, SourceFile
from cyberevidence.people import People, Person, load_people
from cyberevidence.records import MARKER_TYPES, DiaryEntry, Marker, RecordError, StoredRecord
from cyberevidence.report import ReportResult, build_report, write_report
from cyberevidence.standalone import parse
from cyberevidence.store.ingest import AddReport, FileOutcome, Progress
from cyberevidence.store.manifest import event_schema, generate_key, manifest_schema
from cyberevidence.store.verify import VerifyReport, verify_case

__all__ = [
    "MARKER_TYPES",
    "AddReport",
    "Attachment",
    "Breach",
    "BundlePasswordError",
    "BundleResult",
    "Case",
    "CaseExistsError",
    "CaseLockedError",
    "ConductOptions",
    "ConductSummary",
    "ContactRow",
    "CyberEvidenceError",
    "DateOrderAmbiguousError",
    "DiaryEntry",
    "DisclosureResult",
    "Event",
    "FileOutcome",
    "IdentityLink",
    "IdentitySuggestion",
    "IndicatorCandidate",
    "IndicatorPatternError",
    "IndicatorReport",
    "InputNotFoundError",
    "Limitation",
    "LinkSeen",
    "Marker",
    "MarkerEffect",
    "NotACaseError",
    "PackResult",
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
    "RecordError",
    "ReportResult",
    "SigningError",
    "SourceFile",
    "SourceRef",
    "StoredRecord",
    "UndatedTally",
    "UnknownFormatError",
    "UnsafeArchiveError",
    "VerifyReport",
    "__version__",
    "build_report",
    "case_uco_document",
    "default_registry",
    "disclose",
    "event_schema",
    "generate_key",
    "hash_bytes",
    "hash_file",
    "hash_stream",
    "indicator_candidates",
    "indicator_languages",
    "indicator_report",
    "limitations_for_manifest",
    "load_people",
    "make_bundle",
    "make_pack",
    "manifest_schema",
    "parse",
    "read_password_file",
    "review_candidate",
    "source_limitations",
    "verify_bundle",
    "verify_case",
    "write_case_uco",
    "write_diary_csv",
    "write_report",
    "write_timeline_timesketch",
]
