"""URLs and registered domains (offline), the flag list, and file-type truth."""

from __future__ import annotations

import socket

import pytest

from cyberevidence.intel.filetype import extension_mismatch
from cyberevidence.intel.urls import find_urls, flagged_domains


def test_urls_and_registered_domains_with_the_network_blocked() -> None:
    with pytest.raises(Exception):  # noqa: B017 - the suite's guard raises its own type
        socket.create_connection(("publicsuffix.org", 443), timeout=1)
    text = "look https://news.bbc.co.uk/x?y=1, and grab this: HTTPS://Grabify.link/AB12CD! also www.example.com/a)."
    found = find_urls(text)
    assert [(u.url, u.host, u.registered_domain) for u in found] == [
        ("https://news.bbc.co.uk/x?y=1", "news.bbc.co.uk", "bbc.co.uk"),
        ("HTTPS://Grabify.link/AB12CD", "grabify.link", "grabify.link"),
        ("www.example.com/a", "www.example.com", "example.com"),
    ]
    assert found[0].flag is None
    assert found[1].flag is not None and found[1].flag.category == "ip_logger"


def test_shorteners_and_stalkerware_are_flagged_by_registered_domain() -> None:
    (short,) = find_urls("https://bit.ly/3xYz")
    (spy,) = find_urls("get it at https://www.mspy.com/buy")
    assert short.flag is not None and short.flag.category == "shortener"
    assert spy.flag is not None and spy.flag.category == "stalkerware"
    assert spy.to_dict()["flag_source"] == "echap"


def test_every_flag_entry_names_a_documented_source() -> None:
    flags = flagged_domains()
    assert len(flags) > 30
    assert {f.category for f in flags.values()} == {"shortener", "ip_logger", "tracking", "stalkerware"}
    assert {f.source for f in flags.values()} <= {"echap", "cas", "grab", "ipl", "wiki", "eff"}


def test_text_without_links_gives_nothing() -> None:
    assert find_urls("Please stop. I know where you live.") == []


@pytest.mark.parametrize(
    ("name", "media_type", "flagged"),
    [
        ("IMG-20250101-WA0001.jpg", "application/zip", True),
        ("IMG-20250101-WA0001.jpg", "image/jpeg", False),
        ("statement.pdf", "application/x-dosexec", True),
        ("chat.txt", "text/plain", False),
        ("notes.unknownext", "application/zip", False),
        ("empty.jpg", "application/x-empty", False),
    ],
)
def test_extension_against_content(name: str, media_type: str, flagged: bool) -> None:
    assert bool(extension_mismatch(name, media_type)) is flagged
