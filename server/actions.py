"""Code actions: the engine's fixes as quick fixes, suppression comments, and fix-all."""
from __future__ import annotations

import re

from lsprotocol import types
from pygls.uris import from_fs_path

from hullguard.config import Config
from hullguard.digests import DigestCacheError
from hullguard.dockerfile import Dockerfile
from hullguard.documents import Document
from hullguard.edits import insert_at, insert_line_before, leading_whitespace
from hullguard.model import Applicability, Finding, Fix, Format, TextEdit
from hullguard.pinning import Pinner, pin_fix
from hullguard.registry import RegistryError
from hullguard.rules import INVALID_FILE
from hullguard.suppressions import parse_suppressions
from hullguard.text import Position, SourceText

from hullguard.server.protocol import EditBuilder, EditSupport, Positions, diagnostic, minimal_edit, text_edits

FIX_ALL = f"{types.CodeActionKind.SourceFixAll.value}.hullguard"
FIX_ALL_TITLE = "hullguard: fix all auto-fixable problems"
PIN_CODE = "HG202"
_IGNORE = re.compile(r"^hullguard:\s*ignore\s*\[")
_IGNORE_FILE = re.compile(r"^hullguard:\s*ignore-file\s*\[")
# A line whose value is a block scalar: the lines indented under it are its text.
_BLOCK_SCALAR = re.compile(r"(?:^|:|-)[ \t]*[|>][-+0-9]*[ \t]*(?:#.*)?$")
TITLE_SUFFIX = {Applicability.SAFE: "", Applicability.UNSAFE: " (unsafe)", Applicability.DISPLAY_ONLY: " (suggestion)"}


class ActionContext:
    """The file the actions are for and what the client can apply."""

    def __init__(self, uri: str, version: int | None, document: Document, positions: Positions, support: EditSupport, open_buffers: dict[str, tuple[int | None, str]]):
        self.uri = uri
        self.version = version
        self.document = document
        self.positions = positions
        self.support = support
        self.open_buffers = open_buffers  # path -> (version, text) of the other open buffers

    def action(self, title: str, kind: str, edits: list[TextEdit], file_edits=(), findings=(), preferred=False) -> types.CodeAction | None:
        builder = EditBuilder(self.support)
        builder.edit(self.uri, self.version, text_edits(edits, self.positions))
        if not all(self.add_file_edit(builder, e.path, e.old_text, e.new_text) for e in file_edits):
            return None
        edit = builder.build()
        if edit is None:
            return None
        diagnostics = [diagnostic(finding, self.positions) for finding in findings] or None
        return types.CodeAction(title=title, kind=kind, diagnostics=diagnostics, is_preferred=preferred or None, edit=edit)

    def add_file_edit(self, builder: EditBuilder, path: str, old_text: str | None, new_text: str) -> bool:
        """Add the change of another file; False when its open buffer changed since the
        fix was computed (the re-lint that change caused will offer a fresh one)."""
        version, text = self.open_buffers.get(path, (None, old_text))
        if text != old_text:
            return False
        uri = from_fs_path(path)
        if old_text is None:
            builder.create(uri, new_text)
            return True
        edit = minimal_edit(old_text, new_text, Positions(SourceText(old_text), self.positions.encoding))
        builder.edit(uri, version, [edit] if edit else [])
        return True


def fix_action(context: ActionContext, findings: list[Finding], fix: Fix) -> types.CodeAction | None:
    title = fix.title + TITLE_SUFFIX[fix.applicability]
    preferred = fix.applicability is Applicability.SAFE
    return context.action(title, types.CodeActionKind.QuickFix, list(fix.edits), fix.file_edits, findings, preferred)


def quick_fixes(context: ActionContext, findings: list[Finding]) -> list[types.CodeAction]:
    """Each distinct fix once (several findings may offer the same one, such as "harden this
    container"), then "Disable … for this line" per finding, then "… for this file" per code."""
    by_fix: dict[Fix, list[Finding]] = {}
    for finding in findings:
        for fix in finding.fixes:
            by_fix.setdefault(fix, []).append(finding)
    actions: list[types.CodeAction | None] = [fix_action(context, fixed, fix) for fix, fixed in by_fix.items()]
    for finding in findings:
        edit = disable_line_edit(context.document, finding)
        if edit is not None:
            actions.append(context.action(f"Disable {finding.code} for this line", types.CodeActionKind.QuickFix, [edit], findings=[finding]))
    for code in dict.fromkeys(finding.code for finding in findings):
        edit = disable_file_edit(context.document, code)
        if edit is not None:
            related = [finding for finding in findings if finding.code == code]
            actions.append(context.action(f"Disable {code} for this file", types.CodeActionKind.QuickFix, [edit], findings=related))
    return [action for action in actions if action is not None]


def pin_title(context: ActionContext, finding: Finding) -> str:
    return f"Pin {context.document.source.slice(finding.span)} to its digest"


def pin_actions(context: ActionContext, findings: list[Finding], config: Config, lazy: bool) -> list[types.CodeAction]:
    """"Pin <ref> to its digest" for each HG202 finding whose reference can be pinned: with
    its edit when the lock cache has the digest (never the network here), else, when the
    client resolves edits (``lazy``), without it: ``codeAction/resolve`` asks the registry."""
    offline = Pinner(offline=True)
    result = []
    for finding in findings:
        if finding.code != PIN_CODE:
            continue
        try:
            fix = pin_fix(context.document, finding.span, offline, config)
        except (RegistryError, DigestCacheError):  # not in the lock cache (or it is unreadable)
            if lazy:
                span = finding.span
                data = {"uri": context.uri, "version": context.version, "pin": [span.start.line, span.start.column, span.end.line, span.end.column]}
                diagnostics = [diagnostic(finding, context.positions)]
                result.append(types.CodeAction(title=pin_title(context, finding), kind=types.CodeActionKind.QuickFix, diagnostics=diagnostics, data=data))
            continue
        if fix is not None:
            result.append(pin_action(context, finding, fix))
    return [action for action in result if action is not None]


