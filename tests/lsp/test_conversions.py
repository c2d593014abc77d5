"""The server's conversions, without a server: positions in each encoding, edits in the
file's line endings, suppression comments in YAML."""
from __future__ import annotations

import pytest
from lsprotocol import types

from hullguard.documents import load_document
from hullguard.model import Finding, Format, Severity, TextEdit
from hullguard.server.actions import disable_file_edit, disable_line_edit
from hullguard.server.protocol import EditBuilder, EditSupport, Positions, minimal_edit, text_edits
from hullguard.server.workspace import Settings
from hullguard.text import Position, SourceText, Span


@pytest.mark.parametrize(("encoding", "column"), [("utf-16", 7), ("utf-8", 10), ("utf-32", 6)])
def test_positions_round_trip_in_each_encoding(encoding, column):
    source = SourceText("FROM x\nRUN 😀é x\n")
    positions = Positions(source, encoding)
    assert positions.to_client(Position(1, 6)) == types.Position(1, column)  # the blank after "😀é"
    assert positions.from_client(types.Position(1, column)) == Position(1, 6)
    assert positions.from_client(types.Position(1, 999)) == Position(1, len("RUN 😀é x"))  # clamped to the line
    assert positions.from_client(types.Position(40, 3)) == Position(2, 0)  # past the end: the end


def test_a_bom_the_client_sent_shifts_line_zero():
    source = SourceText("FROM x\n", has_bom=True)
    assert Positions(source, "utf-16").to_client(Position(0, 5)) == types.Position(0, 6)
    assert Positions(source, "utf-8").from_client(types.Position(0, 8)) == Position(0, 5)  # the BOM is 3 bytes


def test_edits_keep_crlf():
    source = SourceText("FROM x\r\nUSER root\r\n")
    positions = Positions(source, "utf-16")
    [edit] = text_edits([TextEdit(Span.on_line(1, 0, 0), "# a\nUSER app\n")], positions)
    assert edit.new_text == "# a\r\nUSER app\r\n"
    old, new = "a\r\nb\r\nc\r\n", "a\r\nB\r\nX\r\nc\r\n"
    whole_lines = minimal_edit(old, new, Positions(SourceText(old), "utf-16"))
    assert whole_lines.range == types.Range(types.Position(1, 0), types.Position(2, 0))  # never inside a CRLF
    assert whole_lines.new_text == "B\r\nX\r\n"
    assert minimal_edit(old, old, Positions(SourceText(old), "utf-16")) is None


def test_edit_support_from_capabilities():
    neovim = types.ClientCapabilities(workspace=types.WorkspaceClientCapabilities(workspace_edit=types.WorkspaceEditClientCapabilities(resource_operations=[types.ResourceOperationKind.Create])))
    assert EditSupport.of(neovim) == EditSupport(True, True)  # resource operations imply documentChanges
    plain = types.ClientCapabilities(workspace=types.WorkspaceClientCapabilities(workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True)))
    assert EditSupport.of(plain) == EditSupport(True, False)
    assert EditSupport.of(types.ClientCapabilities()) == EditSupport(False, False)


def _yaml(text: str):
    return load_document("/w/manifest.yaml", text, Format.KUBERNETES)


def finding_on(line: int) -> Finding:
    return Finding("HG999", "test", Severity.WARNING, "m", Span.on_line(line, 6, 9))


def test_disable_line_in_a_block_scalar_goes_before_its_key():
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  script: |\n    echo one\n      echo two\n"
    document = _yaml(text)
    edit = disable_line_edit(document, finding_on(7))
    assert edit.span.start == Position(5, 0) and edit.new_text == "  # hullguard: ignore[HG999]\n"


def test_disable_file_at_the_top_of_yaml_and_after_dockerfile_directives():
    assert disable_file_edit(_yaml("apiVersion: v1\nkind: Pod\n"), "HG404").span.start == Position(0, 0)
    dockerfile = load_document("/w/Dockerfile", "# syntax=docker/dockerfile:1\nFROM x\n", Format.DOCKERFILE)
    assert disable_file_edit(dockerfile, "HG101").span.start == Position(1, 0)
    extended = load_document("/w/Dockerfile", "# hullguard: ignore-file[HG202]\nFROM x\n", Format.DOCKERFILE)
    edit = disable_file_edit(extended, "HG101")
    assert (edit.span.start, edit.new_text) == (Position(0, len("# hullguard: ignore-file[HG202")), ", HG101")


