"""What a parser module declares and what it is given.

A parser module exposes one module-level ``PARSER = ParserInfo(...)``. The registry reads it;
nothing is registered as a side effect of importing.

A parser is a function ``parse(source, ctx) -> Iterator[Event | ParseWarning]``. It reads the
*stored* copy (``source.path``, read-only), never the original, and calls ``ctx.derive`` for
every member or attachment it uses so that each is hashed and kept with its parent.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal, Protocol
from zoneinfo import ZoneInfo

from cyberevidence.archive import ArchiveLimits
from cyberevidence.events import MAX_FIELD_CHARS, Event, ParseWarning, bound_event

DateOrder = Literal["dmy", "mdy", "ymd"]


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A stored artefact handed to a parser.

    ``name`` is the original file name (for hints such as "WhatsApp Chat with Mark.txt");
    ``siblings`` maps the names of files acquired beside it (same folder) to their stored copies,
    so a chat export folder can link its media.
    """

    path: Path
    sha256: str
    name: str
    size: int
    media_type: str = ""
    siblings: Mapping[str, SourceFile] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """Choices a person can make; each one a parser uses is recorded in custody.

    ``timezone`` is the zone of local times in the export; ``timezone_assumed`` says whether a
    person chose it or it is the case default (then a warning records the assumption).
    """

    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))
    timezone_assumed: bool = True
    date_order: DateOrder | None = None
    #: Zip-bomb and size limits for archives this parse opens (defaults suit exports of a few GB).
    archive_limits: ArchiveLimits = field(default_factory=ArchiveLimits)


@dataclass(frozen=True, slots=True)
class DerivedRef:
    """What :meth:`ParseContext.derive` returns: the stored member's digest and type."""

    sha256: str
    size: int
    media_type: str


class ParseContext(Protocol):
    """Services the case (or the caseless :func:`cyberevidence.parse`) gives a parser."""

    options: ParseOptions

    def derive(self, stream: BinaryIO, *, parent: SourceFile, path_in_parent: str) -> DerivedRef:
        """Hash and keep a member/attachment of ``parent``; returns its reference."""
        ...


class Strength(enum.IntEnum):
    """How strongly a sniffer's "yes" identifies its format; among the parsers that accept a file the
    strongest wins (the rule and each level's meaning: ``docs/detection.md``, "The rule").

    A parser declares its usual strength in :attr:`ParserInfo.strength`; its sniffer may return a
    member instead of ``True`` when it accepted on weaker evidence for this one file (the name only).
    """

    #: Only the file name says so (an ``.eml`` whose head has too few headers to tell by content).
    NAME_HINT = 10
    #: Only the media type: any image a camera could have taken.
    MEDIA_TYPE = 20
    #: A text shape more than one format writes (chat lines ``date, time - name: text``, an RFC 5322 head).
    SHARED_SHAPE = 30
    #: A shared shape plus marks only this format writes (an mbox envelope line before the head, a
    #: signal-export header with its own marks, a PNG or a screenshot-named JPEG without a camera).
    NARROW_SHAPE = 40
    #: A structure found by names other formats also use (a zip holding ``messages.csv``).
    GENERIC_STRUCTURE = 50
    #: Keys, members, tables, a root element or a container class only this format has.
    OWN_STRUCTURE = 60
    #: The file states its own format and version (a case record).
    SELF_DECLARED = 70


SniffFn = Callable[[SourceFile, bytes], bool | Strength]
ParseFn = Callable[[SourceFile, ParseContext], Iterator[Event | ParseWarning]]


@dataclass(frozen=True, slots=True)
class ArtefactFacts:
    """What the case knows of one parsed artefact, for a source's own limitations (``source_limits``)."""

    sha256: str
    media_type: str
    #: Events this artefact gave.
    events: int
    #: The ``details`` of its latest ``parse`` custody entry (options, ``siblings_used`` ...).
    parse_details: Mapping[str, Any]
    #: Its earliest dated event (read only when asked).
    first_event: Callable[[], Event | None]


