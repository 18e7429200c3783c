"""Links in message text, their registered domains, and flags from a curated list.

tldextract is built with ``suffix_list_urls=()`` and no cache directory, so it uses the Public
Suffix List snapshot bundled with the package and never reaches the network, at import or at
run time. The registered domain is the part a person can buy (``bbc.co.uk`` for
``news.bbc.co.uk``); flags are looked up on it and on the full host.

The flag list (``data/flagged_domains.toml``) is small and curated; each entry names the public
source that lists it. A flag is a prompt for a person to look, never a finding by itself.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from urllib.parse import urlsplit

import tldextract

#: http(s) links and ``www.`` links (bare hosts without either are not taken: too many false hits).
_URL = re.compile(r"""(?i)\b(?:https?://|www\.)[^\s<>"'`{}|\\^\[\]]+""")
_TRAILING = ".,;:!?)]}'\"»”’"


@dataclass(frozen=True, slots=True)
class DomainFlag:
    domain: str
    category: str
    source: str


@dataclass(frozen=True, slots=True)
class FoundUrl:
    """One link found in a text: as written, its host, its registered domain and any flag."""

    url: str
    host: str
    registered_domain: str
    flag: DomainFlag | None = None

    def to_dict(self) -> dict[str, str]:
        out = {"url": self.url, "host": self.host, "registered_domain": self.registered_domain}
        if self.flag is not None:
            out |= {"flag": self.flag.category, "flag_source": self.flag.source}
        return out


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@lru_cache(maxsize=1)
def flagged_domains() -> dict[str, DomainFlag]:
    """The curated list, keyed by domain."""
    text = resources.files("cyberevidence.intel").joinpath("data/flagged_domains.toml").read_text(encoding="utf-8")
    entries = tomllib.loads(text)["domain"]
    return {e["name"]: DomainFlag(e["name"], e["category"], e["source"]) for e in entries}


def _host_of(url: str) -> str:
    target = url if "://" in url else "http://" + url
    try:
        host = urlsplit(target).hostname or ""
    except ValueError:
        return ""
    return host.rstrip(".").lower()


def inspect_url(url: str) -> FoundUrl | None:
    """Host, registered domain and flag of one URL; ``None`` if it has no usable host."""
    host = _host_of(url)
    if not host:
        return None
    parts = _extractor()(host)
    if hasattr(parts, "top_domain_under_public_suffix"):  # tldextract >= 5.2
        registered = parts.top_domain_under_public_suffix or host
    else:  # pragma: no cover - older tldextract
        registered = parts.registered_domain or host
    flags = flagged_domains()
    flag = flags.get(host) or flags.get(registered)
    return FoundUrl(url, host, registered, flag)


def find_urls(text: str) -> list[FoundUrl]:
    """Every link in ``text``, in order (trailing punctuation that ends a sentence is not part of it)."""
    found: list[FoundUrl] = []
    if "http" not in text.lower() and "www." not in text.lower():
        return found
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        item = inspect_url(url)
        if item is not None:
            found.append(item)
    return found
