"""The hooks in .pre-commit-hooks.yaml, run by the real pre-commit against this checkout."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

PRE_COMMIT = [sys.executable, "-m", "pre_commit"]


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory):
    return tmp_path_factory.mktemp("pre-commit-home")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def user_repo(tmp_path):
    repo = tmp_path / "user-repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "dev@example.invalid")
    _git(repo, "config", "user.name", "dev")
    return repo


def _try_repo(repo: Path, hook: str, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run(
        [*PRE_COMMIT, "try-repo", str(ROOT), hook, "--all-files", "--verbose"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=600,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_check_hook_fails_on_a_root_dockerfile_and_names_hg101(user_repo, pre_commit_home):
    (user_repo / "Dockerfile").write_text("FROM python:3.12-slim\nCOPY app.py /app.py\nUSER root\n")
    (user_repo / "README.txt").write_text("not linted\n")
    _git(user_repo, "add", ".")
    result = _try_repo(user_repo, "hullguard", pre_commit_home)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Dockerfile:3:6: HG101 final stage runs as root (USER root)" in result.stdout
    assert "README.txt" not in result.stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_check_hook_lints_kubernetes_yaml_and_skips_other_yaml(user_repo, pre_commit_home):
    (user_repo / "k8s").mkdir()
    (user_repo / "k8s" / "deploy.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n"
        "spec:\n  template:\n    metadata: {labels: {app: web}}\n"
        "    spec: {containers: [{name: web, image: nginx}]}\n"
    )
    (user_repo / ".github" / "workflows").mkdir(parents=True)
    (user_repo / ".github" / "workflows" / "ci.yml").write_text("on: push\njobs: {build: {runs-on: ubuntu-latest, steps: []}}\n")
    _git(user_repo, "add", ".")
    result = _try_repo(user_repo, "hullguard", pre_commit_home)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "k8s/deploy.yaml:4:9: HG404 Deployment 'web': no NetworkPolicy in namespace 'shop'" in result.stdout
    assert "ci.yml" not in result.stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_check_hook_passes_on_a_clean_dockerfile(user_repo, pre_commit_home):
    (user_repo / "Containerfile").write_text("FROM python:3.12-slim@sha256:" + "a" * 64 + "\nUSER 10001\n")
    _git(user_repo, "add", ".")
    result = _try_repo(user_repo, "hullguard", pre_commit_home)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_fix_hook_applies_safe_fixes_to_the_staged_file(user_repo, pre_commit_home):
    dockerfile = user_repo / "api.dockerfile"
    dockerfile.write_text("FROM python:3.12-slim@sha256:" + "b" * 64 + "\nADD app.py /app.py\nUSER 10001\n")
    _git(user_repo, "add", ".")
    result = _try_repo(user_repo, "hullguard-fix", pre_commit_home)
    assert result.returncode == 1  # pre-commit fails a hook that changed files
    assert "files were modified by this hook" in result.stdout
    assert dockerfile.read_text() == "FROM python:3.12-slim@sha256:" + "b" * 64 + "\nCOPY app.py /app.py\nUSER 10001\n"


def test_hook_file_patterns_agree_with_name_detection():
    import re

    import yaml

    from hullguard.documents import detect_format

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    names = [
        "Dockerfile", "Containerfile", "svc/api.dockerfile", "web.Dockerfile", "Dockerfile.prod", "a/Containerfile.dev",
        "Dockerfile.md", "Dockerfile.j2", "Dockerfile.template", "app.dockerfile.dockerignore", ".dockerignore",
        "Dockerfile.yaml", "README.md", "dockerfile.txt", "x/Dockerfile.in",
        "compose.yaml", "docker-compose.prod.yml", "k8s/deploy.YAML", ".github/workflows/ci.yml", "values.json",
    ]
    for hook in hooks:
        for name in names:
            matched = bool(re.search(hook["files"], name)) and not re.search(hook["exclude"], name)
            assert matched == (detect_format(name) is not None), (hook["id"], name)