#: ``source_limits(facts)`` yields ``(code, plain-language text)`` for each limitation it finds.
LimitsFn = Callable[[ArtefactFacts], Iterator[tuple[str, str]]]


@dataclass(frozen=True, slots=True)
class ParserInfo:
    """A source declares itself: everything the rest of the system needs to know about it.

    ``sniff(source, head)`` gets the first 64 KiB and must decide from content (file names may
    only break ties); it must be cheap and must not raise. It returns ``True`` (accepted at
    ``strength``), ``False``, or the :class:`Strength` of a weaker acceptance for this file.
    ``strength`` is what a "yes" usually proves; the strongest acceptance wins (``docs/detection.md``).

    The fields after ``references`` have defaults, so a module states only the facts that differ;
    the readers take them from the registry, never from a list of parser names of their own:
    ``platforms`` (``platforms.py`` names each, ``exporters/case_uco.py``), ``one_sided``,
    ``own_messages_only`` and ``source_limits`` (``limitations.py``), ``identity_keys``
    (``analysis/resolve.py``), ``photo_facts`` (``store/ingest.py``), ``case_records`` (``limitations.py``), ``fixtures`` and
    ``corpus_seeds`` (the fuzz seeds, ``tests/hardening/seeds.py``). ``tests/contract/`` fails
    when a registered source is missing any part (docs/architecture.md "Adding a source").
    """

    name: str
    platform: str
    description: str
    formats: tuple[str, ...]
    sniff: SniffFn
    parse: ParseFn
    media_types: tuple[str, ...] = ()
    limits: str = ""
    strength: Strength = Strength.OWN_STRUCTURE
    references: tuple[str, ...] = ()
    #: Every platform its events can have, ``platform`` first (each declared in ``platforms.py``).
    platforms: tuple[str, ...] = ()
    #: Said to a court for every artefact it reads: the source holds only one account's side.
    one_sided: str = ""
    #: It holds only the account holder's own messages (its first message is always outgoing).
    own_messages_only: bool = False
    #: Limitations that depend on the artefact (an export cap, a first line); see :class:`ArtefactFacts`.
    source_limits: LimitsFn | None = None
    #: ``Event.extra`` keys holding the sender's account id, matched against people-file handles.
    identity_keys: tuple[str, ...] = ()
    #: It reads a picture's own metadata: the ingest runs it on derived pictures with a GPS position.
    photo_facts: bool = False
    #: It reads the case's own records (diary, markers), not an export: no source limitations.
    case_records: bool = False
    #: Globs under ``fixtures/`` of its fixtures (read by its tests; also its fuzz seeds).
    fixtures: tuple[str, ...] = ()
    #: Globs under ``../shared/corpus`` of real samples used as fuzz seeds when the corpus is present.
    corpus_seeds: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.platform not in self.platforms:
            object.__setattr__(self, "platforms", (self.platform, *self.platforms))
        # Every parser's output passes one field bound (``events.MAX_FIELD_CHARS``): whoever
        # calls ``PARSER.parse`` (the case ingest, ``cyberevidence.parse``) gets it.
        if not getattr(self.parse, "__bounded__", False):
            object.__setattr__(self, "parse", bounded_parse(self.parse))


def bounded_parse(parse: ParseFn) -> ParseFn:
    """``parse`` with every event's fields cut at ``MAX_FIELD_CHARS`` (``field_truncated`` warnings follow the event)."""

    def run(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
        for item in parse(source, ctx):
            cut = bound_event(item, source.name, MAX_FIELD_CHARS) if isinstance(item, Event) else None
            yield item
            if cut:
                yield from cut

    run.__bounded__ = True  # type: ignore[attr-defined]
    run.__name__ = getattr(parse, "__name__", "parse")
    run.__doc__ = parse.__doc__
    run.__wrapped__ = parse  # type: ignore[attr-defined]
    return run
