"""The pre-commit hook with ``args: [--since, HEAD]``, run by the real pre-commit: it reports
what the staged change introduces, and neither old findings nor unstaged edits.

``pre-commit try-repo`` takes no hook arguments, so the hooks come from a repository made of
this checkout's current files (committed there, since pre-commit installs a revision) and
named in the user repository's ``.pre-commit-config.yaml``.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

PACKAGE = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "hullguard", "rules", "server")
OLD = "FROM python:3.12-slim\nRUN curl -fsSL https://example.com/install.sh | sh\nUSER root\n"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def _init(repo: Path) -> None:
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "dev@example.invalid")
    _git(repo, "config", "user.name", "dev")


@pytest.fixture(scope="module")
def environment(tmp_path_factory):
    """The git settings and pre-commit cache the module's runs share."""
    home = tmp_path_factory.mktemp("pre-commit-home")
    return {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


@pytest.fixture(scope="module")
def hooks(tmp_path_factory, environment):
    """A repository holding this checkout's package and hooks, and the commit to install."""
    repo = tmp_path_factory.mktemp("hooks") / "hullguard"
    _init(repo)
    for name in PACKAGE:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, repo / name)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "hullguard under test")
    return repo, _git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture
def user_repo(tmp_path, hooks):
    repo_path, revision = hooks
    repo = tmp_path / "user-repo"
    _init(repo)
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo_path}\n    rev: {revision}\n    hooks:\n      - id: hullguard\n        args: [--since, HEAD]\n"
    )
    (repo / "Dockerfile").write_text(OLD)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "legacy Dockerfile, findings and all")
    return repo


def _pre_commit(repo: Path, environment) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pre_commit", "run"], cwd=repo, env=environment, capture_output=True, text=True, timeout=900)


def test_the_hook_reports_only_what_the_staged_change_introduces(user_repo, environment):
    dockerfile = user_repo / "Dockerfile"
    dockerfile.write_text("# the API image\n\n" + OLD + "EXPOSE 8080\n")  # old findings move down two lines
    _git(user_repo, "add", "Dockerfile")
    dockerfile.write_text(dockerfile.read_text() + "EXPOSE 22\n")  # not staged: pre-commit stashes it
    result = _pre_commit(user_repo, environment)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Dockerfile:6:8: HG405 final stage now exposes 8080/tcp (before: none)\n" in result.stdout
    assert "Found 1 new finding (4 pre-existing hidden)." in result.stdout
    assert "HG101" not in result.stdout and "HG206" not in result.stdout
    assert "22/tcp" not in result.stdout and "HG401" not in result.stdout  # EXPOSE 22 was not staged
    assert dockerfile.read_text().endswith("EXPOSE 8080\nEXPOSE 22\n")  # the unstaged edit is back


def test_the_hook_passes_a_change_that_only_moves_old_findings(user_repo, environment):
    (user_repo / "Dockerfile").write_text("# the API image\n" + OLD.replace("| sh", "\\\n    | sh"))
    _git(user_repo, "add", "Dockerfile")
    result = _pre_commit(user_repo, environment)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "hullguard" in result.stdout and "Passed" in result.stdout
