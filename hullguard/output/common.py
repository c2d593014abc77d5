"""What several output formats share: 1-based positions, docs links, fix descriptions."""
from __future__ import annotations

from itertools import repeat
from typing import Iterator

from hullguard import __version__
from hullguard.model import Applicability, Finding, Rule
from hullguard.text import Position

DOCS_URL = "https://github.com/hullguard/hullguard/blob/main/README.md#{anchor}"
TOOL_URL = "https://github.com/hullguard/hullguard"
VERSION = __version__


def rule_url(rule: Rule) -> str:
    return DOCS_URL.format(anchor=f"{rule.code.lower()}-{rule.name}")


def one_based(position: Position) -> tuple[int, int]:
    return position.line + 1, position.column + 1


def with_states(result) -> Iterator[tuple[Finding, str | None]]:
    """A result's findings, each with "new" or "existing" when the run compares (``check
    --since``, ``--baseline``), else None."""
    return zip(result.findings, result.states if result.states is not None else repeat(None))


def applicability_counts(findings: list[Finding]) -> dict[Applicability, int]:
    counts = {applicability: 0 for applicability in Applicability}
    for finding in findings:
        kinds = {fix.applicability for fix in finding.fixes}
        for applicability in (Applicability.SAFE, Applicability.UNSAFE, Applicability.DISPLAY_ONLY):
            if applicability in kinds:
                counts[applicability] += 1
                break
    return counts