def test_settings_parse_and_report_problems():
    settings, problems = Settings.parse({"select": "HG1, HG404", "ignore": ["HG999X"], "unsafeFixes": True, "run": "sometimes", "colour": 1})
    assert settings == Settings(select=("HG1", "HG404"), ignore=(), unsafe_fixes=True)
    assert len(problems) == 3  # an unknown code, a bad run mode, an unknown setting


def test_file_creation_without_create_file_support_is_a_plain_edit():
    def built(support):
        builder = EditBuilder(support)
        builder.create("file:///w/.dockerignore", ".git\n")
        return builder.build()

    created = built(EditSupport(True, True)).document_changes
    assert isinstance(created[0], types.CreateFile) and created[1].edits[0].new_text == ".git\n"
    versioned = built(EditSupport(True, False)).document_changes  # Emacs: documentChanges, no create
    assert [type(change) for change in versioned] == [types.TextDocumentEdit]
    plain = built(EditSupport(False, False))
    assert plain.document_changes is None and plain.changes["file:///w/.dockerignore"][0].new_text == ".git\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8", "utf-32"])
def test_text_buffer_applies_changes_as_pygls_does(encoding):
    # pygls' own document (rebuilt line by line on each change) is the reference, for
    # positions inside the text (past a line's end, pygls does not clamp as the protocol says).
    import random

    from pygls.workspace import TextDocument
    from pygls.workspace.position_codec import PositionCodec

    from hullguard.server.protocol import TextBuffer, _units

    rng = random.Random(7)
    pieces = ["a", "é", "😀", " ", "\n", "\r\n", "key: value", "RUN x \\\n"]
    text = "FROM x\r\nRUN 😀é\n\nlast"
    buffer = TextBuffer(text)
    reference = TextDocument("file:///f", text, position_codec=PositionCodec(encoding))

    def position():
        lines = reference.source.split("\n")
        line = rng.randrange(len(lines))
        content = lines[line].removesuffix("\r")
        return types.Position(line, _units(content[: rng.randrange(len(content) + 1)], encoding))

    for _ in range(400):
        start, end = sorted((position(), position()), key=lambda p: (p.line, p.character))
        inserted = "".join(rng.choice(pieces) for _ in range(rng.randrange(4)))
        change = types.TextDocumentContentChangePartial(range=types.Range(start, end), text=inserted)
        if rng.random() < 0.02:
            change = types.TextDocumentContentChangeWholeDocument(text=inserted)
        buffer.apply(change, encoding)
        reference.apply_change(change)
        assert buffer.text == reference.source


def test_text_buffer_clamps_positions_past_a_line_or_the_text():
    from hullguard.server.protocol import TextBuffer

    buffer = TextBuffer("ab\r\nlast")
    change = types.TextDocumentContentChangePartial(range=types.Range(types.Position(0, 9), types.Position(1, 10)), text="!")
    buffer.apply(change, "utf-16")
    assert buffer.text == "ab!"  # from the end of line 0 (before its CR LF) to the end of line 1
    buffer.apply(types.TextDocumentContentChangePartial(range=types.Range(types.Position(5, 0), types.Position(6, 0)), text="\nend"), "utf-16")
    assert buffer.text == "ab!\nend"  # past the last line: at the end of the text
    buffer.apply(types.TextDocumentContentChangePartial(range=types.Range(types.Position(1, 0), types.Position(1, 1)), text="E"), "utf-16")
    assert buffer.text == "ab!\nEnd"


@pytest.mark.parametrize("version", [7, None])
def test_a_publication_is_what_the_protocol_converter_would_send(version):
    import json

    from pygls.protocol import default_converter

    from hullguard.config import Config
    from hullguard.engine import lint_document
    from hullguard.server.protocol import diagnostics, error_diagnostic, failure_diagnostic, publication

    document = load_document("Dockerfile", 'FROM nginx:latest\nENV NOTE="é \\" 😀"\nRUN curl -k https://x | sh\n', Format.DOCKERFILE)
    result = lint_document(document, Config(select=("ALL",)))
    found = diagnostics(result, Positions(document.source, "utf-16"))
    found += [failure_diagnostic("HG101 (run-as-root): ValueError: boom"), error_diagnostic("a config problem")]
    assert len(found) > 5
    for _ in range(2):  # made, then taken from the cache
        sent = json.loads(publication("file:///w/Dock%20erfile", found, version))
        expected = default_converter().unstructure(types.PublishDiagnosticsParams(uri="file:///w/Dock%20erfile", diagnostics=found, version=version))
        assert sent == expected
        found = diagnostics(result, Positions(document.source, "utf-16")) + found[-2:]
