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
    files += sorted(p for p in (CORPUS / "invalid-or-templated").iterdir() if not p.name.endswith((".yaml", ".yml")))
    return files


def _yaml_files(kind: str):
    if kind == "invalid-or-templated":
        return sorted(p for p in (CORPUS / kind).iterdir() if p.name.endswith((".yaml", ".yml")))
    return sorted((CORPUS / kind).iterdir())


def _check_json(capsys, *argv):
    code = main(["check", "--select", "ALL", *argv])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert code in (0, 1), captured.err[-2000:]
    return json.loads(captured.out)


def test_every_corpus_dockerfile_lints_to_valid_json(capsys):
    files = _dockerfiles()
    records = _check_json(capsys, "--kind", "dockerfile", "--format", "json", *map(str, files))
    assert {r["filename"] for r in records} <= {str(f) for f in files}


@pytest.mark.parametrize("folder, kind", [("compose", "compose"), ("kubernetes", "kubernetes"), ("invalid-or-templated", "kubernetes")])
def test_every_corpus_yaml_file_lints_to_valid_json(capsys, folder, kind):
    files = _yaml_files(folder)
    records = _check_json(capsys, "--kind", kind, "--format", "json", *map(str, files))
    assert {r["filename"] for r in records} <= {str(f) for f in files}
    assert all(r["code"] != "HG000" or r["message"] for r in records)


def test_every_corpus_file_survives_all_fixes_on_a_copy(tmp_path, capsys):
    copies = []
    for index, source in enumerate(_dockerfiles()):
        folder = tmp_path / f"{index:04d}"
        folder.mkdir()
        copies.append(shutil.copy(source, folder / "Dockerfile"))
    before = {path: load_document(str(path), open(path, "rb").read(), Format.DOCKERFILE).model is not None for path in copies}
    _check_json(capsys, "--kind", "dockerfile", "--format", "json", "--fix", "--unsafe-fixes", *map(str, copies))
    for path in copies:
        parses = load_document(str(path), open(path, "rb").read(), Format.DOCKERFILE).model is not None
        assert parses == before[path], f"{path}: parse state changed by fixing"
