"""A real editor: headless Neovim (Debian's 0.7) with its built-in LSP client runs `hullguard
server`, gets the diagnostics, applies the USER and `drop: [ALL]` fixes from code actions and
writes the files; they must hold exactly what the engine's fixes produce. Skipped when `nvim`
is not installed (.ci/run installs it)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hullguard.config import Config
from hullguard.documents import load_document
from hullguard.edits import apply_edits
from hullguard.engine import lint_document
from hullguard.model import Format

NVIM = shutil.which("nvim")
pytestmark = pytest.mark.skipif(NVIM is None, reason="needs Neovim (apt-get install neovim)")

DOCKERFILE = "FROM python:3.12-slim\nCOPY app.py /app/app.py\nUSER root\n"
MANIFEST = """apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: app
      image: nginx:1.27
"""


def engine_fix(path: Path, text: str, kind: Format, code: str) -> tuple[str, str]:
    """The title of the finding's first fix and the text it produces, as `--fix` applies it."""
    document = load_document(str(path), text, kind)
    finding = next(f for f in lint_document(document, Config()).findings if f.code == code)
    fix = finding.fixes[0]
    return fix.title, apply_edits(document.source, list(fix.edits))


def test_neovim_applies_the_fixes(tmp_path):
    dockerfile, manifest = tmp_path / "Dockerfile", tmp_path / "manifest.yaml"
    dockerfile.write_text(DOCKERFILE)
    manifest.write_text(MANIFEST)
    user_title, user_fixed = engine_fix(dockerfile, DOCKERFILE, Format.DOCKERFILE, "HG101")
    drop_title, drop_fixed = engine_fix(manifest, MANIFEST, Format.KUBERNETES, "HG104")
    env = {
        **os.environ,
        "HG_ROOT": str(tmp_path),
        "HG_PYTHON": sys.executable,
        "HG_FIX_DOCKERFILE": user_title,
        "HG_FIX_MANIFEST": drop_title,
        # Neovim's LSP log and other files go there, not to the home folder.
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    script = Path(__file__).with_name("neovim_fixes.lua")
    command = [NVIM, "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", f"luafile {script}"]
    result = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    assert dockerfile.read_text() == user_fixed
    assert "USER app" in user_fixed
    assert manifest.read_text() == drop_fixed
    assert "drop: [ALL]" in drop_fixed or "- ALL" in drop_fixed
