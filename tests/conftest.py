from __future__ import annotations

from pathlib import Path

import pytest

from hullguard.config import Config
from hullguard.documents import load_document
from hullguard.engine import lint_document
from hullguard.fixer import fix_document
from hullguard.model import Format

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS = ROOT.parent / "shared" / "corpus"


def lint_text(text: str, *, select=("ALL",), path: str = "Dockerfile", config: Config | None = None, file_overrides=None):
    """Lint Dockerfile text with the given rules selected; returns the LintResult."""
    document = load_document(path, text, Format.DOCKERFILE)
    config = (config or Config()).with_cli(select=list(select))
    return lint_document(document, config, file_overrides=file_overrides)


def codes(text: str, **kwargs) -> list[str]:
    return [finding.code for finding in lint_text(text, **kwargs).findings]


# --- helpers for the rule tests (tests/rules) ------------------------------------------


def findings_of(code: str, text: str, *, config: Config | None = None, path: str = "Dockerfile"):
    """The findings of rule ``code`` alone on ``text``; the rule must not crash."""
    result = lint_text(text, select=(code,), config=config, path=path)
    assert not result.rule_failures
    return result.findings


def span_of(finding) -> tuple[int, int, int, int]:
    """(start line, start column, end line, end column)."""
    span = finding.span
    return (span.start.line, span.start.column, span.end.line, span.end.column)


def spans_of(code: str, text: str, **kwargs) -> list[tuple[int, int, int, int]]:
    return [span_of(finding) for finding in findings_of(code, text, **kwargs)]


def reported_of(code: str, text: str, **kwargs) -> list[tuple[int, int, int, int, str]]:
    """(start line, start column, end line, end column, message) per finding."""
    return [(*span_of(finding), finding.message) for finding in findings_of(code, text, **kwargs)]


def spanned(text: str, finding) -> str:
    """The characters a one-line finding spans."""
    span = finding.span
    return text.splitlines()[span.start.line][span.start.column : span.end.column]


def fixed_text(code: str, text: str, *, unsafe: bool = True) -> str | None:
    """The text after applying rule ``code``'s fixes (unsafe ones too unless ``unsafe=False``);
    None when nothing changed."""
    document = load_document("Dockerfile", text, Format.DOCKERFILE)
    return fix_document(document, Config().with_cli(select=[code]), allow_unsafe=unsafe).fixed_text


@pytest.fixture
def lint():
    return lint_text
