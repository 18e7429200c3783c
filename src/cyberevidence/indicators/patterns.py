"""Indicator patterns: loading the shipped language files (and a user's extra files), and matching.

A pattern file is TOML (layout in ``data/en.toml`` and ``docs/indicators.md``). Each pattern has an
id, a category, a short description and the source or rationale for it, and either ``keywords``
(whole words or phrases, any case, any run of spaces, straight or curly apostrophes) or a
``regex``. Matching is plain :mod:`re` over the event's text, an e-mail's subject and its sender;
nothing is sent anywhere.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from cyberevidence.errors import CyberEvidenceError, Setting
from cyberevidence.events import Event
from cyberevidence.indicators.headings import HEADING_IDS
from cyberevidence.people import People

FIELDS = ("text", "subject", "sender")
DIRECTIONS = ("incoming", "outgoing", "unknown")
SENDER_RULES = ("any", "third_party")
SUBJECT_SLOT = "{subject}"
_PATTERN_KEYS = frozenset(
    {"id", "category", "description", "source", "keywords", "regex", "fields", "kinds", "directions", "sender", "sender_regex"}
)
#: Same-length replacements, so a span found in the normalised text is a span of the original.
_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'", "\u201c": '"', "\u201d": '"',
                       "\u00a0": " ", "\u202f": " "})


class IndicatorPatternError(CyberEvidenceError):
    """A pattern file that cannot be used (unknown language, bad TOML, a bad entry)."""


@dataclass(frozen=True, slots=True)
class Pattern:
    id: str
    category: str
    description: str
    source: str
    keywords: tuple[str, ...] = ()
    regex: str = ""
    fields: tuple[str, ...] = ("subject", "text")
    kinds: tuple[str, ...] = ()
    directions: tuple[str, ...] = ()
    sender: str = "any"
    sender_regex: str = ""
    origin: str = ""

    @property
    def needs_subject(self) -> bool:
        return SUBJECT_SLOT in self.regex or any(SUBJECT_SLOT in k for k in self.keywords)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "category": self.category, "description": self.description,
                               "source": self.source, "origin": self.origin}
        if self.keywords:
            out["keywords"] = list(self.keywords)
        else:
            out["regex"] = self.regex
        return out


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    label: str
    headings: tuple[str, ...]
    rationale: str = ""


@dataclass(frozen=True, slots=True)
class PatternSet:
    """Everything one run matches with: the language's headings and categories, and all patterns."""

    language: str
    headings: dict[str, tuple[str, str]]
    categories: dict[str, Category]
    patterns: tuple[Pattern, ...]
    #: Where the patterns came from: ``builtin:en`` and each extra file with its SHA-256.
    origins: tuple[dict[str, str], ...] = field(default_factory=tuple)


def languages() -> list[str]:
    """The languages shipped with the package (``data/<lang>.toml``)."""
    data = resources.files("cyberevidence.indicators").joinpath("data")
    return sorted(p.name[:-5] for p in data.iterdir() if p.name.endswith(".toml"))


