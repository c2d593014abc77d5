"""No output format ever prints a secret's value (messages, fixes, SARIF, diffs)."""
from __future__ import annotations

import pytest

from hullguard.cli import main

AWS_KEY = "AKIAIOSFODNN7EXAMPLE"
PASSWORD = "hunter2-correct-horse"
DOCKERFILE = (
    "FROM python:3.12-slim\n"
    f"ENV AWS_ACCESS_KEY_ID={AWS_KEY}\n"
    f'ARG DB_PASSWORD="{PASSWORD}"\n'
    "ADD app.py /app.py\n"
    "USER root\n"
)


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    return tmp_path


@pytest.mark.parametrize(
    "options",
    [["--format", "text"], ["--format", "json"], ["--format", "sarif"], ["--format", "github"],
     ["--diff", "--unsafe-fixes"], ["--format", "json", "--unsafe-fixes"]],
    ids=["text", "json", "sarif", "github", "diff", "json-unsafe"],
)
def test_secret_values_never_appear(project, capsys, options):
    main(["check", "--select", "ALL", *options])
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert "HG301" in output or "+USER" in output  # the run did report something
    for secret in (AWS_KEY, PASSWORD):
        assert secret not in output
        assert secret[4:] not in output  # not even the part after the shown prefix


def test_text_shows_a_recognisable_redaction(project, capsys):
    main(["check", "--select", "HG301"])
    out = capsys.readouterr().out
    assert "AKIA…****" in out
