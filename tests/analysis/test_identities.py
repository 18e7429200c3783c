"""Certain identity links (with their rule) and suggestions that are never applied on their own."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import cyberevidence as ce
from cyberevidence.analysis.identities import link_handles, phone_of, suggest
from cyberevidence.analysis.resolve import Resolver
from cyberevidence.events import Event, SourceRef
from cyberevidence.people import people_from_data

PEOPLE = people_from_data(
    {
        "person": [
            {"name": "Sarah Jones", "role": "victim", "handles": ["whatsapp:Sarah"]},
            {
                "name": "Mark Kell",
                "role": "subject",
                "handles": ["whatsapp:Mark Kell", "telegram:user555"],
                "phones": ["+44 7700 900123"],
                "stop_dates": ["2025-03-10"],
            },
        ]
    },
    "GB",
)


def test_one_number_in_any_spelling_is_one_identity_without_a_people_file_entry() -> None:
    people = people_from_data({"person": [{"name": "Sarah Jones", "role": "victim"}]}, "GB")
    spellings = [
        ("sms", "07700 900123"),
        ("phone", "+447700900123"),
        ("whatsapp", "+44 7700 900123"),
        ("whatsapp", "447700900123@s.whatsapp.net"),
    ]
    links = link_handles(people, spellings)
    assert {link.person for link in links} == {"+44 7700 900123"}
    assert {link.rule for link in links} == {"same E.164 number +447700900123"}
    r = Resolver(people, {})
    t = datetime(2025, 3, 1, tzinfo=timezone.utc)
    persons = {
        r.resolve(Event(timestamp=t, platform=p, kind="message", source=SourceRef("a" * 64, "x"), sender=h)).person
        for p, h in spellings
    }
    assert persons == {"+44 7700 900123"}


def test_phone_of_refuses_names_and_reads_jids() -> None:
    assert phone_of("Mark Kell", "GB") is None
    assert phone_of("447700900123@s.whatsapp.net", "GB") == "+447700900123"
    assert phone_of("(07700) 900-123", "GB") == "+447700900123"


def test_an_account_id_in_extra_matches_a_listed_handle() -> None:
    """Telegram shows a display name; the people file lists the account id (telegram:user555)."""
    t = datetime(2025, 3, 1, tzinfo=timezone.utc)
    ev = Event(
        timestamp=t,
        platform="telegram",
        kind="message",
        source=SourceRef("a" * 64, "x"),
        sender="M.",
        extra={"from_id": "user555"},
    )
    e = Resolver(PEOPLE, {}).resolve(ev)
    assert (e.person, e.direction) == ("Mark Kell", "incoming")


def test_same_display_name_elsewhere_is_only_suggested() -> None:
    first_seen = {
        ("instagram", "Mark Kell"): ("2025-03-01T10:00:00Z", "e1"),
        ("telegram", "mk_new_account"): ("2025-03-12T22:00:00Z", "e2"),
        ("whatsapp", "Mark Kell"): ("2025-02-01T10:00:00Z", "e0"),  # listed: linked, not suggested
        ("sms", "+33 7 00 90 01 23"): ("2025-03-20T10:00:00Z", "e3"),
    }
    sugs = suggest(PEOPLE, first_seen, "Europe/London")
    got = {(s.platform, s.handle): (s.person, s.reason, s.confidence) for s in sugs}
    assert got == {
        ("instagram", "Mark Kell"): ("Mark Kell", "same display name", "medium"),
        ("telegram", "mk_new_account"): ("Mark Kell", "new account after a stop", "low"),
        ("sms", "+33 7 00 90 01 23"): ("Mark Kell", "same last nine digits", "medium"),
    }
    # the resolver does not merge the Instagram account on a name: it stays its own identity
    t = datetime(2025, 3, 1, 10, tzinfo=timezone.utc)
    ev = Event(timestamp=t, platform="instagram", kind="message", source=SourceRef("a" * 64, "x"), sender="Mark Kell")
    assert Resolver(PEOPLE, {}).resolve(ev).person == "Mark Kell (instagram account, not linked)"
    assert PEOPLE.match("instagram", "Mark Kell") is None


def test_accepting_a_suggestion_stores_a_new_people_file(tmp_path: Path) -> None:
    people = tmp_path / "people.toml"
    people.write_text(
        '[[person]]\nname = "Sarah Jones"\nrole = "victim"\nhandles = ["whatsapp:Sarah Jones"]\n\n'
        '[[person]]\nname = "Mark Kell"\nrole = "subject"\nhandles = ["whatsapp:Mark Kell"]\n',
        encoding="utf-8",
    )
    chat = tmp_path / "insta" / "WhatsApp Chat with Mark.txt"
    chat.parent.mkdir()
    chat.write_text("01/03/2025, 10:00 - Mark Kell: hello\n", encoding="utf-8")
    case = ce.Case.create(tmp_path / "case", examiner="Test Examiner")
    case.load_people(people)
    case.add(chat, timezone="Europe/London", date_order="dmy")
    assert case.suggestions() == []  # already linked by the listed handle
    events = list(case.timeline())
    assert [e.person for e in events] == ["Mark Kell"]
    assert [link.rule for link in case.identities()] == ["handle whatsapp:Mark Kell listed in the people file"]


def test_accepting_a_display_name_suggestion_links_the_account(tmp_path: Path) -> None:
    people = tmp_path / "people.toml"
    people.write_text(
        '[[person]]\nname = "Sarah Jones"\nrole = "victim"\nhandles = ["whatsapp:Sarah Jones"]\n\n'
        '[[person]]\nname = "Mark Kell"\nrole = "subject"\nhandles = ["telegram:Mark Kell"]\n',
        encoding="utf-8",
    )
    chat = tmp_path / "wa" / "WhatsApp Chat with Mark.txt"
    chat.parent.mkdir()
    chat.write_text("01/03/2025, 10:00 - Mark Kell: hello\n01/03/2025, 10:05 - Sarah Jones: stop\n", encoding="utf-8")
    case = ce.Case.create(tmp_path / "case", examiner="Test Examiner")
    case.load_people(people)
    case.add(chat, timezone="Europe/London", date_order="dmy")
    assert next(e.person for e in case.timeline()) == "Mark Kell (whatsapp account, not linked)"
    assert case.conduct()[0].total_contacts.value == 0  # not counted for the subject on a name alone
    (sug,) = case.suggestions()
    assert (sug.platform, sug.handle, sug.person, sug.reason) == ("whatsapp", "Mark Kell", "Mark Kell", "same display name")
    case.accept_suggestion(sug.id, actor="Advocate A")
    assert next(e.person for e in case.timeline()) == "Mark Kell"
    assert case.conduct()[0].total_contacts.value == 1
    entry = [e for e in case.custody.entries() if e.action == "people"][-1]
    assert entry.actor == "Advocate A"
    stored = case.store.path_for(entry.subject).read_text(encoding="utf-8")
    assert f"Accepted suggestion {sug.id}" in stored and 'handles = ["telegram:Mark Kell", "whatsapp:Mark Kell"]' in stored
    assert case.verify().exit_code == 0


def test_links_say_whether_they_are_asserted_or_evidenced() -> None:
    people = people_from_data(
        {
            "person": [
                {
                    "name": "Mark Kell",
                    "role": "subject",
                    "phones": ["07700 900123"],
                    "handles": ["instagram:mk_new", "whatsapp:Mark Kell"],
                    "evidence": {
                        "instagram:mk_new": "Meta platform return ref 2025/0417",
                        "07700 900123": "his e-mail signature",
                    },
                }
            ]
        },
        "GB",
    )
    links = {
        (link.platform, link.handle): link
        for link in link_handles(people, [("instagram", "mk_new"), ("whatsapp", "Mark Kell"), ("sms", "+447700900123")])
    }
    assert (links[("instagram", "mk_new")].basis, links[("instagram", "mk_new")].evidence) == (
        "evidenced",
        "Meta platform return ref 2025/0417",
    )
    assert (links[("whatsapp", "Mark Kell")].basis, links[("whatsapp", "Mark Kell")].evidence) == (
        "asserted",
        "whatsapp:Mark Kell listed in the people file",
    )
    sms = links[("sms", "+447700900123")]
    assert (sms.rule, sms.basis, sms.evidence) == ("same E.164 number +447700900123", "evidenced", "his e-mail signature")


def test_evidence_for_an_unlisted_identifier_is_refused() -> None:
    import pytest

    from cyberevidence.errors import PeopleFileError

    with pytest.raises(PeopleFileError, match="not listed"):
        people_from_data({"person": [{"name": "M", "role": "subject", "evidence": {"x:y": "z"}}]}, "GB")
