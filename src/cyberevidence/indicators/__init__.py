"""Indicators for human confirmation: threats, knowledge of the victim's movements, contact through
third parties and monitoring artefacts (tracker alerts, sign-in notices, location sharing,
stalkerware), found by curated word patterns and laid out under FOUR, SLII and the S-DASH questions.

Every match is a *candidate* until a person confirms or dismisses it; each decision is a custody
entry. Nothing is scored: the evidence is for a professional to weigh. See ``docs/indicators.md``::

    from cyberevidence import indicators
    report = indicators.indicator_report(case)            # candidates + figures under the headings
    indicators.review_candidate(case, "3f1c...", "confirmed", actor="J. Smith", note="threat to kill")
"""

from cyberevidence.indicators.headings import FRAMEWORKS, HEADING_IDS, NOTICE, Framework, FrameworkLayout, HeadingLayout
from cyberevidence.indicators.patterns import (
    Category,
    IndicatorPatternError,
    Matcher,
    Pattern,
    PatternSet,
    languages,
    load_patterns,
)
from cyberevidence.indicators.review import (
    REVIEW_ACTION,
    Candidate,
    IndicatorReport,
    Review,
    candidate_id,
    candidates,
    find_candidates,
    indicator_report,
    review_candidate,
    reviews,
)

__all__ = [
    "FRAMEWORKS",
    "HEADING_IDS",
    "NOTICE",
    "REVIEW_ACTION",
    "Candidate",
    "Category",
    "Framework",
    "FrameworkLayout",
    "HeadingLayout",
    "IndicatorPatternError",
    "IndicatorReport",
    "Matcher",
    "Pattern",
    "PatternSet",
    "Review",
    "candidate_id",
    "candidates",
    "find_candidates",
    "indicator_report",
    "languages",
    "load_patterns",
    "review_candidate",
    "reviews",
]