def _load_toml(text: str, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise IndicatorPatternError(
            f"{where}: not valid TOML ({exc})", hint="Check the file against docs/indicators.md."
        ) from None


def _strs(value: Any, where: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise IndicatorPatternError(f"{where}: {key} must be a list of non-empty strings")
    return tuple(value)


def _pattern(entry: Any, where: str) -> Pattern:
    if not isinstance(entry, dict):
        raise IndicatorPatternError(f"{where}: each [[pattern]] must be a table")
    pid = entry.get("id")
    here = f"{where}, pattern {pid!r}"
    unknown = set(entry) - _PATTERN_KEYS
    if unknown:
        raise IndicatorPatternError(f"{here}: unknown key(s) {', '.join(sorted(unknown))}")
    for key in ("id", "category", "description", "source"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise IndicatorPatternError(f"{here}: '{key}' is required (a non-empty string)",
                                        hint="Every pattern needs an id, a category, a description and its source.")
    keywords = _strs(entry.get("keywords"), here, "keywords")
    regex = entry.get("regex", "")
    if not isinstance(regex, str) or bool(keywords) == bool(regex):
        raise IndicatorPatternError(f"{here}: give exactly one of 'keywords' or 'regex'")
    fields = _strs(entry.get("fields"), here, "fields") or ("subject", "text")
    directions = _strs(entry.get("directions"), here, "directions")
    sender = entry.get("sender", "any")
    for name, values, allowed in (("fields", fields, FIELDS), ("directions", directions, DIRECTIONS),
                                  ("sender", (sender,), SENDER_RULES)):
        bad = [v for v in values if v not in allowed]
        if bad:
            raise IndicatorPatternError(f"{here}: {name} {bad} not among {', '.join(allowed)}")
    sender_regex = entry.get("sender_regex", "")
    if not isinstance(sender_regex, str):
        raise IndicatorPatternError(f"{here}: sender_regex must be a string")
    pat = Pattern(entry["id"].strip(), entry["category"].strip(), entry["description"].strip(), entry["source"].strip(),
                  keywords, regex, fields, _strs(entry.get("kinds"), here, "kinds"), directions, sender, sender_regex, where)
    for rx in (_compile_text(pat, ("Xsubject",)), sender_regex):
        try:
            re.compile(rx)
        except re.error as exc:
            raise IndicatorPatternError(f"{here}: the regular expression does not compile ({exc})") from None
    return pat


def _categories(data: dict[str, Any], where: str, heading_ids: Iterable[str]) -> dict[str, Category]:
    known = set(heading_ids)
    out: dict[str, Category] = {}
    for entry in data.get("category", []):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not isinstance(entry.get("label"), str):
            raise IndicatorPatternError(f"{where}: each [[category]] needs an id and a label")
        heads = _strs(entry.get("headings"), f"{where}, category {entry['id']!r}", "headings")
        bad = [h for h in heads if h not in known]
        if bad or not heads:
            raise IndicatorPatternError(
                f"{where}, category {entry['id']!r}: headings {bad or '[]'} are not known headings",
                hint=f"Use some of: {', '.join(HEADING_IDS)}.",
            )
        out[entry["id"]] = Category(entry["id"], entry["label"], heads, str(entry.get("rationale", "")))
    return out


def load_patterns(language: str = "en", extra: Sequence[str | Path] = ()) -> PatternSet:
    """The shipped patterns of ``language`` plus any extra pattern files (same format).

    An unknown language, a file that is not valid TOML, an entry without its source, a duplicate
    pattern id or a category without headings is an :class:`IndicatorPatternError`.
    """
    available = languages()
    if language not in available:
        raise IndicatorPatternError(
            f"no indicator patterns for the language {language!r}",
            hint=f"Available: {', '.join(available)}. To add one, write data/<lang>.toml (see docs/indicators.md), "
            "or give your own patterns file.",
            setting=Setting.PATTERNS,
        )
    where = f"builtin:{language}"
    text = resources.files("cyberevidence.indicators").joinpath(f"data/{language}.toml").read_text(encoding="utf-8")
    data = _load_toml(text, where)
    if data.get("language") != language:
        raise IndicatorPatternError(f"{where}: the file says language = {data.get('language')!r}")
    headings: dict[str, tuple[str, str]] = {}
    for entry in data.get("heading", []):
        headings[str(entry.get("id"))] = (str(entry.get("label", "")), str(entry.get("text", "")))
    missing = [h for h in HEADING_IDS if h not in headings]
    if missing:
        raise IndicatorPatternError(f"{where}: no wording for the heading(s) {', '.join(missing)}")
    categories = _categories(data, where, HEADING_IDS)
    patterns = [_pattern(e, where) for e in data.get("pattern", [])]
    origins = [{"origin": where, "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}]
    for path in extra:
        p = Path(path)
        try:
            raw = p.read_bytes()
        except OSError as exc:
            raise IndicatorPatternError(f"{p}: cannot read the pattern file ({exc.strerror})") from None
        more = _load_toml(raw.decode("utf-8", errors="replace"), str(p))
        for key in ("heading",):
            if key in more:
                raise IndicatorPatternError(f"{p}: an extra pattern file may add patterns and categories, not headings")
        for cid, cat in _categories(more, str(p), HEADING_IDS).items():
            if cid in categories:
                raise IndicatorPatternError(f"{p}: category {cid!r} is already defined")
            categories[cid] = cat
        patterns.extend(_pattern(e, str(p)) for e in more.get("pattern", []))
        origins.append({"origin": str(p.resolve()), "sha256": hashlib.sha256(raw).hexdigest()})
    seen: set[str] = set()
    for pat in patterns:
        if pat.id in seen:
            raise IndicatorPatternError(
                f"{pat.origin}: the pattern id {pat.id!r} is used twice", hint="Pattern ids must be unique."
            )
        seen.add(pat.id)
        if pat.category not in categories:
            raise IndicatorPatternError(
                f"{pat.origin}, pattern {pat.id!r}: unknown category {pat.category!r}",
                hint=f"Use one of {', '.join(categories)}, or add a [[category]] with the headings it is evidence for.",
            )
    return PatternSet(language, headings, categories, tuple(patterns), tuple(origins))


# ------------------------------------------------------------------------------- matching


def fold(text: str) -> str:
    """Curly quotes to straight ones and no-break spaces to spaces (same length: spans stay valid)."""
    return text.translate(_FOLD)


def _keyword_rx(keyword: str, alternation: str) -> str:
    parts = [r"\s+".join(re.escape(w) for w in chunk.split()) if chunk.strip() else "" for chunk in keyword.split(SUBJECT_SLOT)]
    body = alternation.join(parts)
    return rf"(?<!\w){body}(?!\w)"


def _compile_text(pat: Pattern, subject_names: Sequence[str]) -> str:
    # no subject: the slot matches nothing (a pattern about the subject alone never matches; one with
    # other alternatives, "he|she|{subject}", still reads the rest)
    alt = "(?:" + "|".join(re.escape(n) for n in sorted(subject_names, key=len, reverse=True)) + ")" if subject_names else "(?!)"
    if pat.keywords:
        return "|".join(_keyword_rx(fold(k), alt) for k in pat.keywords)
    return _loosen_spaces(fold(pat.regex)).replace(SUBJECT_SLOT, alt)


def _loosen_spaces(rx: str) -> str:
    """A plain space in a pattern's regex (outside a [class]) matches any run of white space."""
    out: list[str] = []
    in_class = escaped = False
    for ch in rx:
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        elif ch == "[" and not in_class:
            in_class = True
            out.append(ch)
        elif ch == "]" and in_class:
            in_class = False
            out.append(ch)
        elif ch == " " and not in_class:
            out.append(r"\s+")
        else:
            out.append(ch)
    return "".join(out)


def subject_names(people: People) -> list[str]:
    """Every name a subject may be mentioned by: full name, first name, handle values (3+ characters)."""
    names: set[str] = set()
    for p in people.persons:
        if p.role != "subject":
            continue
        names.add(p.name)
        if len(p.name.split()) > 1:
            names.add(p.name.split()[0])
        names |= {h.partition(":")[2] for h in p.handles}
    return sorted(n for n in names if len(n.strip()) >= 3)


@dataclass(frozen=True, slots=True)
class Match:
    pattern: Pattern
    field: str
    start: int
    end: int
    value: str

    @property
    def matched(self) -> str:
        return self.value[self.start : self.end]


class Matcher:
    """Patterns compiled for one case's people; :meth:`match` checks one event."""

    def __init__(self, patterns: PatternSet, people: People) -> None:
        self.people = people
        names = subject_names(people)
        self._subjects = {p.name for p in people.persons if p.role == "subject"}
        self._victims = {p.name for p in people.persons if p.role == "victim"}
        self._compiled: list[tuple[Pattern, re.Pattern[str], re.Pattern[str] | None]] = []
        for pat in patterns.patterns:
            if pat.sender == "third_party" and not self._subjects:
                continue
            rx = re.compile(_compile_text(pat, names), re.IGNORECASE)
            srx = re.compile(pat.sender_regex, re.IGNORECASE) if pat.sender_regex else None
            self._compiled.append((pat, rx, srx))

    def _is_third_party(self, ev: Event) -> bool:
        return ev.direction != "outgoing" and bool(ev.person) and ev.person not in self._subjects | self._victims

    def match(self, ev: Event) -> list[Match]:
        """Every pattern that matches ``ev``, in pattern order, each with its first match."""
        subject = ev.extra.get("subject")
        from_name = ev.extra.get("from_name")
        sender = f"{from_name} <{ev.sender}>" if isinstance(from_name, str) and from_name else ev.sender
        values = {"text": ev.text or "", "subject": subject if isinstance(subject, str) else "", "sender": sender}
        folded = {k: fold(v) for k, v in values.items() if v}
        if not folded:
            return []
        out: list[Match] = []
        third_party: bool | None = None
        for pat, rx, srx in self._compiled:
            if pat.kinds and ev.kind not in pat.kinds:
                continue
            if pat.directions and ev.direction not in pat.directions:
                continue
            if srx is not None and not srx.search(sender):
                continue
            if pat.sender == "third_party":
                if third_party is None:
                    third_party = self._is_third_party(ev)
                if not third_party:
                    continue
            for fld in pat.fields:
                text = folded.get(fld)
                if not text:
                    continue
                m = rx.search(text)
                if m is not None and m.end() > m.start():
                    out.append(Match(pat, fld, m.start(), m.end(), values[fld]))
                    break
        return out
