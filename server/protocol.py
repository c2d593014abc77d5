"""Conversions between hullguard's model and the protocol's: positions in the negotiated
encoding, diagnostics, and edits as a WorkspaceEdit the client can apply."""
from __future__ import annotations

import json
import re
from collections import OrderedDict
from dataclasses import dataclass

from lsprotocol import types
from pygls.protocol import default_converter

from hullguard.engine import LintResult
from hullguard.model import Finding, Severity, TextEdit
from hullguard.output.common import rule_url
from hullguard.rules import RULES_BY_CODE
from hullguard.text import BOM, Position, SourceText, Span, utf16_column

SOURCE = "hullguard"
SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


def _units(text: str, encoding: str) -> int:
    """The length of ``text`` in the encoding's code units."""
    if encoding == types.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == types.PositionEncodingKind.Utf32:
        return len(text)
    return utf16_column(text, len(text))


def code_point_column(line: str, units: int, encoding: str) -> int:
    """The code-point column ``units`` code units into ``line`` (clamped to its end)."""
    if encoding == types.PositionEncodingKind.Utf32 or line.isascii():
        return min(units, len(line))
    counted = 0
    for column, char in enumerate(line):
        if counted >= units:
            return column
        counted += _units(char, encoding)
    return len(line)


class TextBuffer:
    """An open file's text as the client has it, kept up to date from its changes: each
    change is one splice, and the line starts are updated from the changed line on.
    (pygls' own copy rebuilds the whole text line by line: 20 ms a keystroke in a 2 MB
    stream, on the protocol loop.)"""

    def __init__(self, text: str):
        self.text = text
        self._starts = [0, *(match.end() for match in _NEWLINE.finditer(text))]

    def apply(self, change: types.TextDocumentContentChangeEvent, encoding: str) -> None:
        if not isinstance(change, types.TextDocumentContentChangePartial):
            self.__init__(change.text)
            return
        first, last = sorted((change.range.start, change.range.end), key=lambda p: (p.line, p.character))
        start, end = self.offset(first, encoding), self.offset(last, encoding)
        self.text = self.text[:start] + change.text + self.text[end:]
        first_line, last_line = (min(p.line, len(self._starts) - 1) for p in (first, last))
        delta = len(change.text) - (end - start)
        inserted = [start + match.end() for match in _NEWLINE.finditer(change.text)]
        self._starts[first_line + 1 :] = inserted + [offset + delta for offset in self._starts[last_line + 1 :]]

    def offset(self, position: types.Position, encoding: str) -> int:
        """Where ``position`` is in the text; past the end of a line (or of the text) is clamped."""
        if position.line >= len(self._starts):
            return len(self.text)
        start = self._starts[position.line]
        end = self._starts[position.line + 1] - 1 if position.line + 1 < len(self._starts) else len(self.text)
        line = self.text[start:end]
        return start + code_point_column(line.removesuffix("\r"), position.character, encoding)


_NEWLINE = re.compile("\n")


class Positions:
    """Maps code-point positions of a SourceText to the client's and back. A BOM the
    client sent is not in ``source.text`` but is in the client's line 0."""

    def __init__(self, source: SourceText, encoding: str):
        self.source = source
        self.encoding = encoding
        self._bom = _units(BOM, encoding) if source.has_bom else 0
        # ASCII text in UTF-16 (most files, most clients): a column is the same in both, and
        # no line need be looked at (a 2 MB stream's lines are not even split).
        self.same_columns = encoding == types.PositionEncodingKind.Utf16 and source.text.isascii()

    def _line(self, number: int) -> str:
        return self.source.line(number) if 0 <= number < self.source.line_count else ""

    def to_client(self, position: Position) -> types.Position:
        if self.same_columns:
            return types.Position(position.line, position.column + (self._bom if position.line == 0 else 0))
        line = self._line(position.line)
        if self.encoding == types.PositionEncodingKind.Utf16:
            column = utf16_column(line, position.column)
        else:
            column = _units(line[: position.column], self.encoding)
        return types.Position(position.line, column + (self._bom if position.line == 0 else 0))

    def range(self, span: Span) -> types.Range:
        return types.Range(self.to_client(span.start), self.to_client(span.end))

    def from_client(self, position: types.Position) -> Position:
        """The code-point position; past the end of a line (or of the text) is clamped."""
        if position.line >= self.source.line_count:
            last = self.source.line_count - 1
            return Position(last, len(self._line(last)))
        line = self._line(position.line)
        wanted = max(position.character - (self._bom if position.line == 0 else 0), 0)
        return Position(position.line, code_point_column(line, wanted, self.encoding))


def diagnostic(finding: Finding, positions: Positions) -> types.Diagnostic:
    """The finding as the client shows it; its message is already redacted for a secret,
    and the text under its span is never copied anywhere."""
    rule = RULES_BY_CODE.get(finding.code)
    return types.Diagnostic(
        range=positions.range(finding.span),
        message=finding.message,
        severity=SEVERITIES[finding.severity],
        code=finding.code,
        code_description=types.CodeDescription(href=rule_url(rule)) if rule else None,
        source=SOURCE,
    )


def failure_diagnostic(failure: str) -> types.Diagnostic:
    """A rule that raised: "HG101 (run-as-root): ValueError: ..." from LintResult."""
    code = failure.split(" ", 1)[0]
    return types.Diagnostic(
        range=types.Range(types.Position(0, 0), types.Position(0, 0)),
        message=f"rule {failure} — its findings are missing (please report this hullguard bug)",
        severity=types.DiagnosticSeverity.Error,
        code=code,
        source=SOURCE,
    )


