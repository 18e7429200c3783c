"""What a WhatsApp message body says: sender or system notice, markers, attachments, calls.

The tables of localised strings are best effort: English is verified against real exports;
German, Spanish, French, Portuguese, Italian and Dutch come from published exports and
WhatsApp's own wording as far as we know it. A string we do not know only means a flag is not
set; the text itself is always kept as written, so nothing is lost.

Matching is exact (whole text, case-insensitive, after removing U+200E marks) for short markers
such as "image omitted", so a person typing those words inside a longer message is not flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

LRM: Final = "\u200e"

# -- system notices -------------------------------------------------------------------------

#: End-to-end encryption notices, matched at the start of a body or of a message text. iOS
#: writes them with the chat's name as if it were a sender ("Dr. Feather: Messages and calls...").
E2E_RE: Final = re.compile(
    r"(?:Messages and calls are end-to-end encrypted"
    r"|Messages (?:you send )?to this (?:chat|group)(?: and calls)? are now secured with end-to-end encryption"
    r"|Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt"
    r"|Nachrichten, die du in diese(?:m Chat| Gruppe) sendest"
    r"|Los mensajes y las llamadas están cifrados de extremo a extremo"
    r"|Les messages et les appels sont chiffrés de bout en bout"
    r"|As mensagens e as chamadas são protegidas com a criptografia de ponta-a-ponta"
    r"|I messaggi e le chiamate sono crittografati end-to-end"
    r"|Berichten en gesprekken worden end-to-end versleuteld)",
    re.IGNORECASE,
)

#: Notices nobody types: "X updated the message timer", "Your security code with X changed" ...
#: Group 1 (or 2) is the actor the notice names.
STRICT_SYSTEM_RE: Final = re.compile(
    r"(?:([^.!?\n]{1,120}?) (?:updated the message timer|turned (?:on|off) disappearing messages"
    r"|changed their phone number|changed the message timer)"
    r"|Your security code with ([^.!?\n]{1,120}?) changed|[^.!?\n]{1,120}?'s security code changed"
    r"|You (?:un)?blocked this contact|This chat is with a business account"
    r"|Disappearing messages (?:were turned (?:on|off)|are on))",
    re.IGNORECASE,
)

#: Group events. They never carry "Name: " on Android; when their wording contains ": " (a group
#: subject "Plans: May"), the part before it must not be taken for a sender.
GROUP_EVENT_IN_SENDER_RE: Final = re.compile(
    r" (?:created group|changed the subject|changed the group name|changed this group's|changed the group description"
    r"|hat die Gruppe|hat den Betreff|creó el grupo|cambió el asunto|a créé le groupe|a modifié le sujet"
    r"|criou o grupo|mudou o assunto|ha creato il gruppo|ha cambiato l'oggetto|heeft groep|heeft het onderwerp)"
)

#: On iOS, WhatsApp's own texts start with U+200E; with that mark these are notices, not words.
LRM_GROUP_EVENT_RE: Final = re.compile(
    r"(?:.{1,120}? (?:added .{1,400}|removed .{1,400}|left|joined using this group's invite link|created group .{0,400}"
    r"|changed the subject .{0,400}|changed this group's icon|deleted this group's icon|changed the group description"
    r"|changed the group name .{0,400}|changed their phone number .{0,400}|changed to .{1,120})"
    r"|You were added|You joined using this group's invite link|You're now an admin)",
    re.IGNORECASE,
)


#: Without U+200E (Android, and iOS exports whose marks were lost): after "Name: ", the text is a
#: group notice only when it starts with that same name followed by one of these whole
#: phrases, so "Alice: I left" or "Alice: Bob left" stay messages (docs/formats/whatsapp.md).
NAMED_NOTICE_RE: Final = re.compile(
    r" (?:created group(?: [\"\u201c].{0,400})?|added you|removed you|left|changed the subject(?: from .{0,400})?"
    r"(?: to [\"\u201c].{0,400})?|changed this group's icon|deleted this group's icon|changed the group description"
    r"|joined using this group's invite link)",
    re.IGNORECASE,
)

#: First letters of the E2E notices (cheap check before the regex).
_E2E_FIRST: Final = frozenset("MNLABImnlabi")
_MARKS: Final = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_STRIP_MARKS: Final = str.maketrans("", "", _MARKS)
#: Distinct sender strings are cached up to this many.
SENDER_CACHE_LIMIT: Final = 100_000

#: (kind, sender as shown, first text line, shown_sender for notices written after a name)
Body = tuple[str, str, str, str]


def is_e2e_notice(text: str) -> bool:
    return text[:1] in _E2E_FIRST and E2E_RE.match(text) is not None


def strict_notice(text: str) -> re.Match[str] | None:
    """A notice no person would type (timer, number change, security code ...), matched at the start."""
    if not (
        "timer" in text
        or "disappearing" in text
        or "phone number" in text
        or "security code" in text
        or "blocked this contact" in text
        or "business account" in text
    ):
        return None
    return STRICT_SYSTEM_RE.match(text)


def is_notice_after_name(name: str, text: str) -> bool:
    """Rule 4 of :meth:`BodySplitter.split`: is the text after "Name: " really a WhatsApp notice?

    Yes for an E2E notice; for a text led by U+200E (WhatsApp's own mark) that is a strict notice
    or a group event; and for a strict notice whose actor is the shown name itself or "You"
    (Android writes "+44 7700 900123: +44 7700 900123 updated the message timer").
    """
    if text[:1] == LRM:
        plain = text.lstrip(LRM)
        return is_e2e_notice(plain) or strict_notice(plain) is not None or LRM_GROUP_EVENT_RE.fullmatch(plain) is not None
    if is_e2e_notice(text):
        return True
    if is_named_notice(name, text):
        return True
    notice = strict_notice(text)
    if notice is None:
        return False
    actor = notice.group(1) or notice.group(2)
    return actor is None or actor.strip().casefold() in (name.strip().casefold(), "you")


def is_named_notice(name: str, text: str) -> bool:
    """Rule 4b: the shown name itself opening a whole group-notice phrase ("Alice left", "Alice added
    you", "Alice created group \"Plans\""); any other text, however close ("I left", "You left",
    "Bob left", "Alice left early"), stays a message."""
    actor = clean_sender(name).strip()
    n = len(actor)
    return bool(n) and text[:n].casefold() == actor.casefold() and NAMED_NOTICE_RE.fullmatch(text, n) is not None


def clean_sender(sender: str) -> str:
    """Remove direction marks and the ``~ `` that iOS puts before names not in the contacts."""
    cleaned = sender.translate(_STRIP_MARKS) if any(c in sender for c in _MARKS) else sender
    if cleaned[:1] == "~":
        rest = cleaned[1:]
        if rest[:1] in (" ", "\u202f", "\u00a0"):
            rest = rest[1:]
        if rest:
            cleaned = rest
    return cleaned


@dataclass(frozen=True, slots=True)
class SenderInfo:
    """What :class:`BodySplitter` needs to know about one sender string, worked out once."""

    #: :func:`clean_sender` of the raw string
    clean: str
    #: the "sender" is really a group event's wording ("Alice changed the subject to ...")
    group_event: bool
    #: the actor :func:`is_named_notice` looks for: the clean name, stripped and casefolded
    actor_folded: str
    actor_len: int
    #: the raw name stripped and casefolded, for the actor of a strict notice
    name_folded: str


def _sender_info(raw: str) -> SenderInfo:
    clean = clean_sender(raw)
    actor = clean.strip()
    group_event = GROUP_EVENT_IN_SENDER_RE.search(raw) is not None
    return SenderInfo(clean, group_event, actor.casefold(), len(actor), raw.strip().casefold())


class BodySplitter:
    """Splits header bodies into sender and text; per-sender work is cached (senders repeat)."""

    def __init__(self) -> None:
        self._senders: dict[str, SenderInfo] = {}

    def info(self, raw: str) -> SenderInfo:
        try:
            return self._senders[raw]
        except KeyError:
            info = _sender_info(raw)
            if len(self._senders) < SENDER_CACHE_LIMIT:
                self._senders[raw] = info
            return info

    def sender_info(self, raw: str) -> tuple[str, bool]:
        """(cleaned sender, whether the "sender" is really a group event's wording)."""
        info = self.info(raw)
        return info.clean, info.group_event

    def split(self, body: str) -> Body:
        """Decide who "said" a header line, by the rule in the module docstring of ``whatsapp``.

        1. A body that is an E2E notice is a system notice.
        2. Otherwise split at the first ": " (or a ":" ending the line). The part before is the
           sender, unless it is a group event whose wording contains ": " (then the whole body is
           the notice).
        3. No ": " at all: a system notice ("Alice added Bob", "You were added", "John Doe:.").
        4. After the split, an E2E notice, a U+200E-led notice or group event, a strict notice
           naming the shown name itself as its actor, or the shown name itself opening a whole
           group-notice phrase (:func:`is_named_notice`) is a system notice too; the name before the
           colon is kept as ``shown_sender``. (:func:`is_notice_after_name` states the same test;
           here it uses the sender's cached :class:`SenderInfo`.)
        """
        c = body[:1]
        if (c == LRM or c in _E2E_FIRST) and is_e2e_notice(body.lstrip(LRM)):
            return ("system", "", body, "")
        idx = body.find(": ")
        if idx < 0:
            if body.endswith(":") and len(body) > 1:
                return ("message", body[:-1], "", "")
            return ("system", "", body, "")
        sender = body[:idx]
        info = self.info(sender)
        if info.group_event:
            return ("system", "", body, "")
        text = body[idx + 2 :]
        if self._notice_after(info, text):
            return ("system", "", text, sender)
        return ("message", sender, text, "")

    @staticmethod
    def _notice_after(info: SenderInfo, text: str) -> bool:
        """:func:`is_notice_after_name` with the name's cached facts."""
        c = text[:1]
        if c == LRM:
            plain = text.lstrip(LRM)
            return is_e2e_notice(plain) or strict_notice(plain) is not None or LRM_GROUP_EVENT_RE.fullmatch(plain) is not None
        if c in _E2E_FIRST and E2E_RE.match(text) is not None:
            return True
        n = info.actor_len
        if (
            n
            and text[n : n + 1] == " "
            and text[:n].casefold() == info.actor_folded
            and NAMED_NOTICE_RE.fullmatch(text, n) is not None
        ):
            return True
        notice = strict_notice(text)
        if notice is None:
            return False
        actor = notice.group(1) or notice.group(2)
        return actor is None or actor.strip().casefold() in (info.name_folded, "you")


# -- markers --------------------------------------------------------------------------------

_MEDIA_OMITTED: Final = (
    # Android
    "<media omitted>", "<medien ausgeschlossen>", "<multimedia omitido>", "<archivo omitido>", "<médias omis>",
    "<fichier omis>", "<arquivo de mídia oculto>", "<mídia oculta>", "<ficheiro multimédia omitido>",
    "<media omessi>", "<media weggelaten>",
    # iOS
    "image omitted", "video omitted", "audio omitted", "sticker omitted", "gif omitted", "document omitted",
    "contact card omitted", "bild weggelassen", "video weggelassen", "audio weggelassen", "sticker weggelassen",
    "gif weggelassen", "dokument weggelassen", "kontaktkarte ausgelassen", "imagen omitida", "video omitido",
    "audio omitido", "sticker omitido", "gif omitido", "documento omitido", "tarjeta de contacto omitida",
    "image absente", "vidéo absente", "audio omis", "autocollant omis", "gif retiré", "document omis",
    "imagem ocultada", "vídeo omitido", "áudio ocultado", "figurinha omitida", "immagine omessa", "video omesso",
    "audio omesso", "sticker omesso", "gif omessa", "documento omesso", "afbeelding weggelaten", "video weggelaten",
    "audio weggelaten", "sticker weggelaten", "gif weggelaten", "document weggelaten",
)  # fmt: skip
_DELETED: Final = (
    "this message was deleted", "you deleted this message", "diese nachricht wurde gelöscht",
    "du hast diese nachricht gelöscht", "se eliminó este mensaje", "eliminaste este mensaje",
    "ce message a été supprimé", "vous avez supprimé ce message", "mensagem apagada", "esta mensagem foi apagada",
    "você apagou esta mensagem", "apagou esta mensagem", "questo messaggio è stato eliminato",
    "hai eliminato questo messaggio", "dit bericht is verwijderd", "je hebt dit bericht verwijderd",
    "u hebt dit bericht verwijderd",
)  # fmt: skip
#: Whole-text markers, keyed by the casefolded text without a final ".".
SHORT_MARKERS: Final[dict[str, str]] = {**dict.fromkeys(_MEDIA_OMITTED, "media_omitted"), **dict.fromkeys(_DELETED, "deleted")}
_SHORT_MAX: Final = max(len(k) for k in SHORT_MARKERS) + 2
#: iOS "<file name> • 3 pages document omitted" style endings.
_OMITTED_ENDINGS: Final = ("document omitted", "dokument weggelassen", "documento omitido", "document omis", "documento omesso")

EDITED_MARKERS: Final = (
    "<this message was edited>", "<diese nachricht wurde bearbeitet>", "<se editó este mensaje.>",
    "<ce message a été modifié>", "<mensagem editada>", "<questo messaggio è stato modificato>", "<dit bericht is bewerkt>",
)  # fmt: skip

#: iOS ``<attached: NAME>``.
ATTACHED_RE: Final = re.compile(
    r"<(?:attached|anhang|adjunto|anexado|allegato|bijlage|pièce jointe|fichier joint) ?: ([^<>\n]+)>", re.I
)
#: Android ``NAME (file attached)`` as the first line of a message.
FILE_ATTACHED_RE: Final = re.compile(
    r"(.+?) \((?:file attached|Datei angehängt|archivo adjunto|fichier joint|arquivo anexado|file allegato|bestand bijgevoegd)\)",
    re.I,
)

POLL_PREFIXES: Final = ("POLL:", "ENCUESTA:", "UMFRAGE:", "SONDAGE:", "ENQUETE:", "SONDAGGIO:", "PEILING:")

#: iOS call entries: "Missed voice call", "Video call, 5 min", "Voice call, No answer".
CALL_RE: Final = re.compile(r"(Missed )?(group )?(voice|video) call(?:, ?(.{1,40}))?", re.I)
_DURATION_RE: Final = re.compile(r"(\d+)\s*(h|hr|hrs|hour|hours|min|mins|minute|minutes|s|sec|secs|second|seconds)\b", re.I)
_UNIT_SECONDS: Final = {"h": 3600, "m": 60, "s": 1}


@dataclass(slots=True)
class Markers:
    """Flags read from a message text (the text itself is not changed)."""

    media_omitted: bool = False
    deleted: bool = False
    edited: bool = False
    poll: bool = False
    attachments: tuple[str, ...] = ()


_OMITTED_LAST: Final = frozenset("dnosDNOS")


def read_markers(text: str) -> Markers | None:
    """Flags for a message whose U+200E marks are already removed; None when there are none."""
    found: Markers | None = None
    if len(text) <= _SHORT_MAX:
        kind = SHORT_MARKERS.get(text.strip().casefold().rstrip("."))
        if kind is not None:
            found = Markers(media_omitted=kind == "media_omitted", deleted=kind == "deleted")
    elif text[-1:] in _OMITTED_LAST and text[-40:].casefold().endswith(_OMITTED_ENDINGS):
        found = Markers(media_omitted=True)
    if "<" in text:
        folded = text.casefold()
        edited = any(m in folded for m in EDITED_MARKERS)
        names = ATTACHED_RE.findall(text)
        if edited or names:
            found = found or Markers()
            found.edited = edited
            found.attachments = tuple(name.strip() for name in names)
    if ")" in text and (found is None or not found.attachments):
        first = text.partition("\n")[0]
        m = FILE_ATTACHED_RE.fullmatch(first) if first.endswith(")") else None
        if m is not None:
            found = found or Markers()
            found.attachments = (m.group(1).strip(),)
    if text.startswith(POLL_PREFIXES):
        found = found or Markers()
        found.poll = True
    return found


#: Texts at most this long may be a whole-text marker or a call entry (:func:`read_call` looks at 60).
_SHORT_OR_CALL: Final = max(_SHORT_MAX, 60)


def may_have_markers(text: str) -> bool:
    """False only when neither :func:`read_markers` nor :func:`read_call` can find anything in
    ``text``: it is too long for a whole-text marker or a call entry, has no ``<`` or ``)``, does not
    end like an "… omitted" marker and does not open a poll. A cheap test for the usual message."""
    return (
        len(text) <= _SHORT_OR_CALL
        or "<" in text
        or ")" in text
        or text[-1:] in _OMITTED_LAST
        or text.startswith(POLL_PREFIXES)
    )


@dataclass(frozen=True, slots=True)
class Call:
    call_type: str
    missed: bool
    duration_s: int | None
    detail: str


def read_call(text: str) -> Call | None:
    """An iOS call entry ("Missed voice call", "Video call, 5 min"), else None."""
    if len(text) > 60 or not ("call" in text or "Call" in text or "CALL" in text):
        return None
    m = CALL_RE.fullmatch(text.strip())
    if m is None:
        return None
    detail = (m.group(4) or "").strip()
    duration: int | None = None
    parts = _DURATION_RE.findall(detail)
    if parts:
        duration = sum(int(n) * _UNIT_SECONDS[unit[0].lower()] for n, unit in parts)
    return Call(m.group(3).lower(), bool(m.group(1)), duration, detail)


# -- thread names ---------------------------------------------------------------------------

#: "WhatsApp Chat with X.txt" and its localised forms; "WhatsApp Chat - X.zip".
THREAD_NAME_RE: Final = re.compile(
    r"(?:WhatsApp Chat with|WhatsApp Chat -|WhatsApp-Chat mit|Chat de WhatsApp con|Discussion WhatsApp avec"
    r"|Conversa do WhatsApp com|Chat WhatsApp con|WhatsApp-chat met|WhatsApp Chat mit)\s+(.+?)(?:\.txt|\.zip)?",
    re.I,
)


def thread_from_name(name: str) -> str:
    """The chat's name from an export's file name, or "" if the name does not say."""
    m = THREAD_NAME_RE.fullmatch(name.strip())
    return m.group(1).strip() if m else ""
