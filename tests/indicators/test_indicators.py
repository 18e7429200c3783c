"""Indicators: the exact candidates of a planted case, the heading layout, reviews in custody, no scores."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

import cyberevidence as ce
from cyberevidence import indicators
from cyberevidence.events import Event, SourceRef
from cyberevidence.people import People, Person

PEOPLE = """
[[person]]
name = "Sarah Jones"
role = "victim"
handles = ["whatsapp:Sarah Jones"]
emails = ["sarah.jones@example.org"]

[[person]]
name = "Mark Kell"
role = "subject"
handles = ["whatsapp:Mark Kell"]

[[person]]
name = "Amy Lee"
role = "other"
handles = ["whatsapp:Amy Lee"]
"""

REGRET = "You\u2019ll regret ignoring me."  # a curly apostrophe, as iPhones type it
HURT = "I will hurt you if you keep ignoring me"
SAW = "I saw you at the gym this morning, nice dress today"
NEAR_MISS = "Great match yesterday, I killed it at five-a-side. You won't regret coming next time."
STOP = "Please stop messaging me."
RELAY = "Mark asked me to tell you he is sorry and wants to meet"
AIRTAG_MSG = "My phone just said AirTag Found Moving With You"
PARTY = "Are you coming to the party on Saturday?"
EML_BODY = "An unknown AirTag is moving with you. Your current location can be seen by its owner."

MARK_CHAT = [
    f"01/03/2025, 09:05 - Mark Kell: {REGRET}",
    f"01/03/2025, 09:30 - Sarah Jones: {STOP}",
    f"02/03/2025, 22:15 - Mark Kell: {HURT}",
    f"03/03/2025, 18:02 - Mark Kell: {SAW}",
    f"04/03/2025, 12:00 - Mark Kell: {NEAR_MISS}",
]
AMY_CHAT = [
    f"05/03/2025, 10:00 - Amy Lee: {RELAY}",
    f"05/03/2025, 10:05 - Sarah Jones: {AIRTAG_MSG}",
    f"05/03/2025, 10:06 - Amy Lee: {PARTY}",
]
EML = (
    "From: Find My <noreply@findmy.example.com>\r\n"
    "To: Sarah Jones <sarah.jones@example.org>\r\n"
    "Subject: AirTag Found Moving With You\r\n"
    "Date: Thu, 06 Mar 2025 08:00:00 +0000\r\n"
    "Message-ID: <airtag-1@findmy.example.com>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    f"{EML_BODY}\r\n"
)


def _chat(folder: Path, name: str, lines: list[str]) -> Path:
    folder.mkdir(parents=True)
    path = folder / f"WhatsApp Chat with {name}.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _case(tmp_path: Path) -> ce.Case:
    case = ce.Case.create(tmp_path / "case", examiner="Test Examiner")
    case.add(_chat(tmp_path / "mark", "Mark Kell", MARK_CHAT), timezone="Europe/London", date_order="dmy")
    case.add(_chat(tmp_path / "amy", "Amy Lee", AMY_CHAT), timezone="Europe/London", date_order="dmy")
    eml = tmp_path / "mail" / "alert.eml"
    eml.parent.mkdir()
    eml.write_bytes(EML.encode())
    report = case.add(eml)
    assert [f.parser for f in report.files] == ["email_message"]
    people = tmp_path / "people.toml"
    people.write_text(PEOPLE, encoding="utf-8")
    case.load_people(people)
    return case


@pytest.fixture
def case(tmp_path: Path) -> ce.Case:
    return _case(tmp_path)


def _event_ids(case: ce.Case) -> dict[str, str]:
    """Event id by text (the e-mail by its body)."""
    return {e.text.strip(): e.event_id for e in case.timeline()}


# --------------------------------------------------------------------------- the candidates


def test_the_planted_case_gives_exactly_these_candidates(case: ce.Case) -> None:
    ids = _event_ids(case)
    found = ce.indicator_candidates(case)
    got = {(c.event_id, c.category, c.pattern_id, c.field, c.matched, c.also_matched) for c in found}
    assert got == {
        (ids[REGRET], "threat", "threat.regret", "text", "You\u2019ll regret", ()),
        (ids[HURT], "threat_violence", "threat.harm", "text", "I will hurt you", ()),
        (ids[SAW], "location_knowledge", "location.saw_you", "text", "I saw you at", ("location.appearance",)),
        (ids[RELAY], "third_party", "third_party.relay_named", "text", "Mark asked", ("third_party.mentions_subject",)),
        (ids[AIRTAG_MSG], "tracker_alert", "tracker.airtag_moving", "text", "Found Moving With You", ()),
        (ids[EML_BODY], "tracker_alert", "tracker.airtag_moving", "subject", "Found Moving With You",
         ("tracker.unknown_accessory",)),
    }
    assert len(found) == 6
    # the near miss, the victim's stop request and the innocuous question are not candidates
    assert not {ids[NEAR_MISS], ids[STOP], ids[PARTY]} & {c.event_id for c in found}
    # timeline order, stable ids, every one pending
    assert [c.timestamp for c in found] == sorted(c.timestamp for c in found)
    assert all(c.id == indicators.candidate_id(c.event_id, c.pattern_id) for c in found)
    assert {c.status for c in found} == {"pending"}
    assert [c.id for c in ce.indicator_candidates(case)] == [c.id for c in found]


def test_candidates_carry_who_when_where_and_the_source(case: ce.Case) -> None:
    by_pattern = {c.pattern_id: c for c in ce.indicator_candidates(case)}
    hurt = by_pattern["threat.harm"]
    assert (hurt.timestamp, hurt.platform, hurt.kind, hurt.person, hurt.direction) == (
        "2025-03-02T22:15:00Z", "whatsapp", "message", "Mark Kell", "incoming")
    assert hurt.span == (0, len("I will hurt you")) and hurt.excerpt == HURT
    assert hurt.source_sha256 == next(e for e in case.timeline() if e.text == HURT).source.sha256
    relay = by_pattern["third_party.relay_named"]
    assert (relay.person, relay.direction) == ("Amy Lee", "incoming")
    tracker = [c for c in ce.indicator_candidates(case) if c.kind == "email"]
    assert [(t.platform, t.sender, t.field, t.excerpt) for t in tracker] == [
        ("email", "noreply@findmy.example.com", "subject", "AirTag Found Moving With You")
    ]


def test_the_victims_own_words_are_not_third_party_and_not_threats(tmp_path: Path) -> None:
    people = People([Person("Sarah Jones", "victim", handles=("whatsapp:Sarah Jones",)),
                     Person("Mark Kell", "subject", handles=("whatsapp:Mark Kell",)),
                     Person("Amy Lee", "other", handles=("whatsapp:Amy Lee",))])
    src = SourceRef("0" * 64, "line 1")
    at = datetime(2025, 3, 1, tzinfo=timezone.utc)

    made: list[Event] = []

    def ev(text: str, person: str, direction: str, **kw: Any) -> Event:
        made.append(Event(at, "whatsapp", kw.pop("kind", "message"), src, text=text, person=person,
                          direction=direction, event_id=f"event-{len(made)}", **kw))  # type: ignore[arg-type]
        return made[-1]

    pset = indicators.load_patterns()
    events = [
        ev("Mark says he is sorry", "Mark Kell", "incoming"),            # the subject himself: not third party
        ev("Mark says hi, you'll regret this", "Amy Lee", "outgoing"),   # the victim writing: neither
        ev("Mark says he misses you", "Amy Lee", "incoming"),            # a friend relaying: third party
        ev("he asked me to tell you he's waiting", "+44 7700 900999", "incoming"),  # an unlinked account
        ev("Security alert", "x", "incoming", kind="email", sender="no-reply@accounts.google.com",
           extra={"subject": "Security alert"}),
        ev("Security alert", "y", "incoming", kind="email", sender="friend@example.net", extra={"subject": "Security alert"}),
    ]
    got = [(c.event_id, c.pattern_id) for c in indicators.find_candidates(events, pset, people)]
    assert got == [
        (events[2].event_id, "third_party.relay_named"),
        (events[3].event_id, "third_party.relay"),
        (events[4].event_id, "account.google_security_alert"),
    ]
    # without a people file there is no subject, so nothing can be third-party contact
    no_people = list(indicators.find_candidates(events[2:4], pset, People([])))
    assert no_people == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm killing it at work lol", []),
        ("you won't regret it, promise", []),
        ("this traffic is killing me", []),
        ("kill time before the film?", []),
        ("I saw your post about the gig", []),
        ("you\u2019re  gonna   regret this", ["threat.regret"]),
        ("I know where you live", ["threat.know_where_you_live", "location.know_where"]),
        ("WATCH YOUR BACK", ["threat.watch_your_back"]),
        ("I'm outside your flat", ["presence.outside"]),
        ("I'll wait outside your work tomorrow", ["presence.will_be_there"]),
        ("I'll be at work tomorrow", []),
        ("Saw you at the station today. You looked tired.", ["location.saw_you"]),
        ("Saw your car outside the gym today", ["location.saw_you"]),
        ("Saw a film at the weekend", []),
        ("who was that guy you were with", ["location.you_were_at"]),
        ("Sarah is sharing location with you", ["location_sharing.sharing_with_you"]),
        ("Unknown tracker travelling with you", ["tracker.android_unknown"]),
        ("someone installed mSpy on my phone", ["stalkerware.name"]),
        ("Your Apple ID was used to sign in to iCloud via a web browser", ["account.apple_id_signin"]),
    ],
)
def test_patterns_and_near_misses(text: str, expected: list[str]) -> None:
    ev = Event(datetime(2025, 3, 1, tzinfo=timezone.utc), "sms", "message", SourceRef("0" * 64, "x"), text=text,
               person="Someone", direction="incoming", event_id="e1")
    got = [c.pattern_id for c in indicators.find_candidates([ev], indicators.load_patterns(), People([]))]
    assert got == expected


# --------------------------------------------------------------------------- the layout


def test_candidates_and_figures_sit_under_the_headings_they_inform(case: ce.Case) -> None:
    report = ce.indicator_report(case)
    cid = {c.pattern_id + ("@email" if c.kind == "email" else ""): c.id for c in report.candidates}
    heads = {h.id: h for f in report.frameworks for h in f.headings}
    assert [f.id for f in report.frameworks] == ["four", "slii", "sdash"]
    assert [h.label for h in report.frameworks[0].headings] == ["Fixated", "Obsessive", "Unwanted", "Repeated"]
    assert [h.label for h in report.frameworks[1].headings] == ["Surveillance", "Life invasion", "Intimidation", "Interference"]
    assert [h.id for h in report.frameworks[2].headings] == [f"sdash.q{n}" for n in range(1, 12)]
    assert heads["four.obsessive"].candidate_ids == (cid["location.saw_you"],)
    assert heads["slii.surveillance"].candidate_ids == (
        cid["location.saw_you"], cid["tracker.airtag_moving"], cid["tracker.airtag_moving@email"])
    assert heads["slii.intimidation"].candidate_ids == (cid["threat.regret"], cid["threat.harm"])
    assert heads["sdash.q6"].candidate_ids == (cid["threat.harm"],)  # a veiled threat is not put under violence
    assert heads["slii.life_invasion"].candidate_ids == (cid["third_party.relay_named"],)
    assert heads["sdash.q9"].candidate_ids == (cid["third_party.relay_named"],)
    assert heads["sdash.q5"].candidate_ids == (
        cid["location.saw_you"], cid["tracker.airtag_moving"], cid["tracker.airtag_moving@email"])
    for empty in ("slii.interference", "sdash.q1", "sdash.q3", "sdash.q8", "sdash.q11", "four.unwanted"):
        assert heads[empty].candidate_ids == ()
    # course-of-conduct figures, per subject, with the events behind them
    figs = {(h, f.label): f.value for h in heads for f in heads[h].figures}
    assert figs[("four.repeated", "contacts from the subject")] == "4"
    assert figs[("four.fixated", "longest run of consecutive days with contact")] == "4 (2025-03-01 to 2025-03-04)"
    assert figs[("four.unwanted", "contacts left without a reply")] == "3"
    assert figs[("sdash.q9", "messages from others that mention the subject")] == "1"
    assert all(f.subject == "Mark Kell" for h in heads.values() for f in h.figures)


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_no_output_carries_a_score_or_a_risk_level(case: ce.Case) -> None:
    import io

    report = ce.indicator_report(case)
    as_json = json.dumps(report.to_dict())
    buf = io.StringIO()
    report.write_text(buf)
    text = buf.getvalue()
    forbidden_keys = {k for k in _keys(report.to_dict()) if re.search(r"score|risk|rating|level|total|sum|grade", k, re.I)}
    assert forbidden_keys == set()
    for out in (as_json, text):
        assert not re.search(r"\bscor(e|es|ed|ing)\b", out, re.I)
        assert not re.search(r"\b(high|medium|low|moderate|severe)\b", out, re.I)
        assert "professional to weigh" in out
    assert report.notice == indicators.NOTICE


# --------------------------------------------------------------------------- review and custody


def test_decisions_go_into_custody_and_the_latest_one_counts(case: ce.Case) -> None:
    by_pattern = {c.pattern_id: c for c in ce.indicator_candidates(case)}
    hurt, relay = by_pattern["threat.harm"], by_pattern["third_party.relay_named"]
    before = sum(1 for _ in case.custody.entries())

    done = ce.review_candidate(case, hurt.id, "confirmed", "Officer A", note="threat to hurt, 2 March")
    assert done.status == "confirmed" and done.review is not None and done.review.note == "threat to hurt, 2 March"
    ce.review_candidate(case, relay.id, "dismissed", "Officer A", note="friend passing on an apology")
    ce.review_candidate(case, relay.id.upper(), "confirmed", "Officer B", note="on review: he sent her to relay it")

    entries = [e for e in case.custody.entries() if e.action == "indicator_review"]
    assert sum(1 for _ in case.custody.entries()) == before + 3
    assert [(e.actor, e.details["candidate_id"], e.details["decision"]) for e in entries] == [
        ("Officer A", hurt.id, "confirmed"), ("Officer A", relay.id, "dismissed"), ("Officer B", relay.id, "confirmed")]
    assert entries[0].subject == hurt.source_sha256
    assert entries[0].details["event_id"] == hurt.event_id
    assert entries[0].details["pattern_id"] == "threat.harm"
    assert entries[0].details["matched"] == "I will hurt you"
    assert entries[0].details["pattern_files"][0]["origin"] == "builtin:en"

    status = {c.id: c for c in ce.indicator_candidates(case)}
    assert status[hurt.id].status == "confirmed"
    assert status[relay.id].status == "confirmed"
    assert [r.decision for r in status[relay.id].reviews] == ["dismissed", "confirmed"]  # history stays
    assert sum(1 for c in status.values() if c.status == "pending") == 4
    report = case.verify()
    assert report.exit_code == 0, report.problems
    written = json.loads((case.root / "manifest.json").read_text(encoding="utf-8"))
    head = case.custody.head()
    assert head is not None and head.action == "indicator_review"
    assert written["custody_head"] == {"seq": head.seq, "hash": head.hash}  # the manifest was refreshed


def test_a_review_can_be_changed_to_dismissed(case: ce.Case) -> None:
    regret = next(c for c in ce.indicator_candidates(case) if c.pattern_id == "threat.regret")
    ce.review_candidate(case, regret.id, "confirmed")
    ce.review_candidate(case, regret.id, "dismissed", note="said in jest, per victim")
    now = next(c for c in ce.indicator_candidates(case) if c.id == regret.id)
    assert now.status == "dismissed"
    assert [r.actor for r in now.reviews] == ["Test Examiner", "Test Examiner"]  # default actor: the examiner
    assert case.verify().exit_code == 0


def test_bad_reviews_are_refused_and_log_nothing(case: ce.Case) -> None:
    before = sum(1 for _ in case.custody.entries())
    with pytest.raises(ce.CyberEvidenceError, match="no current indicator candidate"):
        ce.review_candidate(case, "0123456789abcdef", "confirmed", "Officer A")
    some = ce.indicator_candidates(case)[0]
    with pytest.raises(ce.CyberEvidenceError, match="confirmed' or 'dismissed"):
        ce.review_candidate(case, some.id, "maybe", "Officer A")
    assert sum(1 for _ in case.custody.entries()) == before


# --------------------------------------------------------------------------- pattern files


def test_shipped_patterns_are_complete_and_sourced() -> None:
    assert "en" in ce.indicator_languages()
    pset = indicators.load_patterns("en")
    assert set(pset.headings) == set(indicators.HEADING_IDS)
    assert len([h for h in indicators.HEADING_IDS if h.startswith("sdash.")]) == 11
    assert len({p.id for p in pset.patterns}) == len(pset.patterns)
    for p in pset.patterns:
        assert p.source and p.description and p.category in pset.categories
    for cat in pset.categories.values():
        assert cat.headings and set(cat.headings) <= set(indicators.HEADING_IDS)
    wanted = {"threat", "threat_violence", "location_knowledge", "third_party", "tracker_alert", "account_access",
              "location_sharing", "stalkerware"}
    assert wanted <= {p.category for p in pset.patterns}


def test_unknown_language_is_a_clear_error() -> None:
    with pytest.raises(ce.IndicatorPatternError, match="no indicator patterns for the language 'xx'") as info:
        indicators.load_patterns("xx")
    assert "en" in info.value.hint


def test_extra_pattern_files_add_patterns_and_categories(case: ce.Case, tmp_path: Path) -> None:
    extra = tmp_path / "mine.toml"
    extra.write_text(
        '[[category]]\nid = "gifts"\nlabel = "Unwanted gifts"\nheadings = ["four.unwanted", "slii.life_invasion"]\n'
        '[[pattern]]\nid = "mine.party"\ncategory = "gifts"\ndescription = "test"\nsource = "this test"\n'
        'keywords = ["the party"]\n',
        encoding="utf-8",
    )
    report = ce.indicator_report(case, patterns=[extra])
    mine = [c for c in report.candidates if c.pattern_id == "mine.party"]
    assert [c.excerpt for c in mine] == [PARTY]
    heads = {h.id: h for f in report.frameworks for h in f.headings}
    assert heads["four.unwanted"].candidate_ids == (mine[0].id,)
    assert report.pattern_files[1]["origin"] == str(extra.resolve())
    # a review made with the extra file names it in custody
    ce.review_candidate(case, mine[0].id, "dismissed", "Officer A", patterns=[extra])
    last = [e for e in case.custody.entries() if e.action == "indicator_review"][-1]
    assert [o["origin"] for o in last.details["pattern_files"]] == ["builtin:en", str(extra.resolve())]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[pattern]]\nid = "a"\ncategory = "threat"\ndescription = "d"\nkeywords = ["x"]\n', "'source' is required"),
        ('[[pattern]]\nid = "a"\ncategory = "nope"\ndescription = "d"\nsource = "s"\nkeywords = ["x"]\n', "unknown category"),
        ('[[pattern]]\nid = "a"\ncategory = "threat"\ndescription = "d"\nsource = "s"\nregex = "("\n', "does not compile"),
        ('[[pattern]]\nid = "threat.regret"\ncategory = "threat"\ndescription = "d"\nsource = "s"\nkeywords = ["x"]\n',
         "used twice"),
        ('[[pattern]]\nid = "a"\ncategory = "threat"\ndescription = "d"\nsource = "s"\n', "exactly one of"),
        ("not toml [", "not valid TOML"),
    ],
)
def test_bad_pattern_files_are_named(tmp_path: Path, body: str, message: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(body, encoding="utf-8")
    with pytest.raises(ce.IndicatorPatternError, match=re.escape(message)) as info:
        indicators.load_patterns("en", [bad])
    assert "bad.toml" in str(info.value)


# --------------------------------------------------------------------------- the command line


def _cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cyberevidence_cli.main", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200"}, timeout=120)


def test_cli_lists_confirms_and_dismisses(case: ce.Case) -> None:
    root = case.root
    listed = _cli("indicators", root)
    assert listed.returncode == 0, listed.stderr
    assert "[pending]" in listed.stdout and "Surveillance:" in listed.stdout and "S-DASH 6:" in listed.stdout
    data = json.loads(_cli("indicators", root, "--format", "json").stdout)
    hurt = next(c for c in data["candidates"] if c["pattern_id"] == "threat.harm")
    relay = next(c for c in data["candidates"] if c["pattern_id"] == "third_party.relay_named")
    ok = _cli("indicators", root, "--confirm", hurt["id"], "--note", "threat to hurt", "--actor", "Officer A")
    assert ok.returncode == 0, ok.stderr
    assert _cli("indicators", root, "--dismiss", relay["id"]).returncode == 0
    after = {c["id"]: c for c in json.loads(_cli("indicators", root, "--format", "json").stdout)["candidates"]}
    assert after[hurt["id"]]["status"] == "confirmed"
    assert after[hurt["id"]]["reviews"][0]["actor"] == "Officer A"
    assert after[relay["id"]]["status"] == "dismissed"
    text = _cli("indicators", root).stdout
    assert f"[confirmed] {hurt['id']}" in text and f"[dismissed] {relay['id']}" in text
    assert "confirmed by Officer A" in text and ": threat to hurt" in text
    missing = _cli("indicators", root, "--confirm", "ffffffffffffffff")
    assert missing.returncode == 2 and "no current indicator candidate" in missing.stderr
    lang = _cli("indicators", root, "--language", "xx")
    assert lang.returncode == 2 and "Available: en" in lang.stderr
    assert _cli("verify", root).returncode == 0
