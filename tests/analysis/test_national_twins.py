"""A national number not valid in the case's region is kept as written, and linked to its international
twin only as a suggestion, by the phone's own contact name and trailing digits (issue 17)."""

from __future__ import annotations

from pathlib import Path

from cyberevidence.analysis.identities import link_handles, national_twins
from cyberevidence.people import People, Person, normalise_phone


def test_national_number_invalid_in_region_is_kept_as_written() -> None:
    assert normalise_phone("4115555555", "GB") is None  # not +44 4115555555
    assert normalise_phone("07700 900123", "GB") == "+447700900123"  # the trunk prefix says GB
    assert normalise_phone("020 7946 0018", "GB") == "+442079460018"
    assert normalise_phone("+1 411 555 5555", "GB") == "+14115555555"
    links = link_handles(People(region="GB"), [("sms", "4115555555"), ("sms", "+14115555555")])
    assert [(link.handle, link.person) for link in links] == [("+14115555555", "+1 411-555-5555")]


def test_twin_suggested_by_contact_name_and_trailing_digits() -> None:
    seen = {
        ("sms", "4115555555"): ("2024-01-01T10:00:00Z", "e1"),
        ("sms", "+14115555555"): ("2024-01-02T10:00:00Z", "e2"),
        ("sms", "+14115550000"): ("2024-01-02T10:00:00Z", "e3"),
        ("sms", "5555555"): ("2024-01-02T10:00:00Z", "e4"),
    }
    names = {
        ("sms", "4115555555"): "Mark Kell",
        ("sms", "+14115555555"): "mark kell",
        ("sms", "+14115550000"): "Mark Kell",  # same name, different digits: no suggestion
        ("sms", "5555555"): "Someone else",  # trailing digits, different name: no suggestion
    }
    [s] = national_twins(People(region="GB"), seen, names)
    assert (s.platform, s.handle, s.person, s.reason, s.confidence) == (
        "sms",
        "4115555555",
        "+1 411-555-5555",
        "same contact, national spelling",
        "medium",
    )
    assert "kept as written" in s.evidence and "'Mark Kell'" in s.evidence and "same 10 digits" in s.evidence
    assert s.event_ids == ("e1", "e2")


def test_no_suggestion_from_placeholder_names_or_short_numbers() -> None:
    seen = {("sms", "4115555555"): ("t", "e1"), ("sms", "+14115555555"): ("t", "e2"), ("sms", "55555"): ("t", "e3")}
    unknown = dict.fromkeys(seen, "(Unknown)")
    assert national_twins(People(region="GB"), seen, unknown) == []
    short = {("sms", "55555"): "Bob", ("sms", "+14115555555"): "Bob"}
    assert national_twins(People(region="GB"), seen, short) == []


def test_twin_of_a_listed_person_names_that_person() -> None:
    people = People([Person("Mark Kell", "subject", phones=("+1 411 555 5555",))], region="GB")
    seen = {("sms", "4115555555"): ("t", "e1"), ("sms", "+14115555555"): ("t", "e2")}
    [s] = national_twins(people, seen, dict.fromkeys(seen, "MK"))
    assert s.person == "Mark Kell"


def test_through_a_case(tmp_path: Path) -> None:
    from cyberevidence.case import Case

    backup = tmp_path / "sms-twins.xml"
    backup.write_text(
        '<smses count="2">\n'
        '<sms address="4115555555" date="1704103200000" type="1" body="first" contact_name="Mark Kell" />\n'
        '<sms address="+14115555555" date="1704189600000" type="1" body="second" contact_name="Mark Kell" />\n'
        "</smses>\n"
    )
    case = Case.create(tmp_path / "case", examiner="t", timezone="UTC")
    case.add(backup)
    found = [s for s in case.suggestions() if s.reason == "same contact, national spelling"]
    assert [(s.handle, s.person) for s in found] == [("4115555555", "+1 411-555-5555")]
