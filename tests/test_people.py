from pathlib import Path

import pytest

from cyberevidence.errors import PeopleFileError
from cyberevidence.people import load_people, normalise_phone, people_from_data

PEOPLE = {
    "person": [
        {"name": "Sarah Jones", "role": "victim", "phones": ["07700 900001"], "handles": ["whatsapp:Sarah Jones"]},
        {
            "name": "Mark Kell",
            "role": "subject",
            "phones": ["+44 7700 900123"],
            "emails": ["Mark.Kell@example.net"],
            "handles": ["telegram:user555", "whatsapp:Mark"],
        },
    ]
}


@pytest.mark.parametrize(
    "spelling", ["+44 7700 900123", "07700 900123", "07700-900-123", "+447700900123", "0044 7700 900123", "(07700) 900123"]
)
def test_phone_matches_in_any_spelling(spelling: str) -> None:
    people = people_from_data(PEOPLE, "GB")
    m = people.match("sms", spelling)
    assert m is not None and m.person.name == "Mark Kell"
    assert m.rule == "same E.164 number +447700900123"


def test_email_matches_without_case() -> None:
    m = people_from_data(PEOPLE, "GB").match("email", "MARK.KELL@EXAMPLE.NET")
    assert m is not None and m.person.name == "Mark Kell"


def test_handle_is_platform_scoped() -> None:
    people = people_from_data(PEOPLE, "GB")
    assert people.match("telegram", "user555").person.name == "Mark Kell"  # type: ignore[union-attr]
    assert people.match("whatsapp", "user555") is None
    assert people.match("whatsapp", "Mark").person.name == "Mark Kell"  # type: ignore[union-attr]
    assert people.match("whatsapp", "Mark K") is None


def test_unrelated_number_does_not_match() -> None:
    assert people_from_data(PEOPLE, "GB").match("sms", "+44 7700 900999") is None


def test_region_decides_national_numbers() -> None:
    assert normalise_phone("07700 900123", "GB") == "+447700900123"
    assert normalise_phone("(201) 555-0123", "US") == "+12015550123"
    assert normalise_phone("Mark", "GB") is None


def test_same_phone_for_two_people_is_refused() -> None:
    data = {
        "person": [
            {"name": "A", "role": "subject", "phones": ["07700 900123"]},
            {"name": "B", "role": "other", "phones": ["+44 7700 900123"]},
        ]
    }
    with pytest.raises(PeopleFileError, match="both"):
        people_from_data(data, "GB")


def test_load_people_reports_toml_errors(tmp_path: Path) -> None:
    p = tmp_path / "p.toml"
    p.write_text("[[person]\nname=")
    with pytest.raises(PeopleFileError, match="not valid TOML"):
        load_people(p)


def test_bad_handle_shape_is_refused() -> None:
    with pytest.raises(PeopleFileError, match="platform:value"):
        people_from_data({"person": [{"name": "A", "role": "subject", "handles": ["justaname"]}]}, "GB")
