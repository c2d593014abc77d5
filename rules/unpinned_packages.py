"""HG601 unpinned-packages: packages installed without a version, so each build may get another."""
from __future__ import annotations

import re

from hullguard.dockerfile import Instruction
from hullguard.model import Format, Rule, RuleDocs, Severity
from hullguard.rules._each_instruction import each_instruction
from hullguard.rules._shell import Install, instruction_commands
from hullguard.words import Word

_PATH_PREFIXES = (".", "/", "~")
_ARCHIVES = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".zip", ".deb", ".apk", ".gem")
_PIP_SPECIFIER = re.compile(r"[=<>~!@]")
# How to write a pinned version, per package manager.
_PIN_SYNTAX = {"apt": "{}=<version>", "apk": "{}=<version>", "pip": "{}==<version>", "npm": "{}@<version>", "gem": "{}:<version>"}


def _is_local(value: str) -> bool:
    """A file, folder, URL or VCS reference rather than a package from the registry."""
    return value.startswith(_PATH_PREFIXES) or "://" in value or value.endswith(_ARCHIVES) or value.startswith(("git+", "git:", "github:", "file:"))


def _npm_pinned(value: str) -> bool:
    name, at, version = value.rpartition("@")
    return bool(at and name and version) and version != "latest"


def _unpinned(install: Install) -> list[Word]:
    """The package words of an install that name a registry package without a version."""
    family = install.family
    if family == "pip" and install.arguments.get("-c", "--constraint"):
        return []  # a constraints file pins the versions
    if family == "gem" and install.arguments.get("-v", "--version"):
        return []
    found = []
    packages = install.packages
    index = 0
    while index < len(packages):
        word = packages[index]
        value = word.value
        index += 1
        if family == "pip" and index < len(packages) and packages[index].value == "@":
            index += 2  # `name @ https://…`: a direct reference
            continue
        if "$" in value or not value or _is_local(value):
            continue
        if family == "npm" and "/" in value and not value.startswith("@"):
            continue  # user/repo: a GitHub reference
        if family == "apt":
            pinned = "=" in value
        elif family == "apk":
            pinned = any(marker in value for marker in "=<>~")
        elif family == "pip":
            pinned = bool(_PIP_SPECIFIER.search(value))
        elif family == "npm":
            pinned = _npm_pinned(value)
        else:  # gem
            pinned = ":" in value
        if not pinned:
            found.append(word)
    return found


def check_instruction(instruction: Instruction):
    for run in instruction_commands(instruction):
        install = run.install
        if install is None or install.family not in _PIN_SYNTAX:
            continue
        for word in _unpinned(install):
            name = word.value.removesuffix("@latest") if install.family == "npm" else word.value
            pinned = _PIN_SYNTAX[install.family].format(name)
            message = f"{install.tool.name} {install.subcommand.value} '{word.value}' without a pinned version: write '{pinned}'"
            yield RULE.finding(run.script.word_span(word), message)


RULE = Rule(
    code="HG601",
    name="unpinned-packages",
    severity=Severity.WARNING,
    summary="Package installed without a pinned version",
    docs=RuleDocs(
        what="Reports every package word of an install command in a `RUN` that names no version: "
        "`apt-get install`/`apt install` without `pkg=<version>`, `apk add` without `pkg=<version>` (or "
        "`~=`, `>`, `<`), `pip install` (also `python -m pip`) without a version specifier such as "
        "`==`, `>=`, `~=` or a direct `@` reference, `npm install`/`npm i` (global or local) without "
        "`pkg@<version>` (`@latest` is no pin), and `gem install` without `pkg:<version>` or `-v`. "
        "Files, folders, URLs and VCS references (`.`, `./pkg.deb`, `git+https://…`), requirement and "
        "constraint files (`pip install -r`, `-c`), words made of variables (`$PACKAGES`) and `npm install`/"
        "`npm ci` without package arguments (they follow the lock file) are left alone. Unpinned upgrades of "
        "the installers themselves (`pip install --upgrade pip`) are reported too: they fetch whatever is "
        "newest as well. One finding per package word, on that word.",
        why="An unpinned install takes whatever the repository serves on the day of the build: two builds "
        "of the same Dockerfile can ship different software, a compromised or broken release is picked up "
        "silently, and a vulnerability scan of one image says little about the next. Pinned versions make "
        "builds reproducible and updates deliberate (and reviewable, e.g. by Renovate or Dependabot).",
        example="```dockerfile\nFROM python:3.12-slim\nRUN pip install --no-cache-dir flask   # HG601 on flask\n```\n"
        "Fixed:\n```dockerfile\nFROM python:3.12-slim\nRUN pip install --no-cache-dir flask==3.0.3\n```",
        fix="No automatic fix: the version to pin is your choice (usually the one the image has today). "
        "For many Python or Node packages, a requirements or lock file (`pip install -r`, `npm ci`) is "
        "easier to maintain than versions in the Dockerfile.",
        peers="hadolint DL3008 (apt-get), DL3018 (apk), DL3013 (pip), DL3016 (npm), DL3028 (gem).",
    ),
    checks={Format.DOCKERFILE: each_instruction(check_instruction, ("RUN",))},
    hadolint=("DL3008", "DL3013", "DL3016", "DL3018", "DL3028"),
)
