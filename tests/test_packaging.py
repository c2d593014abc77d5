"""The fixed layout installs under one import name: hullguard (rules/ and server/ mapped in)."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from conftest import ROOT

MAPPED = {"hullguard": "hullguard", "hullguard.rules": "rules", "hullguard.server": "server"}


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_package_folder_is_listed():
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    found = set()
    for package, folder in MAPPED.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join((package, *relative)))
    assert found == listed


def test_package_dir_mapping():
    assert _pyproject()["tool"]["setuptools"]["package-dir"] == MAPPED


def test_wheel_has_only_the_hullguard_import_package(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True)
    [wheel] = tmp_path.glob("hullguard-*.whl")
    top_levels = {name.split("/", 1)[0] for name in zipfile.ZipFile(wheel).namelist()}
    assert {t for t in top_levels if not t.endswith(".dist-info")} == {"hullguard"}
    names = zipfile.ZipFile(wheel).namelist()
    assert "hullguard/rules/run_as_root.py" in names and "hullguard/server/__init__.py" in names


def test_installed_package_imports_from_anywhere(tmp_path):
    code = "import hullguard.rules, hullguard.server, hullguard.cli; print(hullguard.rules.__file__)"
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert Path(result.stdout.strip()).parent.name in ("rules", "hullguard")
    for name in ("rules", "server"):
        probe = subprocess.run([sys.executable, "-c", f"import {name}"], cwd=tmp_path, capture_output=True)
        assert probe.returncode != 0, f"a top-level '{name}' package is importable"
