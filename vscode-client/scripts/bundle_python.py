"""Bundle hullguard into the extension: bundled/libs holds hullguard and its dependencies as
pure Python, so the extension runs `python3 -m hullguard.server` with PYTHONPATH=bundled/libs on
any platform with Python 3.10+ and nothing installed (the Python-tools extensions' convention).

1. Build hullguard's wheel from this checkout (its version must be the extension's).
2. Resolve its dependencies for Python 3.10, the oldest hullguard supports, so that the
   backports newer Pythons do without (tomli, exceptiongroup...) are bundled too.
3. Install each as a pure-Python wheel. PyYAML publishes no pure wheel: its platform wheel is
   installed and its C accelerator removed (PyYAML falls back to its pure-Python parser).
4. Check that nothing compiled is left and that the bundle works on its own (`python -S`:
   without site-packages), by linting a Dockerfile with it.

Usage: python3 scripts/bundle_python.py  (from vscode-client/, or anywhere)
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

try:
    from packaging.markers import default_environment
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name as canonical_name
except ImportError:  # pip vendors packaging
    from pip._vendor.packaging.markers import default_environment
    from pip._vendor.packaging.requirements import Requirement
    from pip._vendor.packaging.utils import canonicalize_name as canonical_name

CLIENT = Path(__file__).resolve().parent.parent
REPO = CLIENT.parent
LIBS = CLIENT / "bundled" / "libs"
OLDEST_PYTHON = "3.10"
OLDEST_MARKERS = {"python_version": "3.10", "python_full_version": "3.10.0"}
# Dependencies with no pure-Python wheel whose binary part is optional (an accelerator).
NATIVE_ACCELERATED = {"pyyaml"}
COMPILED = (".so", ".pyd", ".dylib", ".dll")


def pip(*args: str) -> str:
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", *args]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"bundle: {' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def build_wheel(folder: Path) -> Path:
    pip("wheel", "--quiet", "--no-deps", "--wheel-dir", str(folder), str(REPO))
    (wheel,) = folder.glob("hullguard-*.whl")
    return wheel


def resolve(wheel: Path, folder: Path) -> list[tuple[str, str]]:
    """(name, version) of hullguard and every dependency it needs on Python 3.10. pip reads
    the markers (`tomli; python_version < "3.11"`) for the Python running it, whatever
    --python-version says, so the requirements whose markers hold on 3.10 are added by hand
    until nothing is missing."""
    extra: list[str] = []
    while True:
        report = folder / "report.json"
        pip(
            "install", "--quiet", "--dry-run", "--ignore-installed", "--report", str(report),
            "--target", str(folder / "resolved"), "--python-version", OLDEST_PYTHON,
            "--only-binary=:all:", str(wheel), *extra,
        )
        installs = [item["metadata"] for item in json.loads(report.read_text())["install"]]
        names = {canonical_name(item["name"]) for item in installs}
        missing = []
        for item in installs:
            for text in item.get("requires_dist", []):
                requirement = Requirement(text)
                if canonical_name(requirement.name) in names or requirement.marker is None:
                    continue
                if requirement.marker.evaluate({**default_environment(), **OLDEST_MARKERS, "extra": ""}):
                    requirement.marker = None
                    missing.append(str(requirement))
        if not missing:
            return [(item["name"], item["version"]) for item in installs]
        extra += missing


def install(wheel: Path, packages: list[tuple[str, str]], folder: Path) -> None:
    pure = [f"{name}=={version}" for name, version in packages if name.lower() not in NATIVE_ACCELERATED | {"hullguard"}]
    pip(
        "install", "--quiet", "--no-compile", "--no-deps", "--target", str(LIBS),
        "--only-binary=:all:", "--implementation", "py", "--abi", "none", "--platform", "any",
        "--python-version", OLDEST_PYTHON, str(wheel), *pure,
    )
    for name, version in packages:
        if name.lower() in NATIVE_ACCELERATED:
            pip("install", "--quiet", "--no-compile", "--no-deps", "--target", str(LIBS), f"{name}=={version}")
    for path in LIBS.rglob("*"):
        if path.suffix in COMPILED:
            path.unlink()
    shutil.rmtree(LIBS / "_yaml", ignore_errors=True)  # PyYAML's shim for its C module
    for cache in list(LIBS.rglob("__pycache__")):
        shutil.rmtree(cache)
    shutil.rmtree(LIBS / "bin", ignore_errors=True)  # console scripts: the extension runs -m


def check(version: str) -> None:
    compiled = [str(p.relative_to(LIBS)) for p in LIBS.rglob("*") if p.suffix in COMPILED]
    if compiled:
        sys.exit(f"bundle: compiled files left in bundled/libs: {compiled}")
    with tempfile.TemporaryDirectory() as folder:
        dockerfile = Path(folder) / "Dockerfile"
        dockerfile.write_text("FROM python:3.12-slim\nUSER root\n")
        env = {"PYTHONPATH": str(LIBS), "PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin"}
        script = (
            "import sys, yaml, importlib.metadata as m, hullguard.server.app;"
            "assert not yaml.__with_libyaml__;"
            "print(m.version('hullguard'))"
        )
        found = subprocess.run([sys.executable, "-S", "-c", script], env=env, capture_output=True, text=True)
        if found.returncode != 0 or found.stdout.strip() != version:
            sys.exit(f"bundle: the bundled server does not import on its own, or is not hullguard {version}:\n{found.stdout}{found.stderr}")
        lint = subprocess.run([sys.executable, "-S", "-c", "import sys; from hullguard.cli import main; sys.exit(main())", "check", "--select", "HG101", str(dockerfile)], env=env, capture_output=True, text=True)
        if "HG101" not in lint.stdout:
            sys.exit(f"bundle: the bundled hullguard did not lint a Dockerfile:\n{lint.stdout}{lint.stderr}")


def main() -> None:
    version = json.loads((CLIENT / "package.json").read_text())["version"]
    shutil.rmtree(LIBS, ignore_errors=True)
    LIBS.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as folder:
        wheel = build_wheel(Path(folder))
        if wheel.name.split("-")[1] != version:
            sys.exit(f"bundle: hullguard is {wheel.name.split('-')[1]} but package.json says {version}: keep them equal")
        packages = resolve(wheel, Path(folder))
        install(wheel, packages, Path(folder))
    check(version)
    listed = ", ".join(f"{name} {version}" for name, version in sorted(packages, key=lambda p: p[0].lower()))
    print(f"bundle: bundled/libs holds {listed}")


if __name__ == "__main__":
    main()
