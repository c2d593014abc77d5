"""Building and applying minimal text edits.

Rules build edits with ``\\n`` line endings; ``apply_edits`` writes them in the file's own
line-ending style, so a CRLF file stays CRLF.
"""
from __future__ import annotations

from hullguard.model import TextEdit
from hullguard.text import Position, SourceText, Span


def replace(span: Span, new_text: str) -> TextEdit:
    return TextEdit(span, new_text)


def insert_at(position: Position, new_text: str) -> TextEdit:
    return TextEdit(Span(position, position), new_text)


def insert_line_after(source: SourceText, line: int, text: str) -> TextEdit:
    """Insert ``text`` as a new line after ``line``; works on a last line with no newline."""
    if line + 1 < source.line_count:  # the line has a line ending after it
        return insert_at(Position(line + 1, 0), text + "\n")
    return insert_at(Position(line, len(source.line(line))), "\n" + text)


def ends_with_continuation(line: str, escape: str) -> bool:
    """Whether BuildKit joins the next line onto ``line`` (it ends with the escape character
    and optional blanks): a line inserted after it would become part of its instruction."""
    return line.rstrip(" \t").endswith(escape)


def insert_line_before(line: int, text: str) -> TextEdit:
    return insert_at(Position(line, 0), text + "\n")


def leading_whitespace(text: str) -> str:
    return text[: len(text) - len(text.lstrip(" \t"))]


def edits_overlap(first: TextEdit, second: TextEdit) -> bool:
    a_start, a_end = first.span.start, first.span.end
    b_start, b_end = second.span.start, second.span.end
    if a_start == a_end == b_start == b_end:
        return True  # two insertions at one point: their order would be arbitrary
    return a_start < b_end and b_start < a_end


def apply_edits(source: SourceText, edits: list[TextEdit]) -> str:
    """Apply non-overlapping edits to the source text (callers guarantee no overlap)."""
    text = source.text
    for edit in sorted(edits, key=lambda e: (source.offset(e.span.start), source.offset(e.span.end)), reverse=True):
        new_text = edit.new_text.replace("\n", source.newline) if source.newline != "\n" else edit.new_text
        text = text[: source.offset(edit.span.start)] + new_text + text[source.offset(edit.span.end) :]
    return text
