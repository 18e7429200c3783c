"""What the custody log says has already been done, so a re-run never repeats work.

Built by streaming the log once when a writer opens the case. Keys are small tuples; the
log holds one line per acquisition, derivation and parse, so this stays modest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from cyberevidence.store.custody import CustodyLog


def options_key(parser: str, options: dict[str, str]) -> str:
    return parser + "|" + json.dumps(options, sort_keys=True)


@dataclass
class CustodyState:
    acquired: set[tuple[str, str]] = field(default_factory=set)  # (sha256, original_path)
    derived: set[tuple[str, str, str]] = field(default_factory=set)  # (parent, path_in_parent, sha256)
    parsed: dict[str, str] = field(default_factory=dict)  # sha256 -> options_key of the latest parse
    people: str = ""  # sha256 of the latest people file
    superseded: set[str] = field(default_factory=set)  # record versions a later version replaced

    @classmethod
    def load(cls, log: CustodyLog) -> CustodyState:
        state = cls()
        for e in log.entries():
            d = e.details
            if e.action == "acquire":
                state.acquired.add((e.subject, str(d.get("original_path", ""))))
            elif e.action == "derive":
                state.derived.add((str(d.get("parent_sha256", "")), str(d.get("path_in_parent", "")), e.subject))
            elif e.action == "parse":
                state.parsed[e.subject] = options_key(str(d.get("parser", "")), dict(d.get("options", {})))
            elif e.action == "people":
                state.people = e.subject
            elif e.action == "record" and e.details.get("supersedes"):
                state.superseded.add(str(e.details["supersedes"]))
        return state
