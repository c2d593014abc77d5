"""The VS Code extension in a real VS Code: runs vscode-client's end-to-end test (code-server
served to Debian's Chromium, driven by Playwright; vscode-client/test/e2e/), which installs the
packaged .vsix, checks hullguard's diagnostics in the Problems panel, applies the USER and
`drop: [ALL]` quick fixes and checks the files on disk. Screenshots land in the test's tmp_path.

Skipped, with the reason, without Node 20+ and npm, vscode-client's node_modules
(vscode-client/scripts/ci.sh runs `npm ci`), Chromium, or code-server
(vscode-client/scripts/setup-e2e.sh installs both). The .vsix is packaged again when hullguard
or the extension changed since it was built.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CLIENT = REPO / "vscode-client"
CHROMIUM = Path(os.environ.get("HULLGUARD_CHROMIUM", "/usr/bin/chromium"))
CODE_SERVER = Path(os.environ.get("HULLGUARD_CODE_SERVER", CLIENT / ".e2e" / "code-server" / "node_modules" / ".bin" / "code-server"))
# What the .vsix is built from: packaged again when any of it is newer.
SOURCES = [REPO / "pyproject.toml", REPO / "hullguard", REPO / "rules", REPO / "server", CLIENT / "src", CLIENT / "package.json", CLIENT / "scripts" / "bundle_python.py"]


def _node_major() -> int | None:
    node = shutil.which("node")
    if node is None:
        return None
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    try:
        return int(version.lstrip("v").split(".")[0])
    except ValueError:
        return None


def _why_not() -> str | None:
    major = _node_major()
    if major is None or shutil.which("npm") is None:
        return "needs Node 20+ and npm"
    if major < 20:
        return f"needs Node 20+, found Node {major}"
    if not (CLIENT / "node_modules").is_dir():
        return "vscode-client has no node_modules: run vscode-client/scripts/ci.sh (or npm ci there)"
    if not CHROMIUM.exists():
        return f"needs Chromium at {CHROMIUM}: run vscode-client/scripts/setup-e2e.sh (apt-get install chromium)"
    if not CODE_SERVER.exists():
        return "code-server is not installed: run vscode-client/scripts/setup-e2e.sh"
    return None


WHY_NOT = _why_not()
pytestmark = pytest.mark.skipif(WHY_NOT is not None, reason=WHY_NOT or "")


def _newest(paths: list[Path]) -> float:
    newest = 0.0
    for path in paths:
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
        newest = max([newest, *(f.stat().st_mtime for f in files)])
    return newest


def _npm(*args: str, env: dict | None = None, timeout: int) -> subprocess.CompletedProcess:
    return subprocess.run(["npm", *args], cwd=CLIENT, env=env, capture_output=True, text=True, timeout=timeout)


def test_vscode_extension_end_to_end(tmp_path):
    version = json.loads((CLIENT / "package.json").read_text())["version"]
    vsix = CLIENT / f"hullguard-{version}.vsix"
    if not vsix.exists() or vsix.stat().st_mtime < _newest(SOURCES):
        packaged = _npm("run", "package", env={**os.environ, "PYTHON": sys.executable}, timeout=600)
        assert packaged.returncode == 0, packaged.stdout[-4000:] + packaged.stderr[-4000:]
    artifacts = tmp_path / "artifacts"
    env = {**os.environ, "HULLGUARD_E2E_ARTIFACTS": str(artifacts), "HULLGUARD_E2E_PYTHON": sys.executable}
    result = _npm("run", "test:e2e", env=env, timeout=900)
    output = result.stdout + result.stderr
    assert result.returncode == 0 and "# fail 0" in output, f"artifacts in {artifacts}\n{output[-12000:]}"
    for screenshot in ("dockerfile-diagnostics.png", "deployment-diagnostics.png", "deployment-quick-fix-menu.png", "after-fixes.png"):
        assert (artifacts / screenshot).stat().st_size > 10_000, screenshot
