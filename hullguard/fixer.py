"""Applying fixes: the same edits for ``check --fix`` and the editor's code actions.

Fixes are applied in rounds: each round lints, takes every applicable fix that does not
overlap one already taken, and applies them; the next round re-lints the result. Rounds
stop when nothing changes (bounded, so two fixes that undo each other cannot loop).
Files are written only at the end, atomically, and only if every round succeeded.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from hullguard.config import Config
from hullguard.documents import Document, load_document
from hullguard.edits import apply_edits, edits_overlap
from hullguard.engine import LintResult, lint_document
from hullguard.model import Finding, Fix, TextEdit

MAX_ROUNDS = 10


@dataclass
class FixOutcome:
    document: Document  # the document as it is after the fixes
    result: LintResult  # the findings that remain
    original_text: str | None
    fixed_text: str | None  # None: no change to the document itself
    other_files: dict[str, tuple[str | None, str]] = field(default_factory=dict)  # path -> (before, after)
    applied: list[Finding] = field(default_factory=list)


def choose_fixes(findings: list[Finding], allow_unsafe: bool) -> list[tuple[Finding, Fix]]:
    """The fixes to apply in one round: the best of each finding, none overlapping."""
    chosen: list[tuple[Finding, Fix]] = []
    taken_edits: list[TextEdit] = []
    taken_files: set[str] = set()
    for finding in findings:
        fix = finding.best_fix(allow_unsafe)
        if fix is None:
            continue
        if any(edits_overlap(edit, other) for edit in fix.edits for other in taken_edits):
            continue
        if any(file_edit.path in taken_files for file_edit in fix.file_edits):
            continue
        chosen.append((finding, fix))
        taken_edits.extend(fix.edits)
        taken_files.update(file_edit.path for file_edit in fix.file_edits)
    return chosen


def choose_document_fixes(findings: list[Finding], allow_unsafe: bool) -> list[tuple[Finding, Fix]]:
    """Like ``choose_fixes``, without fixes to other files: for text with nowhere to write
    them (standard input)."""
    return [(finding, fix) for finding, fix in choose_fixes(findings, allow_unsafe) if not fix.file_edits]


def fix_document(
    document: Document,
    config: Config,
    *,
    allow_unsafe: bool = False,
    choose=choose_fixes,
    file_overrides: dict[str, str | None] | None = None,
    project=None,
    enrich=None,
) -> FixOutcome:
    """Fix in memory; the caller decides whether to write (``--diff`` does not).

    ``choose`` picks each round's fixes (default: every applicable, non-overlapping one);
    ``file_overrides`` gives other files' current text (unsaved editor buffers); ``project``
    the run's cross-file facts (see ``lint_document``); ``enrich(document, findings)`` may
    add fixes that need the outside world (digest pinning asks registries) to each round's
    findings, so that rules themselves stay offline.
    """
    overlay: dict[str, str | None] = dict(file_overrides or {})  # other files as the fixes leave them
    originals: dict[str, str | None] = {}
    applied: list[Finding] = []
    original_text = document.source.text if document.source else None
    result = lint_document(document, config, file_overrides=overlay, project=project)
    for _ in range(MAX_ROUNDS):
        if enrich is not None and document.model is not None:
            enrich(document, result.findings)
        chosen = choose(result.findings, allow_unsafe)
        if not chosen or document.source is None:
            break
        edits = [edit for _, fix in chosen for edit in fix.edits]
        for _, fix in chosen:
            for file_edit in fix.file_edits:
                current = overlay.get(file_edit.path, _read(file_edit.path))
                if current != file_edit.old_text:
                    continue  # the file changed since the fix was computed
                originals.setdefault(file_edit.path, current)
                overlay[file_edit.path] = file_edit.new_text
        new_text = apply_edits(document.source, edits)
        if new_text != document.source.text:
            has_bom = document.source.has_bom
            document = load_document(document.path, ("\ufeff" if has_bom else "") + new_text, document.format, max_bytes=config.max_file_size)
        applied.extend(finding for finding, _ in chosen)
        result = lint_document(document, config, file_overrides=overlay, project=project)
        if document.model is None:
            break  # never hand back a document the fixes broke
    fixed_text = document.source.text if document.source and document.source.text != original_text else None
    if document.model is None and fixed_text is not None:
        raise FixError(f"{document.path}: fixes produced an unparseable file ({document.error}); nothing written")
    other_files = {path: (before, overlay[path]) for path, before in originals.items() if overlay[path] != before}
    return FixOutcome(document, result, original_text, fixed_text, other_files, applied)


class FixError(RuntimeError):
    pass


def _read(path: str) -> str | None:
    try:
        return Path(path).read_bytes().decode("utf-8")  # keeps CRLF, as RuleContext.read_sibling does
    except (FileNotFoundError, NotADirectoryError):
        return None


def write_atomically(path: str | Path, data: bytes) -> None:
    """Write via a temporary file in the same folder and rename.

    A symlink is followed (its target is fixed, the link stays), and the file's mode and,
    where permitted, its owner are kept. Hard links to the file are not preserved.
    """
    import tempfile  # only when writing: keeps a plain check fast to start

    path = Path(os.path.realpath(path))
    try:
        status = path.stat()
    except FileNotFoundError:
        status = None
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".hullguard", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, status.st_mode & 0o7777 if status else 0o666 & ~_umask())
        if status is not None:
            try:
                os.chown(temporary, status.st_uid, status.st_gid)
            except PermissionError:
                pass  # not root: the file becomes ours, as any editor's save would
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
