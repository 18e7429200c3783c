"""``conduct.txt``: the library's one course-of-conduct text (:mod:`cyberevidence.report.conduct_text`)."""

from __future__ import annotations

from cyberevidence.report.conduct_text import write_conduct_text

__all__ = ["write_conduct_text"]
