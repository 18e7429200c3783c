"""The people file is checked against its schema (issue 19, item 2): nothing misspelled is ignored."""

from __future__ import annotations

import pytest

from cyberevidence.errors import PeopleFileError
from cyberevidence.people import PERSON_KEYS, TABLES, UnknownPersonError, did_you_mean, known_platforms, people_from_data


def _one(**row: object) -> dict[str, object]:
    return {"person": [{"name": "Mark Kell", "role": "subject", **row}]}


def test_schema_lists_the_documented_keys() -> None:
    assert TABLES == ("person",)
    assert PERSON_KEYS == ("name", "role", "phones", "emails", "handles", "stop_dates", "evidence")


@pytest.mark.parametrize(("key", "suggested"), [("phone", "phones"), ("handels", "handles"), ("Emails", "emails"),
                                                ("stop_date", "stop_dates"), ("evidences", "evidence")])
def test_unknown_person_keys_name_the_key_and_the_nearest(key: str, suggested: str) -> None:
    with pytest.raises(PeopleFileError, match=rf"Mark Kell: unknown key '{key}' \(did you mean '{suggested}'\?\)"):
        people_from_data(_one(**{key: []}), "GB", "p.toml")


def test_an_unrelated_key_gets_the_list_without_a_guess() -> None:
    with pytest.raises(PeopleFileError) as err:
        people_from_data(_one(colour=["red"]), "GB", "p.toml")
    assert str(err.value) == (
        "p.toml: Mark Kell: unknown key 'colour'; a person has name, role, phones, emails, handles, stop_dates, evidence"
    )


def test_unknown_tables_and_top_level_keys() -> None:
    with pytest.raises(PeopleFileError, match=r"unknown table \[\[persons\]\] \(did you mean \[\[person\]\]\?\)"):
        people_from_data({"persons": [{"name": "A"}]}, "GB")
    with pytest.raises(PeopleFileError, match=r"unknown key 'region'"):
        people_from_data({"region": "GB"}, "GB")
    with pytest.raises(PeopleFileError, match=r"use \[\[person\]\] tables \(with two brackets\)"):
        people_from_data({"person": {"name": "A"}}, "GB")


def test_handle_platforms_come_from_the_parser_registry() -> None:
    platforms = known_platforms()
    assert {"whatsapp", "sms", "email", "instagram", "telegram"} <= platforms
    with pytest.raises(PeopleFileError, match=r"'whatsap' is not a known platform \(did you mean 'whatsapp'\?\)"):
        people_from_data(_one(handles=["whatsap:Mark"]), "GB")
    assert people_from_data(_one(handles=["WhatsApp:Mark"]), "GB").persons[0].handles == ("WhatsApp:Mark",)
    with pytest.raises(PeopleFileError, match="'myspace' is not a known platform"):
        people_from_data(_one(handles=["myspace:mk"]), "GB", platforms={"whatsapp"})


def test_lenient_reading_for_files_already_stored() -> None:
    data = {"person": [{"name": "A", "role": "subject", "nickname": "x", "handles": ["myspace:a"]}]}
    assert people_from_data(data, "GB", strict=False).persons[0].handles == ("myspace:a",)


def test_named_requires_an_exact_listed_name() -> None:
    people = people_from_data({"person": [{"name": "Mark Kell", "role": "subject"}, {"name": "Sarah Jones",
                                                                                      "role": "victim"}]}, "GB")
    assert people.named(" Mark Kell ").name == "Mark Kell"
    with pytest.raises(UnknownPersonError, match=r"'Mark' is not in the people file \(did you mean 'Mark Kell'\?\)"):
        people.named("Mark")
    with pytest.raises(UnknownPersonError, match="no people file has been loaded yet"):
        people_from_data({}, "GB").named("Mark")


def test_did_you_mean() -> None:
    assert did_you_mean("blockd", ["blocked", "other"]) == " (did you mean 'blocked'?)"
    assert did_you_mean("zzz", ["blocked"]) == ""
