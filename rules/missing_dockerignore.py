"""HG303 missing-dockerignore: the whole build context is copied with nothing keeping secrets out."""
from __future__ import annotations

import posixpath
import re

from hullguard.context import FileState, RuleContext, SiblingFile
from hullguard.dockerfile import Dockerfile, Instruction
from hullguard.model import Applicability, FileEdit, Fix, Format, Rule, RuleDocs, Severity
from hullguard.rules._copy import context_sources
from hullguard.text import BOM, SourceText

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
Patterns = list[tuple[bool, re.Pattern]]  # (negated, regex) per line, in order


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


def _lines(text: str):
    """(offset, line) per line as Docker reads the file: split at "\n", a "\r" before it
    dropped, a BOM at the start skipped (the offset is then past it)."""
    offset = len(BOM) if text.startswith(BOM) else 0
    for line in text[offset:].split("\n"):
        yield offset, line.removesuffix("\r")
        offset += len(line) + 1


def parse_dockerignore(text: str) -> Patterns:
    """(negated, regex) per pattern, in order; comments, blank lines and a BOM skipped."""
    patterns = []
    for _, line in _lines(text):
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


def is_excluded(patterns: Patterns, path: str) -> bool:
    """Whether ``path`` (relative to the context) is left out; the last matching pattern wins,
    and a pattern matching a parent folder matches everything in it."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: count + 1]) for count in range(len(parts))]
    excluded = False
    for negated, regex in patterns:
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            excluded = not negated
    return excluded


def _context_path(source: str) -> str:
    """A ``COPY`` source as a path in the build context ("" for all of it), resolved from the
    context's root as BuildKit does: ``.``, ``./``, ``/`` and ``""`` all name the root."""
    return posixpath.normpath("/" + source.lstrip("/")).lstrip("/")


def check_dockerfile(dockerfile: Dockerfile, context: RuleContext):
    if context.path is None:
        return  # unsaved text: there is no folder to look in
    copies = [(instruction, source) for instruction in dockerfile.instructions for source in context_sources(instruction) if not _context_path(source.value)]
    if not copies:
        return
    ignore = context.read_sibling(f"{context.path.name}.dockerignore")  # BuildKit prefers it
    own = ignore.exists
    if not own:
        ignore = context.read_sibling(".dockerignore")
    if ignore.state is FileState.UNREADABLE:
        return  # what it keeps out cannot be known
    patterns = parse_dockerignore(ignore.text or "")
    missing = [entry for entry, paths in ENTRIES if not all(is_excluded(patterns, p) for p in paths)]
    unexcluded = [entry for entry in REQUIRED if entry in missing]
    if ignore.exists and not unexcluded:
        return
    # Rewriting a file that is not UTF-8 would change the bytes that do not decode.
    fixes = [] if ignore.state is FileState.NOT_UTF8 else [_fix(dockerfile, context, ignore, missing, shared=not own)]
    for instruction, source in copies:
        shown = source.value or '""'
        if ignore.exists:
            message = f"{instruction.keyword} {shown} copies the whole build context and {ignore.path.name} does not exclude {', '.join(unexcluded)}"
        else:
            message = f"{instruction.keyword} {shown} copies the whole build context and there is no .dockerignore to keep out .git, .env and keys"
        yield RULE.finding(source.span, message, fixes)


def _fix(dockerfile: Dockerfile, context: RuleContext, ignore: SiblingFile, missing: list[str], shared: bool) -> Fix:
    name = ignore.path.name
    if ignore.text is None:
        new_text = "\n".join([HEADER, *missing]) + "\n"
        title = f"Create {name} excluding {', '.join(missing)}"
        undoes_negation = False
    else:
        new_text, undoes_negation = _extended(ignore.text, missing)
        title = f"Add {', '.join(missing)} to {name}"
    unsafe = (
        undoes_negation
        or _build_loses_files(dockerfile, parse_dockerignore(ignore.text or ""), parse_dockerignore(new_text))
        or (shared and _shared_with_other_dockerfiles(context))
    )
    applicability = Applicability.UNSAFE if unsafe else Applicability.SAFE
    return Fix(title, applicability, file_edits=(FileEdit(str(ignore.path), ignore.text, new_text),))


def _extended(text: str, missing: list[str]) -> tuple[str, bool]:
    """``text`` with the ``missing`` entries added in its line-ending style, and whether they
    had to go after a ``!`` line, undoing what it re-includes.

    They go before the first ``!`` line (and the comment lines right above it), everything
    else kept as it is, so the user's re-includes still win; at the end when there is no
    ``!`` line, or when one re-includes what an entry is there to keep out (``!.env``).
    """
    newline = SourceText(text).newline
    entries = "".join(entry + newline for entry in missing)
    at = _first_negation(text)
    if at is not None:
        inserted = text[:at] + entries + text[at:]
        patterns = parse_dockerignore(inserted)
        if all(is_excluded(patterns, path) for entry, paths in ENTRIES if entry in missing for path in paths):
            return inserted, False
    separator = newline if text and not text.endswith("\n") else ""
    return text + separator + entries, at is not None


