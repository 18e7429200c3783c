"""Direction honesty: a direction the evidence does not give is never shown as a fact.

Some exports do not say whose account they are (warning ``owner_unknown``: an Instagram or
Facebook download without its profile file); their parser leaves every direction ``unknown``.
The people file then decides: a message from an account it lists as the victim's is
``outgoing``, any other ``incoming`` (:mod:`cyberevidence.analysis.resolve`). That is a fact of
the people file only when it names the victim's account **on that platform**; otherwise the
"incoming" is an assumption (the owner may be the victim under a name the file does not list).

The rule the report states and applies: for an event from such an export, on a platform where
the people file names no account of the victim, the direction is shown as **unknown**, with the
assumption the figures used beside it ("assumed incoming"). To make it certain, name the
victim's account on that platform in the people file (``handles = ["instagram:NAME"]``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cyberevidence.case_warnings import CaseWarning
from cyberevidence.events import Event
from cyberevidence.people import People
from cyberevidence.warning_codes import WarningCode

OWNER_UNKNOWN = WarningCode.OWNER_UNKNOWN.value


@dataclass(frozen=True, slots=True)
class DirectionRule:
    """Which events' directions are assumptions: from an owner-unknown export, the victim's account not named."""

    sources: frozenset[str]  # SHA-256 of the exports whose owner is unknown
    linked: frozenset[str]  # platforms on which the people file names an account of the victim

    def assumed(self, ev: Event) -> bool:
        return (ev.source.sha256 in self.sources and ev.platform.casefold() not in self.linked
                and ev.direction in ("incoming", "outgoing"))


#: No direction is assumed (a case without ``owner_unknown`` exports).
NO_RULE = DirectionRule(frozenset(), frozenset())


def direction_rule(warnings: Iterable[CaseWarning], people: People) -> DirectionRule:
    """The rule for a case: its ``owner_unknown`` warnings and the victim's accounts in the people file."""
    sources = frozenset(w.sha256 for w in warnings if w.code == OWNER_UNKNOWN)
    linked = frozenset(h.split(":", 1)[0].casefold() for p in people.persons if p.role == "victim"
                       for h in p.handles if ":" in h)
    return DirectionRule(sources, linked)


def rule_html(rule: DirectionRule, assumed: int, platforms: Sequence[str], esc: Any) -> str:
    """The note stating the assumption (empty when no direction is assumed)."""
    if not assumed:
        return ""
    where = ", ".join(esc(p) for p in platforms) or "these platforms"
    return (
        '<div class="confirm" id="directions"><p><strong>Directions not given by the evidence:</strong> '
        f"{assumed:,} event{'s' if assumed != 1 else ''} come from an export that does not say whose account it is "
        f"(warning <code>{OWNER_UNKNOWN}</code>, {where}). Their direction is shown as <em>unknown</em>, with the "
        "assumption the figures use beside it (“assumed incoming”: any sender not listed as the victim). To make it "
        "certain, name the victim's account on that platform in the people file (<code>handles = "
        "[\"instagram:NAME\"]</code>) and make the report again.</p></div>"
    )


__all__ = ["NO_RULE", "OWNER_UNKNOWN", "DirectionRule", "direction_rule", "rule_html"]