def error_diagnostic(message: str) -> types.Diagnostic:
    """A problem that is not a finding: a broken config file, an internal error."""
    return types.Diagnostic(
        range=types.Range(types.Position(0, 0), types.Position(0, 0)),
        message=message,
        severity=types.DiagnosticSeverity.Error,
        source=SOURCE,
    )


def diagnostics(result: LintResult, positions: Positions) -> list[types.Diagnostic]:
    return [_converted(f, positions) for f in result.findings] + [failure_diagnostic(f) for f in result.rule_failures]


# Diagnostics already made, by what they are made from: on a keystroke, most findings are as
# they were, on lines as they were (the columns in the client's units depend on the line).
# Their JSON text too, by the diagnostic's id (the diagnostic is kept alive while it is here).
_CONVERTED: OrderedDict[tuple, types.Diagnostic] = OrderedDict()
_ENCODED: dict[int, str] = {}
CONVERTED_KEPT = 8192
_CONVERTER = default_converter()


def _converted(finding: Finding, positions: Positions) -> types.Diagnostic:
    start, end = finding.span
    lines = None if positions.same_columns else (positions._line(start.line), positions._line(end.line) if end.line != start.line else None)
    key = (finding.code, finding.message, finding.severity, finding.span, lines, positions.encoding, positions._bom)
    made = _CONVERTED.get(key)
    if made is None:
        made = _CONVERTED[key] = diagnostic(finding, positions)
        _ENCODED[id(made)] = _encode(made)
        if len(_CONVERTED) > CONVERTED_KEPT:
            del _ENCODED[id(_CONVERTED.popitem(last=False)[1])]
    else:
        _CONVERTED.move_to_end(key)
    return made


def _encode(diagnostic: types.Diagnostic) -> str:
    return json.dumps(_CONVERTER.unstructure(diagnostic, types.Diagnostic))


def publication(uri: str, found: list[types.Diagnostic], version: int | None) -> str:
    """The parameters of ``textDocument/publishDiagnostics`` as JSON text. Each diagnostic
    made from a finding is encoded once, when it is made: a keystroke republishes mostly the
    same diagnostics, and encoding them again through the protocol's converter would cost
    more than the lint of a small file."""
    encoded = ",".join(_ENCODED.get(id(diagnostic)) or _encode(diagnostic) for diagnostic in found)
    version_field = "" if version is None else f', "version": {version}'
    return f'{{"uri": {json.dumps(uri)}, "diagnostics": [{encoded}]{version_field}}}'


def text_edits(edits: tuple[TextEdit, ...] | list[TextEdit], positions: Positions) -> list[types.TextEdit]:
    """Engine edits (written with "\\n") in the file's own line endings."""
    newline = positions.source.newline
    return [types.TextEdit(positions.range(edit.span), edit.new_text.replace("\n", newline) if newline != "\n" else edit.new_text) for edit in edits]


def minimal_edit(old: str, new: str, positions: Positions) -> types.TextEdit | None:
    """One edit turning ``old`` (the text ``positions`` maps) into ``new``: the differing
    middle, widened to whole lines so it never splits a CRLF. None when equal."""
    if old == new:
        return None
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    start = old.rfind("\n", 0, prefix) + 1
    end = len(old) - suffix
    newline = old.find("\n", end)
    end = len(old) if newline < 0 else newline + 1
    replacement = new[start : len(new) - (len(old) - end)]
    source = positions.source
    span = Span(source.position(start), source.position(end))
    return types.TextEdit(positions.range(span), replacement)


@dataclass(frozen=True)
class EditSupport:
    """What the client can apply: ``documentChanges`` (versioned edits, resource operations)
    and creating files."""

    document_changes: bool
    create_files: bool

    @classmethod
    def of(cls, capabilities: types.ClientCapabilities) -> "EditSupport":
        workspace_edit = capabilities.workspace.workspace_edit if capabilities.workspace else None
        if workspace_edit is None:
            return cls(False, False)
        operations = workspace_edit.resource_operations or []
        # Resource operations exist only inside documentChanges, so a client listing them
        # applies documentChanges even when it does not say so (Neovim 0.7).
        return cls(bool(workspace_edit.document_changes or operations), types.ResourceOperationKind.Create in operations)


class EditBuilder:
    """Collects the edits of one code action into a WorkspaceEdit."""

    def __init__(self, support: EditSupport):
        self.support = support
        self._changes: list = []  # TextDocumentEdit and CreateFile, in order
        self._plain: dict[str, list[types.TextEdit]] = {}

    def edit(self, uri: str, version: int | None, edits: list[types.TextEdit]) -> None:
        if not edits:
            return
        if self.support.document_changes:
            identifier = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
            self._changes.append(types.TextDocumentEdit(text_document=identifier, edits=edits))
        else:
            self._plain.setdefault(uri, []).extend(edits)

    def create(self, uri: str, text: str) -> None:
        """A new file holding ``text``; a plain insertion when the client cannot create files
        (Neovim then opens a buffer for it, to be written)."""
        if self.support.document_changes and self.support.create_files:
            self._changes.append(types.CreateFile(uri=uri))
        self.edit(uri, None, [types.TextEdit(types.Range(types.Position(0, 0), types.Position(0, 0)), text)])

    def build(self) -> types.WorkspaceEdit | None:
        if self._changes:
            return types.WorkspaceEdit(document_changes=self._changes)
        if self._plain:
            return types.WorkspaceEdit(changes=self._plain)
        return None
