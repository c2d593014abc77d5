"""Helpers for the regression rules' tests: lint a new version of a text against its old one,
as ``check --since`` does (the old version's model is ``RuleContext.previous``)."""
from __future__ import annotations

from hullguard.config import Config
from hullguard.documents import load_document
from hullguard.engine import lint_document
from hullguard.model import Format

from conftest import DEFAULT_PATHS, span_of


def compared(code: str, old: str, new: str, *, kind: Format = Format.DOCKERFILE, path: str | None = None, config: Config | None = None):
    """The findings of rule ``code`` on ``new``, compared with ``old`` (both must parse)."""
    path = path or DEFAULT_PATHS[kind]
    before, after = load_document(path, old, kind), load_document(path, new, kind)
    assert before.model is not None and after.model is not None, (before.error, after.error)
    result = lint_document(after, (config or Config()).with_cli(select=[code]), previous=before.model)
    assert not result.rule_failures, result.rule_failures
    return result.findings


def reported(code: str, old: str, new: str, **kwargs) -> list[tuple[int, int, int, int, str]]:
    """(start line, start column, end line, end column, message) per finding."""
    return [(*span_of(finding), finding.message) for finding in compared(code, old, new, **kwargs)]
