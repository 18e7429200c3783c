"""WhatsApp header lines: recognising them, deciding the date order, and local time to UTC.

The date order is decided once per file by the stated rule in ``docs/formats/whatsapp.md``
(also summarised in :mod:`cyberevidence.parsers.whatsapp`). Pass 1 of the parser feeds every
header line to :class:`DateEvidence`, which keeps O(1) state per *style group* (header lines that
share bracket/no bracket, date separator and year length); :func:`decide_date_order` then applies
the tiers. Pass 2 reads each line with :func:`read_date` and converts it with
:class:`UtcConverter`, which caches one UTC offset per calendar day and only calls ``zoneinfo``
per line on the (rare) days that contain a DST transition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Final
from zoneinfo import ZoneInfo

from cyberevidence.errors import DateOrderAmbiguousError
from cyberevidence.parsers.base import DateOrder

#: One pattern for every header shape: ``[date, time] `` (iOS) or ``date, time - `` (Android).
#: Groups: 1 bracket, 2 date as written, 3 date separator, 4 time as written (with am/pm).
#: U+200E/U+200F may appear anywhere between the parts; a '.' may follow the time (``13:34. - ``,
#: some Asian-locale Android exports). The body is ``line[match.end():]``.
HEADER_RE: Final = re.compile(
    r"[\u200e\u200f]*(\[)?[\u200e\u200f]*"
    r"(\d{1,4}([./-])\d{1,2}\3\d{1,4}),?[\u200e\u200f]*[ \u202f\u00a0][\u200e\u200f]*"
    r"(\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:[ \u202f\u00a0_]?[\u200e\u200f]*[AaPp]\.?[ \u202f\u00a0]?[Mm]\.?)?)\.?[\u200e\u200f]*"
    r"(?(1)\] | [-\u2013] )"
)
_DATE_RE: Final = re.compile(r"(\d{1,4})([./-])(\d{1,2})\2(\d{1,4})")
_TIME_RE: Final = re.compile(r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:[^AaPp]*([AaPp]))?")

#: A date and a time at the start of a line without the header's layout (``15/12/2025, 10:34:00 AM
#: Name: ...``: no brackets, no " - "). Kept as text, but reported.
LOOKALIKE_RE: Final = re.compile(
    r"[\u200e\u200f]*\d{1,4}([./-])\d{1,2}\1\d{1,4},?[ \u202f\u00a0]\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\b"
)

#: First characters a header line can start with (cheap pre-filter before the regex).
HEADER_START: Final = frozenset("0123456789[\u200e\u200f")

#: Whole-buffer form of the two line-start patterns, for ``finditer`` over ``"\\n" + block`` (a block
#: of lines joined by LF): after an LF, when the line's first character is in :data:`HEADER_START`,
#: either :data:`HEADER_RE` (groups 1-4 as there) or, failing that, :data:`LOOKALIKE_RE` (group
#: ``look``). Neither pattern can match an LF, so each match stays inside its line and is the
#: match the per-line ``HEADER_RE.match``/``LOOKALIKE_RE.match`` would give; a line matching
#: neither is plain text and is never looked at one by one. The leading LF (rather than ``^`` in
#: multi-line mode) lets the regex engine jump from LF to LF; in the block's coordinates a match's
#: line starts at ``m.start()`` and its header ends at ``m.end() - 1``.
LINE_START_RE: Final = re.compile(
    r"\n(?=[0-9\[\u200e\u200f])(?:"
    + HEADER_RE.pattern
    + r"|(?P<look>[\u200e\u200f]*\d{1,4}(?P<lsep>[./-])\d{1,2}(?P=lsep)\d{1,4},?[ \u202f\u00a0]\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\b))"
)

_SEP_CODE: Final = {".": 0, "/": 1, "-": 2}
_DIGITS: Final = frozenset("0123456789")
_DIM: Final = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
#: Style code for a 4-digit first field (year first); other codes are the year's digit count.
YEAR_FIRST: Final = 7
MIN_YEAR: Final = 1900
MAX_YEAR: Final = 2999
#: Caches of date and time strings stop growing here (a hostile file cannot exhaust memory).
CACHE_LIMIT: Final = 200_000

ORDER_WORDS: Final = {"dmy": "day/month/year", "mdy": "month/day/year", "ymd": "year/month/day"}


def full_year(third: int, digits: int) -> int:
    """Two-digit years are 20yy: WhatsApp appeared in 2009, so 19yy can never be right."""
    return 2000 + third if digits == 2 else third


def valid_date(y: int, mo: int, d: int) -> bool:
    if not (MIN_YEAR <= y <= MAX_YEAR and 1 <= mo <= 12 and 1 <= d <= _DIM[mo]):
        return False
    return not (mo == 2 and d == 29 and (y % 4 != 0 or (y % 100 == 0 and y % 400 != 0)))


def is_year_first_style(style: int) -> bool:
    return (style >> 3) == YEAR_FIRST


@dataclass(slots=True)
class DateShape:
    """One date string as written (``30/6/2023``), parsed once however often it repeats.

    ``as_dmy``/``as_mdy`` say which readings give a real calendar date (for year-first dates
    ``as_dmy`` holds the validity of the only reading). ``read``/``base`` are pass 2's cache of
    the decided date and of the UTC instant of its local midnight.
    """

    text: str
    style: int
    f1: int
    f2: int
    f3: int
    n3: int
    year_first: bool
    y: int
    as_dmy: bool
    as_mdy: bool
    read: ReadDate | None = None
    read_done: bool = False
    #: pass 1: a date readable only one way whose first line is recorded; its later lines only count
    recorded: bool = False
    base: datetime | None = None
    base_done: bool = False


#: A scanned header line: (date shape, seconds of the day or -1 if impossible, start of body).
Scan = tuple[DateShape, int, int]


def _shape(text: str, bracket: bool) -> DateShape | None:
    m = _DATE_RE.fullmatch(text)
    if m is None:
        return None
    f1s, sep, f2s, f3s = m.groups()
    f1, f2, f3, n3 = int(f1s), int(f2s), int(f3s), len(f3s)
    year_first = len(f1s) == 4
    if year_first:
        if n3 > 2:
            return None
        style = (YEAR_FIRST << 3) | (_SEP_CODE[sep] << 1) | bracket
        return DateShape(text, style, f1, f2, f3, n3, True, f1, valid_date(f1, f2, f3), False)
    if len(f1s) > 2 or n3 not in (2, 4):
        return None
    y = full_year(f3, n3)
    style = (n3 << 3) | (_SEP_CODE[sep] << 1) | bracket
    return DateShape(text, style, f1, f2, f3, n3, False, y, valid_date(y, f2, f1), valid_date(y, f1, f2))


def _seconds_of_day(text: str) -> int:
    """Seconds since midnight for a header time (24 h or 12 h), or -1 if impossible."""
    m = _TIME_RE.match(text)
    if m is None:
        return -1
    hs, ms, ss, ampm = m.groups()
    h, mi, s = int(hs), int(ms), int(ss) if ss else 0
    if mi > 59 or s > 59:
        return -1
    if ampm is None:
        return h * 3600 + mi * 60 + s if h <= 23 else -1
    if h > 12:
        # 13-23 with p.m. is a 24-hour clock with a redundant marker (see :func:`redundant_meridiem`);
        # with a.m. it contradicts itself and is impossible.
        return h * 3600 + mi * 60 + s if ampm in "Pp" and h <= 23 else -1
    if ampm in "Pp":
        if h != 12:
            h += 12
    elif h == 12:
        h = 0
    return h * 3600 + mi * 60 + s


_HOUR_PM_RE: Final = re.compile(r"(?:\[|\s|^)(\d{1,2})[:.]\d{2}(?:[:.]\d{2})?[^\d\]]*?[Pp]\.?[ \u202f\u00a0]?[Mm]\.?")


def redundant_meridiem(header: str) -> str:
    """The time as written when ``header`` combines an hour 13-23 with p.m. (``13:37:00 p.m.``), else ''.

    Such a time is read as the 24-hour clock it shows (13:37): the only reading that gives a real
    time. Callers flag it, since the clock the phone used is then in doubt.
    """
    m = _HOUR_PM_RE.search(header)
    if m is None or not 13 <= int(m.group(1)) <= 23:
        return ""
    return m.group(0).lstrip("[ \t")


class HeaderScanner:
    """Recognises header lines. Date and time strings repeat across messages, so each distinct
    string is parsed once and cached (bounded by :data:`CACHE_LIMIT`).
    """

    def __init__(self) -> None:
        self._dates: dict[str, DateShape | None] = {}
        self._bracket_dates: dict[str, DateShape | None] = {}
        self._times: dict[str, int] = {}

    def scan(self, line: str) -> Scan | None:
        """The header in ``line``, or None. Impossible dates/times are returned for the caller to judge."""
        m = HEADER_RE.match(line)
        if m is None:
            return None
        bracket, dtext, _, ttext = m.groups()
        return self.parts(bracket, dtext, ttext, m.end())

    def parts(self, bracket: str | None, dtext: str, ttext: str, end: int) -> Scan | None:
        """:meth:`scan` from the groups of a :data:`HEADER_RE` (or :data:`LINE_START_RE`) match."""
        cache = self._bracket_dates if bracket else self._dates
        try:
            shape = cache[dtext]
        except KeyError:
            shape = _shape(dtext, bool(bracket))
            if len(cache) < CACHE_LIMIT:
                cache[dtext] = shape
        if shape is None:
            return None
        try:
            tod = self._times[ttext]
        except KeyError:
            if len(ttext) == 8 and ttext[7] in _DIGITS:  # hh:mm:ss (iOS)
                h, mi, sec = int(ttext[:2]), int(ttext[3:5]), int(ttext[6:])
                tod = h * 3600 + mi * 60 + sec if h <= 23 and mi <= 59 and sec <= 59 else -1
            else:
                tod = _seconds_of_day(ttext)
            if len(self._times) < CACHE_LIMIT:
                self._times[ttext] = tod
        return shape, tod, end

    def caches(self) -> tuple[dict[str, DateShape | None], dict[str, DateShape | None], dict[str, int]]:
        """The caches :meth:`parts` fills (dates without and with brackets, times): a reader may look
        a string up itself and call :meth:`parts` only on a miss. Every time string :meth:`parts`
        reads is cached here (``hh:mm:ss`` too), up to :data:`CACHE_LIMIT` entries."""
        return self._dates, self._bracket_dates, self._times

    def plausible(self, line: str) -> bool:
        """A header whose date and time are valid in at least one reading."""
        scan = self.scan(line)
        return scan is not None and scan[1] >= 0 and (scan[0].as_dmy or scan[0].as_mdy)


@dataclass(slots=True)
class StyleGroup:
    """Date-order evidence for one style group, in O(1) memory however long the file is."""

    style: int
    first_line: int
    example: str
    lines: int = 0
    dmy_only_line: int = 0
    dmy_only_text: str = ""
    mdy_only_line: int = 0
    mdy_only_text: str = ""
    #: a line readable both ways with different results (so the order matters)
    differ_line: int = 0
    differ_text: str = ""
    prev_dmy: int = -1
    prev_mdy: int = -1
    back_dmy: int = 0
    back_mdy: int = 0
    attach_dmy_line: int = 0
    attach_dmy_text: str = ""
    attach_mdy_line: int = 0
    attach_mdy_text: str = ""


#: Dates WhatsApp writes into attachment names: iOS ``00000010-PHOTO-2020-11-02-21-49-51.jpg``,
#: Android ``IMG-20230630-WA0000.jpg``.
ATTACHMENT_DATE_RE: Final = re.compile(
    r"\b\d{8}-[A-Z]+-(\d{4})-(\d{2})-(\d{2})-\d{2}-\d{2}-\d{2}\b|\b(?:IMG|VID|AUD|PTT|STK|DOC)-(\d{4})(\d{2})(\d{2})-WA\d+"
)


class DateEvidence:
    """Pass 1: collect, per style group, what the tiers of the date-order rule need."""

    def __init__(self) -> None:
        self.groups: dict[int, StyleGroup] = {}
        self.header_lines = 0
        self.first_header_line = 0
        #: 1 once a non-blank line that is not header-shaped has been seen (0: the file has no text)
        self.text_lines = 0

    def add(self, line_no: int, line: str, scan: Scan) -> None:
        """Record one header line (lines with an impossible date or time are not headers)."""
        self.add_at(line_no, line, 0, scan)

    def add_at(self, line_no: int, text: str, start: int, scan: Scan) -> None:
        """:meth:`add` for the line that starts at ``start`` in ``text`` (a block of lines joined by
        LF); the line itself is cut out only when its attachment names are read."""
        shape, tod, _ = scan
        if tod < 0:
            return
        if shape.year_first:
            if shape.as_dmy:
                self._count(line_no, shape)
            return
        as_dmy, as_mdy = shape.as_dmy, shape.as_mdy
        if as_dmy and as_mdy:
            g = self._count(line_no, shape)
            f1, f2, y = shape.f1, shape.f2, shape.y
            if f1 != f2 and not g.differ_line:
                g.differ_line, g.differ_text = line_no, shape.text
            key_dmy = ((y * 16 + f2) * 32 + f1) * 86400 + tod
            key_mdy = ((y * 16 + f1) * 32 + f2) * 86400 + tod
            if g.prev_dmy >= 0:
                g.back_dmy += key_dmy < g.prev_dmy
                g.back_mdy += key_mdy < g.prev_mdy
            g.prev_dmy, g.prev_mdy = key_dmy, key_mdy
            if f1 != f2 and not g.dmy_only_line and not g.mdy_only_line:
                end = text.find("\n", start)
                line = text[start:] if end < 0 else text[start:end]
                if "-20" in line:
                    self._attachment_evidence(g, line_no, line, y, f1, f2)
        elif as_dmy:
            g = self._count(line_no, shape)
            if not g.dmy_only_line:
                g.dmy_only_line, g.dmy_only_text = line_no, shape.text
        elif as_mdy:
            g = self._count(line_no, shape)
            if not g.mdy_only_line:
                g.mdy_only_line, g.mdy_only_text = line_no, shape.text

    def _count(self, line_no: int, shape: DateShape) -> StyleGroup:
        self.header_lines += 1
        if not self.first_header_line:
            self.first_header_line = line_no
        g = self.groups.get(shape.style)
        if g is None:
            g = self.groups[shape.style] = StyleGroup(shape.style, line_no, shape.text)
        g.lines += 1
        return g

    @staticmethod
    def _attachment_evidence(g: StyleGroup, line_no: int, line: str, y: int, f1: int, f2: int) -> None:
        m = ATTACHMENT_DATE_RE.search(line)
        if m is None:
            return
        parts = m.groups()
        ay, am, ad = (int(x) for x in (parts[0:3] if parts[0] else parts[3:6]))
        if ay != y:
            return
        if (am, ad) == (f2, f1) and not g.attach_dmy_line:
            g.attach_dmy_line, g.attach_dmy_text = line_no, m.group(0)
        elif (am, ad) == (f1, f2) and not g.attach_mdy_line:
            g.attach_mdy_line, g.attach_mdy_text = line_no, m.group(0)


@dataclass(frozen=True, slots=True)
class Decision:
    """How one style group's dates are read.

    ``order`` is ``dmy``/``mdy``/``ymd``, or ``any`` when no line's reading depends on it.
    ``inferred`` marks tiers 2 and 3: events read that way get ``time_ambiguous`` and ``note``.
    """

    order: str
    reason: str
    inferred: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class DateOrderOutcome:
    decisions: dict[int, Decision]
    summary: str
    conflicts: tuple[str, ...]


def decide_date_order(evidence: DateEvidence, given: DateOrder | None, file: str) -> DateOrderOutcome:
    """Apply the stated rule to every style group; raise when a group cannot be decided."""
    decisions: dict[int, Decision] = {}
    conflicts: list[str] = []
    undecided: list[StyleGroup] = []
    for style, g in evidence.groups.items():
        if is_year_first_style(style):
            decisions[style] = Decision("ymd", "the first field has 4 digits, so it is the year")
            continue
        if given is not None:
            decisions[style] = Decision(given, f"date order {given} given by the user")
            conflict = _user_conflict(g, given)
            if conflict:
                conflicts.append(conflict)
            continue
        if g.dmy_only_line and g.mdy_only_line:
            conflicts.append(
                f"dates written like {g.example} include {g.dmy_only_text} (line {g.dmy_only_line}), which can only be "
                f"day-first, and {g.mdy_only_text} (line {g.mdy_only_line}), which can only be month-first; each such line "
                "is read the only way it can be, and the others by the rest of the rule"
            )
        decision = _decide_group(g)
        if decision is None:
            undecided.append(g)
        else:
            decisions[style] = decision
    if undecided:
        raise _ambiguous(undecided, file)
    return DateOrderOutcome(decisions, _summary(evidence, decisions), tuple(conflicts))


def _user_conflict(g: StyleGroup, given: str) -> str:
    if given == "dmy" and g.mdy_only_line:
        line, text, way = g.mdy_only_line, g.mdy_only_text, "month-first"
    elif given == "mdy" and g.dmy_only_line:
        line, text, way = g.dmy_only_line, g.dmy_only_text, "day-first"
    else:
        return ""
    return (
        f"date order {given} was given, but line {line} has {text}, which can only be {way}; "
        "lines that can be read only one way are read that way"
    )


def _decide_group(g: StyleGroup) -> Decision | None:
    conflict = bool(g.dmy_only_line and g.mdy_only_line)
    if not conflict and g.dmy_only_line:
        return Decision("dmy", f"line {g.dmy_only_line} has {g.dmy_only_text}, which can only be day-first")
    if not conflict and g.mdy_only_line:
        return Decision("mdy", f"line {g.mdy_only_line} has {g.mdy_only_text}, which can only be month-first")
    if not g.differ_line:
        return Decision("any", "day and month are interchangeable on every line, so the order changes nothing")
    if bool(g.attach_dmy_line) != bool(g.attach_mdy_line):
        order = "dmy" if g.attach_dmy_line else "mdy"
        line, name = (g.attach_dmy_line, g.attach_dmy_text) if g.attach_dmy_line else (g.attach_mdy_line, g.attach_mdy_text)
        return Decision(
            order, f"the attachment on line {line} is named {name}, a date that matches only the {ORDER_WORDS[order]} reading"
        )
    if g.back_dmy != g.back_mdy:
        order = "dmy" if g.back_dmy < g.back_mdy else "mdy"
        reason = (
            f"of chronology: read day-first, consecutive messages go back in time {g.back_dmy} time(s); "
            f"read month-first, {g.back_mdy} time(s); the reading with fewer backward steps is used"
        )
        note = f"date order inferred from message order ({ORDER_WORDS[order]}: fewer backward steps in time)"
        return Decision(order, reason, inferred=True, note=note)
    if (g.style >> 1) & 3 == _SEP_CODE["."]:
        reason = "dates separated by '.' are day-first in every WhatsApp locale"
        return Decision("dmy", reason, inferred=True, note="date order inferred: '.'-separated dates are day-first")
    return None


def _ambiguous(groups: list[StyleGroup], file: str) -> DateOrderAmbiguousError:
    g = groups[0]
    return DateOrderAmbiguousError(
        "this looks like a WhatsApp export but the date order is ambiguous: "
        f"{g.differ_text} (line {g.differ_line}) could be day/month or month/day, and for dates written like "
        f"{g.example} no day above 12, dated attachment name, message order or date separator decides it.",
        file=file,
        locator=f"line {g.differ_line}",
    )


def _summary(evidence: DateEvidence, decisions: dict[int, Decision]) -> str:
    single = len(decisions) == 1
    clauses = []
    for style, d in decisions.items():
        g = evidence.groups[style]
        subject = "dates" if single else f"dates written like {g.example} (from line {g.first_line})"
        if d.order == "any":
            clauses.append(f"{subject}: {d.reason}")
        elif d.reason.startswith("date order"):
            clauses.append(f"{subject} read as {ORDER_WORDS[d.order]}: {d.reason}")
        else:
            clauses.append(f"{subject} read as {ORDER_WORDS[d.order]} because {d.reason}")
    return "; ".join(clauses)


@dataclass(frozen=True, slots=True)
class ReadDate:
    """A header's calendar date; ``inferred`` when it depended on a tier-2/3 decision."""

    y: int
    mo: int
    d: int
    inferred: bool


