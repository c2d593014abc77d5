from __future__ import annotations

from pathlib import Path

import pytest

from hullguard.config import Config
from hullguard.documents import load_document
from hullguard.engine import lint_document
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


@pytest.fixture
def lint():
    return lint_text
