"""Every rule has a failing and a passing fixture per format it covers, and every fix
of every fixture is applied, re-parsed and checked: the finding is gone, nothing new
appears, and fixing again changes nothing.

Layout: tests/fixtures/<CODE>/<format>/fail*.<ext> and pass*.<ext> (format: dockerfile,
compose, kubernetes). A fixture may also be a folder holding a ``Dockerfile``,
``compose.yaml`` or ``manifest.yaml`` (for rules that look at other files, such as
``.dockerignore`` or the Dockerfile a compose service builds); such a fixture is copied to a
temporary folder before fixing. A folder
fixture may hold a ``config.toml`` (``.hullguard.toml`` keys, e.g. ``trusted-registries``) for
rules that need settings; under that name ``hullguard check .`` does not pick it up, so the
repository's ``exclude`` of the fixtures still applies.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hullguard.config import Config, read_config_file
from hullguard.documents import load_document
from hullguard.engine import lint_document
from hullguard.fixer import fix_document
from hullguard.model import Applicability, Format
from hullguard.rules import ALL_RULES, RULES_BY_CODE

from conftest import FIXTURES

ENGINE_RULES = {"HG000", "HG001"}  # reported by the engine itself; tested in test_engine.py
MAIN_FILE = {Format.DOCKERFILE: "Dockerfile", Format.COMPOSE: "compose.yaml", Format.KUBERNETES: "manifest.yaml"}


# Regression rules compare with an earlier version, which a fixture file cannot give: their
# old/new pairs are unit tests (tests/rules/test_hg111_*, test_hg208_*, test_hg405_*, test_hg511_*).
FIXTURE_RULES = [rule for rule in ALL_RULES if rule.checks and not rule.needs_previous]


def fixture_cases():
    for rule in FIXTURE_RULES:
        for document_format in rule.formats:
            folder = FIXTURES / rule.code / document_format.value
            for entry in sorted(folder.glob("*")) if folder.is_dir() else ():
                yield pytest.param(rule.code, document_format, entry, id=f"{rule.code}-{document_format.value}-{entry.name}")


def _main_file(entry: Path, document_format: Format) -> Path:
    return entry / MAIN_FILE[document_format] if entry.is_dir() else entry


def _config(path: Path, select: list[str]) -> Config:
    settings = path.parent / "config.toml"
    return (read_config_file(settings, ALL_RULES) if settings.is_file() else Config()).with_cli(select=select)


def _lint(path: Path, document_format: Format, code: str):
    document = load_document(str(path), path.read_bytes(), document_format)
    return document, lint_document(document, _config(path, [code]))


@pytest.mark.parametrize("rule", FIXTURE_RULES, ids=lambda r: r.code)
def test_every_rule_has_fail_and_pass_fixtures_per_format(rule):
    for document_format in rule.formats:
        names = [p.name for p in (FIXTURES / rule.code / document_format.value).glob("*")]
        assert any(n.startswith("fail") for n in names), f"{rule.code}: no failing {document_format.value} fixture"
        assert any(n.startswith("pass") for n in names), f"{rule.code}: no passing {document_format.value} fixture"


@pytest.mark.parametrize("code, document_format, entry", list(fixture_cases()))
def test_fixture(code, document_format, entry, tmp_path):
    if entry.is_dir():
        entry = Path(shutil.copytree(entry, tmp_path / entry.name))
    document, result = _lint(_main_file(entry, document_format), document_format, code)
    assert document.model is not None, document.error
    found = [f for f in result.findings if f.code == code]
    if entry.name.startswith("pass"):
        assert not found, [f.message for f in found]
        return
    assert found, f"{code} did not fire on {entry.name}"
    for finding in found:
        assert finding.message and finding.span.start <= finding.span.end
    for finding in found:
        for fix in finding.fixes:
            assert RULES_BY_CODE[code].fix is not None, f"{code} offers fixes but does not declare Rule.fix"
            if fix.applicability is not Applicability.DISPLAY_ONLY:
                _check_fix(code, document_format, _main_file(entry, document_format), finding, fix)


def _check_fix(code, document_format, path: Path, finding, fix):
    """Apply this one fix through the real fixer and check its result."""
    document = load_document(str(path), path.read_bytes(), document_format)
    all_rules = _config(path, ["ALL"])
    before = {f.code for f in lint_document(document, all_rules).findings}
    only_this = _OnlyFix(finding, fix)
    outcome = fix_document(document, _config(path, [code]), allow_unsafe=True, choose=only_this)
    assert outcome.fixed_text is not None or outcome.other_files, f"{fix.title}: changed nothing"
    fixed = outcome.document
    assert fixed.model is not None, f"{fix.title}: result does not parse: {fixed.error}"
    overlay = {p: after for p, (_, after) in outcome.other_files.items()}
    after = lint_document(fixed, all_rules, file_overrides=overlay)
    same_place = [f for f in after.findings if f.code == code and f.span.start == finding.span.start]
    assert not same_place, f"{fix.title}: {code} still reported"
    assert {f.code for f in after.findings} <= before, f"{fix.title}: new findings {sorted({f.code for f in after.findings} - before)}"
    again = fix_document(fixed, _config(path, [code]), allow_unsafe=True, file_overrides=overlay)
    assert again.fixed_text is None and not again.other_files, f"{fix.title}: fixing again changed the file"


class _OnlyFix:
    """A fix chooser that applies one given fix once (matched by title and edits)."""

    def __init__(self, finding, fix):
        self.finding, self.fix, self.done = finding, fix, False

    def __call__(self, findings, allow_unsafe):
        if self.done:
            return []
        self.done = True
        return [(self.finding, self.fix)]


def test_fixture_folders_name_real_rules():
    for folder in FIXTURES.iterdir():
        if folder.is_dir() and folder.name.startswith("HG"):
            assert folder.name in RULES_BY_CODE, f"fixtures for unknown rule {folder.name}"
