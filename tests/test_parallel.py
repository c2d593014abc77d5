"""A plain check of many files runs on forked workers and gives exactly the serial result."""
from __future__ import annotations

import json

import pytest

from hullguard import cli, parallel
from hullguard.cli import main

DOCKERFILE = "FROM python:3.12\nUSER root\n"
MANIFEST = "apiVersion: v1\nkind: Pod\nmetadata: {{name: p{index}}}\nspec:\n  containers:\n  - name: app\n    image: nginx:{index}\n"
BROKEN = "apiVersion: v1\nkind: Pod\nmetadata: {name: broken\n"


@pytest.fixture
def tree(tmp_path):
    for index in range(parallel.MIN_FILES):
        (tmp_path / f"svc{index}").mkdir()
        (tmp_path / f"svc{index}" / "Dockerfile").write_text(DOCKERFILE)
        (tmp_path / f"svc{index}" / "pod.yaml").write_text(MANIFEST.format(index=index))
    (tmp_path / "broken.yaml").write_text(BROKEN)
    return tmp_path


def run(capsys, *args):
    code = main(["check", "--select", "ALL", "--format", "json", *args])
    return code, capsys.readouterr()


def test_parallel_and_serial_runs_agree(tree, capsys, monkeypatch):
    assert parallel.worker_count(2 * parallel.MIN_FILES + 1) >= 1
    monkeypatch.setattr(cli, "worker_count", lambda files: 2)
    code, parallel_run = run(capsys, str(tree))
    monkeypatch.setattr(cli, "worker_count", lambda files: 1)
    serial_code, serial_run = run(capsys, str(tree))
    assert (code, parallel_run.out, parallel_run.err) == (serial_code, serial_run.out, serial_run.err)
    records = json.loads(parallel_run.out)
    assert {r["code"] for r in records} >= {"HG000", "HG101", "HG202"}
    assert len({r["filename"] for r in records}) == 2 * parallel.MIN_FILES + 1


def test_few_files_stay_in_one_process():
    assert parallel.worker_count(parallel.MIN_FILES - 1) == 1


@pytest.mark.parametrize("fail_on", ["error", "warning", "info"])
def test_parallel_and_serial_runs_exit_alike(tmp_path, capsys, monkeypatch, fail_on):
    # The workers send back only each file's most severe finding: enough for the exit status.
    # Each Dockerfile has one error (HG101) among warnings and infos.
    for index in range(parallel.MIN_FILES):
        (tmp_path / f"svc{index}").mkdir()
        (tmp_path / f"svc{index}" / "Dockerfile").write_text(DOCKERFILE)
    codes = []
    for workers in (2, 1):
        monkeypatch.setattr(cli, "worker_count", lambda files, workers=workers: workers)
        codes.append(main(["check", "--select", "ALL", "--format", "json", "--fail-on", fail_on, str(tmp_path)]))
        capsys.readouterr()
    assert codes == [1, 1]
