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


# --- compose files and Kubernetes manifests ------------------------------------------------------

GITHUB_TOKEN = "ghp_hullguardTestTokenNotReal00000000000"
COMPOSE = (
    "services:\n"
    "  api:\n"
    "    image: ghcr.io/acme/api:2.4.0\n"
    "    environment:\n"
    f"      - AWS_ACCESS_KEY_ID={AWS_KEY}\n"
    f"      - DB_PASSWORD={PASSWORD}\n"
    "    build:\n"
    "      context: .\n"
    f"      args: {{GIT_AUTH: {GITHUB_TOKEN}}}\n"
)
MANIFEST = (
    "apiVersion: v1\n"
    "kind: Pod\n"
    "metadata:\n"
    "  name: api\n"
    "spec:\n"
    "  containers:\n"
    "    - name: api\n"
    "      image: ghcr.io/acme/api:2.4.0\n"
    "      env:\n"
    "        - name: GIT_AUTH\n"
    "          value: >-\n"
    f"            {GITHUB_TOKEN}\n"
    f"        - {{name: AWS_ACCESS_KEY_ID, value: {AWS_KEY}}}\n"
    "        - name: DB_PASSWORD\n"
    f'          value: "{PASSWORD}"\n'
)


@pytest.fixture
def yaml_project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    (tmp_path / "manifest.yaml").write_text(MANIFEST)
    return tmp_path


@pytest.mark.parametrize(
    "options",
    [["--format", "text"], ["--format", "json"], ["--format", "sarif"], ["--format", "github"],
     ["--diff", "--unsafe-fixes"], ["--format", "json", "--unsafe-fixes"]],
    ids=["text", "json", "sarif", "github", "diff", "json-unsafe"],
)
def test_yaml_secret_values_never_appear(yaml_project, capsys, options):
    main(["check", "--select", "ALL", *options])
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert "HG301" in output or "automountServiceAccountToken" in output  # the run did report something
    for secret in (AWS_KEY, PASSWORD, GITHUB_TOKEN):
        assert secret not in output
        assert secret[4:] not in output


def test_yaml_diff_shows_the_lines_around_a_secret_masked(yaml_project, capsys):
    main(["check", "--select", "HG301,HG304", "--diff", "--unsafe-fixes", "manifest.yaml"])
    out = capsys.readouterr().out
    assert "+  automountServiceAccountToken: false" in out
    assert '          value: "hunt…****"' in out  # context of the fix, masked
    assert f"        - {{name: AWS_ACCESS_KEY_ID, value: AKIA…****}}" in out
