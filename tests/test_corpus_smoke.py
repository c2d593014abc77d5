"""Smoke tests on the shared corpus of real files: never a traceback, always valid output.

The corpus is third-party material that changes when refreshed, so these tests assert only
robustness, never particular findings (see ../shared/corpus/SOURCES.md).
"""
from __future__ import annotations

import json
import shutil

import pytest

from hullguard.cli import main
from hullguard.documents import load_document
from hullguard.model import Format

from conftest import CORPUS

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="needs ../shared/corpus beside the repository")


def _dockerfiles():
    files = sorted(p for p in (CORPUS / "dockerfile").iterdir() if not p.name.endswith(".dockerignore"))
    files += sorted((CORPUS / "invalid-or-templated").iterdir())
    return files


def _check_json(capsys, *argv):
    code = main(["check", "--kind", "dockerfile", "--select", "ALL", *argv])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert code in (0, 1), captured.err[-2000:]
    return json.loads(captured.out)


def test_every_corpus_file_lints_to_valid_json(capsys):
    files = _dockerfiles()
    records = _check_json(capsys, "--format", "json", *map(str, files))
    assert {r["filename"] for r in records} <= {str(f) for f in files}


def test_every_corpus_file_survives_all_fixes_on_a_copy(tmp_path, capsys):
    copies = []
    for index, source in enumerate(_dockerfiles()):
        folder = tmp_path / f"{index:04d}"
        folder.mkdir()
        copies.append(shutil.copy(source, folder / "Dockerfile"))
    before = {path: load_document(str(path), open(path, "rb").read(), Format.DOCKERFILE).model is not None for path in copies}
    _check_json(capsys, "--format", "json", "--fix", "--unsafe-fixes", *map(str, copies))
    for path in copies:
        parses = load_document(str(path), open(path, "rb").read(), Format.DOCKERFILE).model is not None
        assert parses == before[path], f"{path}: parse state changed by fixing"