def read_date(shape: DateShape, decision: Decision) -> ReadDate | None:
    """The date of a header under its group's decision; None when it is not a valid date.

    A line that can be read only one way is read that way whatever the group decided (this is
    how mixed-order groups and user-given orders contradicted by the file are handled).
    """
    f1, f2 = shape.f1, shape.f2
    if shape.year_first:
        return ReadDate(f1, f2, shape.f3, False) if shape.as_dmy else None
    if decision.order == "ymd":  # given by the user for a 2-digit-year-first file: yy/mm/dd
        y = 2000 + f1
        return ReadDate(y, f2, shape.f3, False) if shape.n3 <= 2 and valid_date(y, f2, shape.f3) else None
    y, as_dmy, as_mdy = shape.y, shape.as_dmy, shape.as_mdy
    if as_dmy and as_mdy:
        inferred = decision.inferred and f1 != f2
        return ReadDate(y, f1, f2, inferred) if decision.order == "mdy" else ReadDate(y, f2, f1, inferred)
    if as_dmy:
        return ReadDate(y, f2, f1, False)
    if as_mdy:
        return ReadDate(y, f1, f2, False)
    return None


def _offset_text(offset: timedelta | None) -> str:
    total = int(offset.total_seconds()) if offset is not None else 0
    sign = "+" if total >= 0 else "-"
    total = abs(total)
    return f"UTC{sign}{total // 3600:02d}:{total % 3600 // 60:02d}"


