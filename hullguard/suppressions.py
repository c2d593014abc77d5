"""Suppression comments.

- ``# hullguard: ignore[HG101,HG201] reason`` suppresses those rules on the next instruction
  of a Dockerfile, or the next YAML node (the key or list item on the next line, with all
  it contains); written after a value on the same line, on that node.
- ``# hullguard: ignore-file[HG101] reason`` suppresses them in the whole file.
- ``# hadolint ignore=DL3002`` and ``# hadolint global ignore=DL3002`` are honoured for the
  rules that map to those hadolint codes, so a project can switch without editing files.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from hullguard.dockerfile import Comment
from hullguard.model import Finding, Rule
from hullguard.text import Span

_HULLGUARD = re.compile(r"^hullguard:\s*(ignore-file|ignore)\b\s*(?:\[([^\]]*)\])?")
_HADOLINT = re.compile(r"^hadolint\s+(global\s+)?ignore\s*=\s*([A-Za-z0-9, ]+)")


@dataclass
class Suppression:
    comment: Comment
    span: Span  # of the comment, for reporting it unused
    selectors: list[str]
    first_line: int  # lines it covers (file-wide: the whole file)
    last_line: int
    from_hadolint: bool = False
    used: set[str] = field(default_factory=set)


def parse_suppressions(model) -> list[Suppression]:
    """The suppressions in a parsed file: a Dockerfile, compose file or Kubernetes manifest
    (each knows its comments and what a comment on a given line covers)."""
    suppressions = []
    whole_file = (0, model.source.line_count)
    for comment in model.comments:
        match = _HULLGUARD.match(comment.text)
        if match:
            span = _comment_span(model, comment)
            selectors = [s.strip() for s in (match.group(2) or "").split(",") if s.strip()]
            first, last = whole_file if match.group(1) == "ignore-file" else model.suppression_scope(comment.line)
            suppressions.append(Suppression(comment, span, selectors, first, last))
            continue
        match = _HADOLINT.match(comment.text)
        if match:
            span = _comment_span(model, comment)
            selectors = [s.strip().upper() for s in match.group(2).split(",") if s.strip()]
            first, last = whole_file if match.group(1) else model.suppression_scope(comment.line)
            suppressions.append(Suppression(comment, span, selectors, first, last, from_hadolint=True))
    return suppressions


def _comment_span(model, comment: Comment) -> Span:
    return Span.on_line(comment.line, comment.column, len(model.source.line(comment.line).rstrip()))


def _matches(suppression: Suppression, selector: str, rule: Rule) -> bool:
    if suppression.from_hadolint:
        return selector in rule.hadolint
    return selector.upper() == rule.code or selector.lower() == rule.name


def apply_suppressions(findings: list[Finding], suppressions: list[Suppression], rules_by_code: dict[str, Rule]) -> list[Finding]:
    """Drop suppressed findings, marking which selectors of which suppression were used."""
    kept = []
    for finding in findings:
        rule = rules_by_code.get(finding.code)
        suppressed = False
        for suppression in suppressions:
            if rule is None or not suppression.first_line <= finding.span.start.line <= suppression.last_line:
                continue
            for selector in suppression.selectors:
                if _matches(suppression, selector, rule):
                    suppression.used.add(selector)
                    suppressed = True
        if not suppressed:
            kept.append(finding)
    return kept
