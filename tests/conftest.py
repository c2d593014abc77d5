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


DEFAULT_PATHS = {Format.DOCKERFILE: "Dockerfile", Format.COMPOSE: "compose.yaml", Format.KUBERNETES: "manifest.yaml"}


def lint_text(text: str, *, select=("ALL",), path: str | None = None, config: Config | None = None, file_overrides=None, kind: Format = Format.DOCKERFILE, project=None):
    """Lint text of the given format (a Dockerfile unless ``kind`` says otherwise) with the
    given rules selected; returns the LintResult."""
    document = load_document(path or DEFAULT_PATHS[kind], text, kind)
    config = (config or Config()).with_cli(select=list(select))
    return lint_document(document, config, file_overrides=file_overrides, project=project)


def codes(text: str, **kwargs) -> list[str]:
    return [finding.code for finding in lint_text(text, **kwargs).findings]


# --- helpers for the rule tests (tests/rules) ------------------------------------------


def findings_of(code: str, text: str, **kwargs):
    """The findings of rule ``code`` alone on ``text`` (lint_text's keywords: kind, path,
    config, file_overrides, project); the rule must not crash."""
    result = lint_text(text, select=(code,), **kwargs)
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


def fixed_text(code: str, text: str, *, unsafe: bool = True, kind: Format = Format.DOCKERFILE, path: str | None = None, config: Config | None = None) -> str | None:
    """The text after applying rule ``code``'s fixes (unsafe ones too unless ``unsafe=False``);
    None when nothing changed."""
    document = load_document(path or DEFAULT_PATHS[kind], text, kind)
    return fix_document(document, (config or Config()).with_cli(select=[code]), allow_unsafe=unsafe).fixed_text


@pytest.fixture
def lint():
    return lint_text
