"""Source text with exact positions.

Positions are 0-based (line, column) pairs where the column counts Unicode code points
within the line. Front ends convert at the edges: the CLI prints 1-based columns, the
language server converts to the client's negotiated encoding.
"""
from __future__ import annotations

import bisect
from functools import cached_property
from itertools import accumulate, count
from operator import add
from typing import NamedTuple

BOM = "\ufeff"


class Position(NamedTuple):
    """A tuple, so that it orders by (line, column) and is cheap to make: a YAML stream
    makes hundreds of thousands."""

    line: int
    column: int


class Span(NamedTuple):
    start: Position
    end: Position

    @classmethod
    def of(cls, line: int, start_col: int, end_line: int, end_col: int) -> "Span":
        return cls(Position(line, start_col), Position(end_line, end_col))

    @classmethod
    def on_line(cls, line: int, start_col: int, end_col: int) -> "Span":
        return cls(Position(line, start_col), Position(line, end_col))

    def moved(self, lines: int) -> "Span":
        """The same span ``lines`` lines further down (up, when negative)."""
        start, end = self
        return Span(Position(start[0] + lines, start[1]), Position(end[0] + lines, end[1]))


class DecodeError(ValueError):
    """The bytes of a file are not text hullguard can lint."""


class SourceText:
    """The text of one file, decoded, with its line structure and original conventions.

    ``text`` never holds the BOM; ``newline`` is the file's dominant line ending, so
    fixes can write new lines the way the file already does.
    """

    def __init__(self, text: str, *, has_bom: bool = False):
        self.has_bom = has_bom
        self.text = text
        self._pieces = text.split("\n")
        # Each line without its line ending ("\n", and any "\r" before it).
        self.lines = [line.rstrip("\r") for line in self._pieces] if "\r" in text else self._pieces

    # Worked out when first asked for: the language server makes a SourceText of a 2 MB
    # stream on every keystroke, and most lints need neither.

    @cached_property
    def line_starts(self) -> list[int]:
        # Line i starts after the lines before it and their i "\n"s (no Python-level loop: a
        # large YAML stream has hundreds of thousands of lines).
        return [0, *map(add, accumulate(map(len, self._pieces[:-1])), count(1))]

    @cached_property
    def newline(self) -> str:
        crlf = self.text.count("\r\n")
        return "\r\n" if crlf and crlf * 2 >= self.text.count("\n") else "\n"

    @classmethod
    def from_bytes(cls, data: bytes) -> "SourceText":
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise DecodeError("UTF-16 text: save the file as UTF-8")
        if b"\x00" in data[:8192]:
            raise DecodeError("binary file (contains NUL bytes)")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise DecodeError(f"not valid UTF-8 (byte {error.start})") from None
        has_bom = text.startswith(BOM)
        return cls(text[1:] if has_bom else text, has_bom=has_bom)

    def to_bytes(self) -> bytes:
        return ((BOM if self.has_bom else "") + self.text).encode("utf-8")

    @property
    def line_count(self) -> int:
        return len(self.lines)

    def line(self, number: int) -> str:
        """The line's text without its line ending."""
        return self.lines[number]

    def offset(self, position: Position) -> int:
        return self.line_starts[position.line] + position.column

    def position(self, offset: int) -> Position:
        line = bisect.bisect_right(self.line_starts, offset) - 1
        return Position(line, offset - self.line_starts[line])

    def slice(self, span: Span) -> str:
        return self.text[self.offset(span.start) : self.offset(span.end)]

    def line_span(self, number: int) -> Span:
        return Span.on_line(number, 0, len(self.line(number)))

    @property
    def ends_with_newline(self) -> bool:
        return self.text.endswith("\n")


def utf16_column(line_text: str, column: int) -> int:
    """Convert a code-point column to UTF-16 code units (the LSP default encoding)."""
    prefix = line_text[:column]
    return column if prefix.isascii() else len(prefix.encode("utf-16-le", "surrogatepass")) // 2