def _first_negation(text: str) -> int | None:
    """The offset of the first ``!`` line, or of the comment lines right above it."""
    comments_from = None
    for offset, line in _lines(text):
        if line.startswith("#"):
            comments_from = offset if comments_from is None else comments_from
        elif line.strip().startswith("!"):
            return offset if comments_from is None else comments_from
        else:
            comments_from = None
    return None


def _build_loses_files(dockerfile: Dockerfile, before: Patterns, after: Patterns) -> bool:
    """Whether the build uses what ``after`` newly leaves out: a file it copies by name,
    or ``.git`` for a ``git`` command."""

    used = {_context_path(source.value) for instruction in dockerfile.instructions for source in context_sources(instruction)}
    used.discard("")
    if any(instruction.remembered(_runs_git, lambda: _runs_git(instruction)) for instruction in dockerfile.instructions if instruction.keyword == "RUN"):
        used.add(".git")
    return any(is_excluded(after, path) and not is_excluded(before, path) for path in used)


def _runs_git(instruction: Instruction) -> bool:
    return any(command.name == "git" for script in instruction.scripts for command in script.commands)


def _shared_with_other_dockerfiles(context: RuleContext) -> bool:
    """Whether another Dockerfile in the folder also uses ``.dockerignore`` (it has no
    ``<name>.dockerignore`` of its own); also when the folder cannot be listed."""
    others = context.sibling_dockerfiles()
    return others is None or any(not context.read_sibling(f"{name}.dockerignore").exists for name in others)


RULE = Rule(
    code="HG303",
    name="missing-dockerignore",
    severity=Severity.WARNING,
    summary="Whole build context copied without a .dockerignore",
    docs=RuleDocs(
        what="Fires on each `COPY . <dest>` or `ADD . <dest>` (also `./`, `/` and an empty "
        "source, which name the context's root too, and the JSON form; not `--from` copies) "
        "when the folder of the Dockerfile has no ignore file, or when the "
        "ignore file in force does not exclude `.git`, `.env`, `*.pem` and `*.key`. As BuildKit "
        "does, a per-Dockerfile `<Dockerfile name>.dockerignore` (`Dockerfile.dockerignore`, "
        "`app.Dockerfile.dockerignore`) wins over `.dockerignore`. Patterns are read the way "
        "Docker reads them: `#` comments, `!` re-includes (the last matching line wins), a "
        "leading `/` ignored, `**` for any number of folders, and a pattern matching a folder "
        "covering what is inside it. Text that is not saved to a file is not checked, nor is "
        "a Dockerfile whose ignore file cannot be read (permission denied): what it keeps "
        "out cannot be known. The finding points at the `.` source.",
        why="`COPY . .` takes everything in the build context: the `.git` folder with the full "
        "history (including secrets once committed and removed), local `.env` files, keys and "
        "certificates lying in the project. Once in a layer, they ship with the image.",
        example="```dockerfile\nFROM python:3.12-slim\nWORKDIR /app\nCOPY . .   # HG303: no .dockerignore\n"
        "```\nFixed, `.dockerignore` beside the Dockerfile:\n```\n" + HEADER + "\n"
        ".git\n.env\n*.pem\n*.key\n**/.ssh\n```",
        fix="Safe: creates `.dockerignore` with `.git`, `.env`, `*.pem`, `*.key` and `**/.ssh` "
        "under a one-line comment, or adds only the missing ones to the ignore file in "
        "force, keeping the rest of it byte for byte and writing its line endings: at the end, "
        "or, when it has `!` lines, before the first of them (and the comments right above "
        "it), so that what the user re-includes stays in. It is unsafe (applied only with "
        "unsafe fixes) when it may leave out what a build needs: the Dockerfile copies a "
        "file the new entries would newly exclude, or runs `git` while `.git` would newly be "
        "excluded; a `!` line re-includes what an entry is there to keep out (`!.env`), so the "
        "entries must go after it and undo it; or the fix writes `.dockerignore` and another "
        "Dockerfile in the folder (`Dockerfile`, `Containerfile`, `*.Dockerfile`, "
        "`*.dockerfile`, `Dockerfile.*`, `Containerfile.*`) has no `<name>.dockerignore` of "
        "its own, so the new entries apply to its builds too. An ignore file that is not "
        "valid UTF-8 is checked but not fixed: rewriting it would change its other bytes.",
        peers="No direct peer in hadolint, checkov or trivy.",
    ),
    checks={Format.DOCKERFILE: check_dockerfile},
    fix=Applicability.SAFE,
)