@dataclass(frozen=True, slots=True)
class SlowTime:
    """The conversion of a local time on a day with a DST change."""

    utc: datetime
    in_fold: bool
    in_gap: bool


class UtcConverter:
    """Local wall-clock time to UTC, one ``zoneinfo`` lookup per calendar day.

    A day whose UTC offset is the same at 00:00 and 23:59:59 (and is neither fold nor gap there)
    has no DST change, so every time on it converts with that one offset. Days with a change
    (two a year in most zones) are converted line by line, so folds and gaps are seen.
    """

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self._days: dict[int, datetime | None] = {}
        self._deltas: dict[int, timedelta] = {}

    def delta(self, seconds: int) -> timedelta:
        """A cached ``timedelta(seconds=...)`` (at most 86,400 distinct values)."""
        try:
            return self._deltas[seconds]
        except KeyError:
            td = self._deltas[seconds] = timedelta(seconds=seconds)
            return td

    def day_base(self, y: int, mo: int, d: int) -> datetime | None:
        """The UTC instant of local midnight on an ordinary day, or None when the day has a DST change."""
        key = (y * 16 + mo) * 32 + d
        try:
            return self._days[key]
        except KeyError:
            base = self._days[key] = self._compute_day_base(y, mo, d)
            return base

    def _compute_day_base(self, y: int, mo: int, d: int) -> datetime | None:
        start = datetime(y, mo, d)
        end = start + timedelta(hours=23, minutes=59, seconds=59)
        offsets = {t.replace(tzinfo=self.tz, fold=f).utcoffset() for t in (start, end) for f in (0, 1)}
        if len(offsets) != 1:
            return None
        offset = offsets.pop()
        assert offset is not None
        return datetime(y, mo, d, tzinfo=timezone.utc) - offset

    def slow(self, local: datetime, fold: int = 0) -> SlowTime:
        aware0 = local.replace(tzinfo=self.tz, fold=0)
        aware1 = local.replace(tzinfo=self.tz, fold=1)
        off0, off1 = aware0.utcoffset(), aware1.utcoffset()
        in_fold = off0 is not None and off1 is not None and off0 > off1
        in_gap = off0 is not None and off1 is not None and off0 < off1
        chosen = aware1 if fold else aware0
        return SlowTime(chosen.astimezone(timezone.utc), in_fold, in_gap)

    def describe(self, local: datetime, fold: int) -> str:
        """``GMT, UTC+00:00`` for the chosen occurrence."""
        aware = local.replace(tzinfo=self.tz, fold=fold)
        return f"{aware.tzname()}, {_offset_text(aware.utcoffset())}"

    def fold_end(self, local: datetime) -> datetime:
        """The first local minute after the repeated interval containing ``local``."""
        t = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
        for _ in range(24 * 60):
            if not self.slow(t).in_fold:
                return t
            t += timedelta(minutes=1)
        return t
