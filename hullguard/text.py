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
        # Lines known to start at offsets, (line, offset) from (0, 0) on (see mark_line_starts).
        self._known: list[tuple[int, int]] | None = None
        self._known_lines: list[int] = []
        self._known_offsets: list[int] = []
        self._starts_after: dict[int, list[int]] = {}  # the line starts from each known line to the next

    # Worked out when first asked for: the language server makes a SourceText of a 2 MB
    # stream on every keystroke, and most lints need none of them.

    @cached_property
    def _pieces(self) -> list[str]:
        return self.text.split("\n")

    @cached_property
    def lines(self) -> list[str]:
        """Each line without its line ending ("\n", and any "\r" before it)."""
        return [line.rstrip("\r") for line in self._pieces] if "\r" in self.text else self._pieces

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

    def mark_line_starts(self, known: list[tuple[int, int]]) -> None:
        """Tell where some lines start, ``[(line, offset), ...]`` ascending from ``(0, 0)``:
        the documents of a YAML stream. Until every line's start or text is needed,
        ``line``, ``offset`` and ``position`` then index only the part of the text they look
        into (an edit of a 2 MB stream re-checks one document, not 34,000 lines)."""
        if "line_starts" not in self.__dict__ and "lines" not in self.__dict__:
            self._known = known
            self._known_lines = [line for line, _ in known]
            self._known_offsets = [offset for _, offset in known]

    def _starts_from(self, index: int) -> list[int]:
        """The start offsets of the lines from known line ``index`` to the next one (included)."""
        starts = self._starts_after.get(index)
        if starts is None:
            begin = self._known_offsets[index]
            end = self._known_offsets[index + 1] if index + 1 < len(self._known_offsets) else len(self.text)
            pieces = self.text[begin:end].split("\n")
            starts = self._starts_after[index] = [begin, *map(add, accumulate(map(len, pieces[:-1])), count(begin + 1))]
        return starts

    def _line_start(self, number: int) -> int:
        if self._known is None or number < 0 or "line_starts" in self.__dict__:
            return self.line_starts[number]
        index = bisect.bisect_right(self._known_lines, number) - 1
        return self._starts_from(index)[number - self._known_lines[index]]  # IndexError past the end, as line_starts

    @cached_property
    def line_count(self) -> int:
        if self._known is not None:
            last_line, last_offset = self._known[-1]
            return last_line + self.text.count("\n", last_offset) + 1
        return self.text.count("\n") + 1

    def line(self, number: int) -> str:
        """The line's text without its line ending."""
        if self._known is None or number < 0 or "lines" in self.__dict__:
            return self.lines[number]
        start = self._line_start(number)
        end = self.text.find("\n", start)
        return (self.text[start:] if end < 0 else self.text[start:end]).rstrip("\r")

    def offset(self, position: Position) -> int:
        return self._line_start(position.line) + position.column

    def position(self, offset: int) -> Position:
        if self._known is None or offset < 0 or "line_starts" in self.__dict__:
            line = bisect.bisect_right(self.line_starts, offset) - 1
            return Position(line, offset - self.line_starts[line])
        index = max(bisect.bisect_right(self._known_offsets, offset) - 1, 0)
        starts = self._starts_from(index)
        local = bisect.bisect_right(starts, offset) - 1
        return Position(self._known_lines[index] + local, offset - starts[local])

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
