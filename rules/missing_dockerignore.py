"""HG303 missing-dockerignore: the whole build context is copied with nothing keeping secrets out."""
from __future__ import annotations

import posixpath
import re

from hullguard.context import RuleContext
from hullguard.dockerfile import Dockerfile
from hullguard.model import Applicability, FileEdit, Fix, Format, Rule, RuleDocs, Severity
from hullguard.rules._copy import context_sources
from hullguard.text import SourceText

# The entries the fix writes, each with paths it must exclude to count as present.
ENTRIES = (
    (".git", (".git",)),
    (".env", (".env",)),
    ("*.pem", ("key.pem",)),
    ("*.key", ("server.key",)),
    ("**/.ssh", (".ssh", "home/.ssh")),
)
REQUIRED = (".git", ".env", "*.pem", "*.key")  # missing any of these is reported
HEADER = "# Keep version control data, secrets and keys out of the build context"


def _pattern_regex(pattern: str) -> re.Pattern:
    """A ``.dockerignore`` pattern as a regex (Go ``filepath.Match`` plus ``**``)."""
    out = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
            continue
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and "]" in pattern[index + 2 :]:
            end = pattern.index("]", index + 2)
            body = pattern[index + 1 : end]
            body = "^" + body[1:] if body[0] in "!^" else body
            out.append("[" + body.replace("\\", "\\\\") + "]")
            index = end + 1
            continue
        elif char == "\\" and index + 1 < len(pattern):
            out.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        else:
            out.append(re.escape(char))
        index += 1
    return re.compile("".join(out))


def parse_dockerignore(text: str) -> list[tuple[bool, re.Pattern]]:
    """(negated, regex) per pattern, in order; comments, blank lines and a BOM skipped."""
    patterns = []
    for line in text.removeprefix("\ufeff").splitlines():
        if line.startswith("#"):
            continue
        pattern = line.strip()
        negated = pattern.startswith("!")
        pattern = pattern[1:].strip() if negated else pattern
        if not pattern:
            continue
        pattern = posixpath.normpath(pattern)
        if len(pattern) > 1:
            pattern = pattern.lstrip("/")
        patterns.append((negated, _pattern_regex(pattern)))
    return patterns


def is_excluded(patterns: list[tuple[bool, re.Pattern]], path: str) -> bool:
    """Whether ``path`` (relative to the context) is left out; the last matching pattern wins,
    and a pattern matching a parent folder matches everything in it."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: count + 1]) for count in range(len(parts))]
    excluded = False
    for negated, regex in patterns:
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            excluded = not negated
    return excluded


def _is_whole_context(source: str) -> bool:
    return posixpath.normpath(source) == "."


def check_dockerfile(dockerfile: Dockerfile, context: RuleContext):
    if context.path is None:
        return  # unsaved text: there is no folder to look in
    copies = [(instruction, source) for instruction in dockerfile.instructions for source in context_sources(instruction) if _is_whole_context(source.value)]
    if not copies:
        return
    own = context.read_sibling(f"{context.path.name}.dockerignore")  # BuildKit prefers it
    path, text = own if own[1] is not None else context.read_sibling(".dockerignore")
    patterns = parse_dockerignore(text or "")
    missing = [entry for entry, paths in ENTRIES if not all(is_excluded(patterns, p) for p in paths)]
    unexcluded = [entry for entry in REQUIRED if entry in missing]
    if text is not None and not unexcluded:
        return
    fix = _fix(dockerfile, str(path), text, missing)
    for instruction, source in copies:
        if text is None:
            message = f"{instruction.keyword} {source.value} copies the whole build context and there is no .dockerignore to keep out .git, .env and keys"
        else:
            message = f"{instruction.keyword} {source.value} copies the whole build context and {path.name} does not exclude {', '.join(unexcluded)}"
        yield RULE.finding(source.span, message, [fix])


def _fix(dockerfile: Dockerfile, path: str, text: str | None, missing: list[str]) -> Fix:
    if text is None:
        new_text = "\n".join([HEADER, *missing]) + "\n"
        title = f"Create {posixpath.basename(path)} excluding {', '.join(missing)}"
    else:
        newline = SourceText(text).newline
        separator = newline if text and not text.endswith("\n") else ""
        new_text = text + separator + "".join(entry + newline for entry in missing)
        title = f"Add {', '.join(missing)} to {posixpath.basename(path)}"
    return Fix(title, _applicability(dockerfile, missing), file_edits=(FileEdit(path, text, new_text),))


def _applicability(dockerfile: Dockerfile, added: list[str]) -> Applicability:
    """Safe unless the build uses what the new entries leave out: a file it copies by name,
    or ``.git`` for a ``git`` command."""
    patterns = [(False, _pattern_regex(entry)) for entry in added]
    for instruction in dockerfile.instructions:
        for source in context_sources(instruction):
            path = posixpath.normpath(source.value).lstrip("/")
            if path != "." and is_excluded(patterns, path):
                return Applicability.UNSAFE
        if ".git" in added and any(command.name == "git" for script in instruction.scripts for command in script.commands):
            return Applicability.UNSAFE
    return Applicability.SAFE


RULE = Rule(
    code="HG303",
    name="missing-dockerignore",
    severity=Severity.WARNING,
    summary="Whole build context copied without a .dockerignore",
    docs=RuleDocs(
        what="Fires on each `COPY . <dest>` or `ADD . <dest>` (also `./`, and the JSON form; "
        "not `--from` copies) when the folder of the Dockerfile has no ignore file, or when the "
        "ignore file in force does not exclude `.git`, `.env`, `*.pem` and `*.key`. As BuildKit "
        "does, a per-Dockerfile `<Dockerfile name>.dockerignore` (`Dockerfile.dockerignore`, "
        "`app.Dockerfile.dockerignore`) wins over `.dockerignore`. Patterns are read the way "
        "Docker reads them: `#` comments, `!` re-includes (the last matching line wins), a "
        "leading `/` ignored, `**` for any number of folders, and a pattern matching a folder "
        "covering what is inside it. Text that is not saved to a file is not checked. The "
        "finding points at the `.` source.",
        why="`COPY . .` takes everything in the build context: the `.git` folder with the full "
        "history (including secrets once committed and removed), local `.env` files, keys and "
        "certificates lying in the project. Once in a layer, they ship with the image.",
        example="```dockerfile\nFROM python:3.12-slim\nWORKDIR /app\nCOPY . .   # HG303: no .dockerignore\n"
        "```\nFixed, `.dockerignore` beside the Dockerfile:\n```\n" + HEADER + "\n"
        ".git\n.env\n*.pem\n*.key\n**/.ssh\n```",
        fix="Safe: creates `.dockerignore` with `.git`, `.env`, `*.pem`, `*.key` and `**/.ssh` "
        "under a one-line comment, or appends only the missing ones to the ignore file in "
        "force, keeping its content and line endings. It is unsafe (applied only with "
        "unsafe fixes) when the build needs what would be left out: the Dockerfile copies a "
        "file the new entries match by name, or runs `git` while `.git` would be excluded.",
        peers="No direct peer in hadolint, checkov or trivy.",
    ),
    checks={Format.DOCKERFILE: check_dockerfile},
    fix=Applicability.SAFE,
)