def pin_action(context: ActionContext, finding: Finding, fix: Fix) -> types.CodeAction | None:
    """The pinning fix as a quick fix: safe, so preferred."""
    return context.action(pin_title(context, finding), types.CodeActionKind.QuickFix, list(fix.edits), findings=[finding], preferred=True)


def pin_finding(findings: list[Finding], data: dict) -> Finding | None:
    """The HG202 finding an unresolved pin action (``data["pin"]``) is for."""
    wanted = data.get("pin")
    return next((f for f in findings if f.code == PIN_CODE and [f.span.start.line, f.span.start.column, f.span.end.line, f.span.end.column] == wanted), None)


def _extend(document: Document, suppressions, pattern: re.Pattern, code: str, accept) -> TextEdit | None:
    """Add ``code`` to an existing ``# hullguard: ignore[...]`` comment that ``accept``s."""
    for suppression in suppressions:
        if suppression.from_hadolint or not pattern.match(suppression.comment.text) or not accept(suppression):
            continue
        line = document.source.line(suppression.comment.line)
        close = line.find("]", line.index("[", suppression.comment.column))
        if close >= 0:
            separator = ", " if line[line.index("[", suppression.comment.column) + 1 : close].strip() else ""
            return insert_at(Position(suppression.comment.line, close), separator + code)
    return None


def disable_line_edit(document: Document, finding: Finding) -> TextEdit | None:
    """A ``# hullguard: ignore[CODE]`` comment on the line before the finding's instruction
    (Dockerfile) or YAML node, at its indentation; or the code added to one already there."""
    if document.model is None or finding.code == INVALID_FILE.code:
        return None
    line = _suppressed_line(document, finding.span.start.line)
    if line is None:
        return None
    source = document.source

    def covers(suppression) -> bool:
        comment = suppression.comment
        standalone = not source.line(comment.line)[: comment.column].strip()
        return standalone and comment.line == line - 1 and suppression.first_line <= finding.span.start.line <= suppression.last_line

    existing = _extend(document, parse_suppressions(document.model), _IGNORE, finding.code, covers)
    if existing is not None:
        return existing
    indent = leading_whitespace(source.line(line))
    return insert_line_before(line, f"{indent}# hullguard: ignore[{finding.code}]")


def _suppressed_line(document: Document, line: int) -> int | None:
    """The line a suppression comment must precede to cover ``line``; None if none can."""
    model = document.model
    if isinstance(model, Dockerfile):
        instruction = next((i for i in model.instructions if i.start_line <= line <= i.end_line), None)
        return instruction.start_line if instruction else None
    source = document.source
    text = source.line(line)
    if not text.strip() or text.lstrip().startswith("#"):
        return None  # a comment (an unused suppression, say): nothing a comment above covers
    # Inside a block scalar a comment would be text: go to the key that owns it.
    indent = len(text) - len(text.lstrip(" "))
    for number in range(line - 1, -1, -1):
        above = source.line(number)
        stripped = above.strip()
        if not stripped or stripped.startswith("#"):
            continue
        above_indent = len(above) - len(above.lstrip(" "))
        if above_indent < indent:
            if _BLOCK_SCALAR.search(above):
                return _suppressed_line(document, number)
            indent = above_indent
            if indent == 0:
                break
    return line


def disable_file_edit(document: Document, code: str) -> TextEdit | None:
    """``# hullguard: ignore-file[CODE]`` at the top (after a Dockerfile's parser
    directives, which must stay first), or the code added to one already there."""
    if document.model is None or code == INVALID_FILE.code:
        return None
    existing = _extend(document, parse_suppressions(document.model), _IGNORE_FILE, code, lambda suppression: True)
    if existing is not None:
        return existing
    line = len(document.model.directives) if document.format is Format.DOCKERFILE else 0
    if line >= document.source.line_count:  # only directives, no line after them
        return insert_at(Position(line - 1, len(document.source.line(line - 1))), f"\n# hullguard: ignore-file[{code}]")
    return insert_line_before(line, f"# hullguard: ignore-file[{code}]")


def fix_all_action(context: ActionContext, fixed_text: str | None, other_files: dict[str, tuple[str | None, str]]) -> types.CodeAction | None:
    """The result of ``fix_document`` as one edit of the document plus its other files."""
    builder = EditBuilder(context.support)
    if fixed_text is not None:
        edit = minimal_edit(context.document.source.text, fixed_text, context.positions)
        builder.edit(context.uri, context.version, [edit] if edit else [])
    if not all(context.add_file_edit(builder, path, before, after) for path, (before, after) in other_files.items()):
        return None
    edit = builder.build()
    return types.CodeAction(title=FIX_ALL_TITLE, kind=FIX_ALL, edit=edit) if edit else None


def has_fixes(findings: list[Finding], allow_unsafe: bool) -> bool:
    return any(finding.best_fix(allow_unsafe) for finding in findings)


def unfixed_fix_all(data) -> types.CodeAction:
    """fix-all without its edit, for a client that resolves it when chosen."""
    return types.CodeAction(title=FIX_ALL_TITLE, kind=FIX_ALL, data=data)
