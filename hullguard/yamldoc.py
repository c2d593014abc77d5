"""The YAML document model for compose files and Kubernetes manifests.

Three steps, each cheap enough to skip the next when it is not needed:

1. ``split_documents`` cuts a stream into documents *textually*, at ``---`` and ``...``
   markers in column 0 (the YAML spec forbids them in column 0 inside a document's content,
   block scalars included, so this is exact); each document keeps its text, its first line
   in the file and a hash of its text, so a multi-document stream can be cached per document.
2. ``peek_kind`` and ``looks_like_compose`` read the top-level keys in column 0 with a regular
   expression, without parsing: a 300 KB CustomResourceDefinition that no rule needs is never
   composed.
3. ``compose_document`` builds a tree (never changed once built; plain slotted classes, as it is cheaper to make hundreds of thousands of them) of ``YamlMapping`` / ``YamlSequence`` /
   ``YamlScalar`` nodes, each with an exact ``Span`` in the file (0-based line, column in code
   points). Nodes are composed from PyYAML's *event* stream (``yaml.parse`` machinery) by an
   iterative composer of our own, never constructed into Python objects: custom tags
   (``!Ref``, ``!!value``, a plain ``=``) are kept on the node and cannot fail. PyYAML's own
   ``yaml.compose`` is not used because its C composer recurses without a guard and crashes
   the interpreter on a document nested ~100,000 levels deep (a 200 KB file of ``[``); ours
   refuses anything deeper than ``max_depth`` with a YamlError.

Errors are ``YamlError(message, span)``, never a crash:

- a template (``{{ … }}``, ``{% … %}``) where YAML would start a node is reported before
  parsing (``{{`` inside a quoted string, a block scalar, a comment or the middle of a plain
  scalar, such as a Prometheus alert's ``description: pod {{ $labels.pod }} is down``, is
  plain YAML text and is left alone);
- alias expansion is counted while composing (an alias adds the size of the node it names),
  so a "billion laughs" document is refused after ``max_nodes`` nodes, at once;
- syntax errors carry libyaml's wording and position whichever loader ran (see below).

Both loaders give the same results. The C loader (libyaml) is the default when PyYAML has
it; ``loader="python"`` selects the pure-Python one. Out of the box they disagree on tabs:
PyYAML's scanner rejects every tab outside quoted scalars, so a file with trailing tabs
fails there and loads with libyaml. YAML 1.1 and 1.2 agree with libyaml: a tab is white
space between tokens (``key: value<TAB>``, ``key:<TAB>value``, before a comment, inside a
flow collection or a plain scalar), and indentation is spaces only. So the pure-Python
scanner is patched to libyaml's rules (``_LibyamlTabScanner``), including the few places
where libyaml is stricter than YAML 1.2 and refuses a tab that YAML 1.2 would take as
separation: right after ``-``/``?`` in block context, at the start of a comment line, or on
a white-space-only line inside a multi-line plain scalar; tools built on libyaml or its Go
port refuse those files too. The pure loader's error wording is translated to libyaml's.
Duplicate keys are kept (both entries, in order) and listed on the ``YamlDocument``;
``YamlMapping.get`` returns the last one, as PyYAML and JSON-minded consumers do. An anchor
may be redefined (YAML 1.2; the alias takes the latest one).
"""
from __future__ import annotations

import functools
import hashlib
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Union

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode
from yaml.scanner import ScannerError

from hullguard.text import Position, SourceText, Span

MAX_BYTES = 5 * 1024 * 1024
MAX_NODES = 100_000
MAX_DEPTH = 200  # the deepest document in the corpus nests 38 levels

NULL_TAG = "tag:yaml.org,2002:null"
MERGE_TAG = "tag:yaml.org,2002:merge"
SEQ_TAG = "tag:yaml.org,2002:seq"
MAP_TAG = "tag:yaml.org,2002:map"

HAS_LIBYAML = bool(getattr(yaml, "__with_libyaml__", False))
LOADERS = ("c", "python") if HAS_LIBYAML else ("python",)
DEFAULT_LOADER = LOADERS[0]

# The Compose specification's top-level keys ("models" since 2025), besides "x-" extensions.
COMPOSE_TOP_LEVEL_KEYS = frozenset({"version", "name", "services", "networks", "volumes", "configs", "secrets", "include", "models"})


class YamlError(ValueError):
    """The YAML cannot be linted; ``span`` says where, if known."""

    def __init__(self, message: str, span: Span | None = None):
        super().__init__(message)
        self.span = span


# --- 1. the textual split ----------------------------------------------------------------


@dataclass(frozen=True)
class YamlDocumentText:
    """One document of a stream, as text: from its first line (a directive, a comment or its
    ``---``) to the line before the next document, line endings kept."""

    text: str
    index: int  # its place in the stream, 0-based
    first_line: int  # the file line where ``text`` starts
    offset: int  # the file offset (code points) where ``text`` starts
    content_hash: str
    empty: bool  # no content: a bare ``---`` (YAML reads it as a null document)


def _is_marker(line: str, marker: str) -> bool:
    return line.startswith(marker) and line[3:4] in ("", " ", "\t")


class _LineStartPattern:
    """A pattern matched at line starts only, found fast: ``re`` tries a ``^`` pattern at
    every character, but jumps from one newline to the next to find ``\n`` (so does
    ``\n(?=...)``). A pattern here must match within one line, so matches cannot overlap."""

    def __init__(self, pattern: str):
        self.pattern = re.compile("^(?:" + pattern + ")", re.MULTILINE)
        self._after_newline = re.compile("\n(?=" + pattern + ")", re.MULTILINE)

    def finditer(self, text: str):
        """The matches, in order, as ``pattern.finditer`` would find them."""
        match = self.pattern.match(text)
        if match is not None:
            yield match
        for newline in self._after_newline.finditer(text):
            yield self.pattern.match(text, newline.end())


# A line starting with "---" or "..." (and a blank or its end), or with "%" (a directive).
_BOUNDARY = _LineStartPattern(r"(---|\.\.\.)(?=[ \t\r\n]|\Z)(.*)|%")
_CONTENT_LINE = re.compile(r"^[ \t]*[^ \t\r\n#]", re.MULTILINE)


def split_documents(source: SourceText, *, max_bytes: int | None = MAX_BYTES) -> list[YamlDocumentText]:
    """Cut a YAML stream into its documents at column-0 markers, without parsing.

    A document ends before a ``---``, after a ``...``, and before a ``%`` directive line
    (libyaml and PyYAML end a document there). Leading comments and directives go with the
    document they precede; comments after the last document stay with it. A stream holding
    no document gives an empty list.
    """
    if max_bytes is not None:  # None: the caller checked the size
        size = len(source.text.encode("utf-8", "surrogatepass"))
        if size > max_bytes:
            raise YamlError(f"file too large to lint: {size:,} bytes, the limit is {max_bytes:,}")
    text = source.text
    pieces: list[tuple[int, int, bool]] = []  # (start offset, end offset, has content)
    start = 0  # where the piece being read starts
    scanned = 0  # the text before this offset has been classified
    opened = False  # the piece holds a document: a "---" or content was seen
    has_content = False
    directive = False  # the piece, not yet opened, has a directive
    for boundary in _BOUNDARY.finditer(text):
        if not has_content:
            has_content = _CONTENT_LINE.search(text, scanned, boundary.start()) is not None
            opened = opened or has_content
        line_end = text.find("\n", boundary.start())
        next_line = len(text) if line_end < 0 else line_end + 1
        marker = boundary.group(1)
        if marker == "---":
            if opened:
                pieces.append((start, boundary.start(), has_content))
                start = boundary.start()
            rest = boundary.group(2).strip()
            opened, has_content = True, bool(rest) and not rest.startswith("#")
        elif marker == "...":
            if opened:
                pieces.append((start, next_line, has_content))
                start, opened, has_content = next_line, False, False
        else:
            if opened:
                pieces.append((start, boundary.start(), has_content))
                start, opened, has_content = boundary.start(), False, False
            directive = True
        directive = directive and not opened
        scanned = next_line
    if not has_content:
        has_content = _CONTENT_LINE.search(text, scanned) is not None
        opened = opened or has_content
    if opened or directive:  # directives and no document: the parser will say so
        pieces.append((start, len(text), has_content))
    elif pieces:  # trailing comments or a stray "...": they stay with the last document
        pieces[-1] = (pieces[-1][0], len(text), pieces[-1][2])
    documents = []
    line = previous = 0
    for index, (begin, end, content) in enumerate(pieces):
        piece = text[begin:end]
        line += text.count("\n", previous, begin)  # the line numbers of the pieces only, not of every line
        previous = begin
        # SHA-256 has hardware support here: a third of BLAKE2b's time for a 2 MB stream.
        digest = hashlib.sha256(piece.encode("utf-8", "surrogatepass")).hexdigest()
        documents.append(YamlDocumentText(piece, index, line, begin, digest, not content))
    # Where documents start at a line start (a stray "..." at the very end makes an empty one that does not).
    source.mark_line_starts([(0, 0)] + [(doc.first_line, doc.offset) for doc in documents if doc.offset > 0 and text[doc.offset - 1] == "\n"])
    return documents


# --- 2. peeking at top-level keys ----------------------------------------------------------

_VALUE = r"""[ \t]*:[ \t]+(?:"([^"\\\r\n]*)"|'([^'\r\n]*)'|([^\s#'"&*!|>{}\[\],%@`][^\r\n#]*?))[ \t]*(?:\#[^\r\n]*)?\r?$"""
_API_VERSION = _LineStartPattern(r"""(?:apiVersion|"apiVersion"|'apiVersion')""" + _VALUE)
_KIND = _LineStartPattern(r"""(?:kind|"kind"|'kind')""" + _VALUE)
_TOP_LEVEL_KEY = _LineStartPattern(
    r"""(?:"([^"\\\r\n]*)"|'([^'\r\n]*)'|((?![-?:][ \t\r\n])[^\s#'"&*!|>{}\[\],%@`][^\r\n]*?))[ \t]*:(?:[ \t]|\r?$)"""
)


def _last_value(pattern: _LineStartPattern, text: str) -> str | None:
    value = None
    for match in pattern.finditer(text):  # the last one wins, as in YamlMapping.get
        value = next(group for group in match.groups() if group is not None)
    return value


def peek_kind(doc_text: str) -> tuple[str, str] | None:
    """(apiVersion, kind) from the document's top-level block keys, or None if it lacks either.

    A regular expression over lines starting in column 0; a document written in flow style
    (``{"kind": …}``, JSON) is not recognised.
    """
    kind = _last_value(_KIND, doc_text)
    if kind is None:
        return None
    api_version = _last_value(_API_VERSION, doc_text)
    return None if api_version is None else (api_version, kind)


_PEEKED: OrderedDict[str, tuple[str, str] | None] = OrderedDict()


def peek_document_kind(doc: YamlDocumentText) -> tuple[str, str] | None:
    """``peek_kind`` of a document of ``split_documents``, remembered by its text: the
    language server peeks every document of a stream on every keystroke."""
    if doc.content_hash in _PEEKED:
        _PEEKED.move_to_end(doc.content_hash)
        return _PEEKED[doc.content_hash]
    peeked = _PEEKED[doc.content_hash] = peek_kind(doc.text)
    if len(_PEEKED) > PEEKED_KEPT:
        _PEEKED.popitem(last=False)
    return peeked


PEEKED_KEPT = 8192


def looks_like_compose(doc_text: str) -> bool:
    """A top-level ``services:`` key and no top-level key a compose file cannot have."""
    keys = {next(group for group in match.groups() if group is not None) for match in _TOP_LEVEL_KEY.finditer(doc_text)}
    return "services" in keys and all(key in COMPOSE_TOP_LEVEL_KEYS or key.startswith("x-") for key in keys)


# --- 3. the node tree ----------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class YamlScalar:
    """A node compares and hashes by identity: an alias shares the node it names, and a tree
    can be large."""

    value: str
    tag: str  # resolved (YAML 1.1 rules, as PyYAML): "tag:yaml.org,2002:str", "…:int", or as written ("!Ref")
    style: str | None  # None (plain), "'", '"', "|" or ">"
    span: Span  # quotes included; a block scalar from its "|" to the end of its last line

    @property
    def quoted(self) -> bool:
        return self.style in ("'", '"')

    @property
    def is_null(self) -> bool:
        """``~``, ``null``, or nothing at all (``key:``)."""
        return self.tag == NULL_TAG

    def sub_span(self, start: int, end: int) -> Span | None:
        """The source span of ``value[start:end]``, when the scalar is written on one line
        with no escapes or folding (so value offsets map one to one); None otherwise."""
        quotes = 2 if self.quoted else 0
        if self.span.start.line != self.span.end.line:
            return None
        if self.span.end.column - self.span.start.column != len(self.value) + quotes:
            return None
        column = self.span.start.column + quotes // 2
        return Span.on_line(self.span.start.line, column + start, column + end)


@dataclass(slots=True, eq=False)
class YamlSequence:
    items: tuple["YamlNode", ...]
    tag: str
    flow: bool
    span: Span


@dataclass(slots=True, eq=False)
class YamlMapping:
    """Entries in source order, duplicates included; ``<<`` merge keys are kept as entries
    and followed by ``get`` and ``effective_pairs``."""

    pairs: tuple[tuple["YamlNode", "YamlNode"], ...]
    tag: str
    flow: bool
    span: Span
    # Built on the first ``get_pair``, as rules look up many keys of the same mapping: its
    # scalar keys' entries (the last one of each), and whether it has ``<<`` merge keys.
    _index: tuple[dict[str, tuple["YamlNode", "YamlNode"]], bool] | None = field(default=None, init=False, repr=False)

    def get_pair(self, key: str) -> tuple["YamlNode", "YamlNode"] | None:
        """The (key node, value node) entry for ``key``: the last one written in this mapping,
        else the one a ``<<`` merge brings in (a later ``<<`` key wins; within one, the first
        mapping of its sequence wins, as in the YAML merge-key spec)."""
        index = self._index
        if index is None:
            index = self._index = self._build_index()
        pair = index[0].get(key)
        if pair is not None or not index[1]:
            return pair
        for source in self._merged_mappings():
            pair = source.get_pair(key)
            if pair is not None:
                return pair
        return None

    def _build_index(self) -> tuple[dict[str, tuple["YamlNode", "YamlNode"]], bool]:
        entries = {}
        merges = False
        for pair in self.pairs:
            node = pair[0]
            if isinstance(node, YamlScalar):
                if node.tag == MERGE_TAG:
                    merges = True
                else:
                    entries[node.value] = pair
        return entries, merges

    def get(self, key: str) -> "YamlNode | None":
        pair = self.get_pair(key)
        return None if pair is None else pair[1]

    def effective_pairs(self) -> list[tuple["YamlNode", "YamlNode"]]:
        """Each key once, with the entry ``get_pair`` picks: this mapping's own keys in order,
        then the keys only merges bring in."""
        result: dict[object, tuple[YamlNode, YamlNode]] = {}
        for pair in self.pairs:
            node = pair[0]
            if not (isinstance(node, YamlScalar) and node.tag == MERGE_TAG):
                result[_key_identity(node)] = pair
        for source in self._merged_mappings():
            for pair in source.effective_pairs():
                result.setdefault(_key_identity(pair[0]), pair)
        return list(result.values())

    def _merged_mappings(self) -> list["YamlMapping"]:
        merged: list[YamlMapping] = []
        for node, value in reversed(self.pairs):
            if isinstance(node, YamlScalar) and node.tag == MERGE_TAG:
                values = value.items if isinstance(value, YamlSequence) else (value,)
                merged.extend(item for item in values if isinstance(item, YamlMapping))
        return merged


YamlNode = Union[YamlMapping, YamlSequence, YamlScalar]


def _key_identity(node: YamlNode) -> object:
    return (node.tag, node.value) if isinstance(node, YamlScalar) else id(node)


@dataclass(frozen=True)
class DuplicateKey:
    key: str
    span: Span  # the later occurrence
    first_span: Span


@dataclass(frozen=True)
class YamlDocument:
    text: YamlDocumentText
    root: YamlNode | None  # None when the text holds no document at all
    duplicate_keys: tuple[DuplicateKey, ...]


# --- templates -----------------------------------------------------------------------------

_TEMPLATE_CLOSINGS = {"{{": "}}", "{%": "%}", "{#": "#}"}
_TEMPLATE_OPENINGS = tuple(_TEMPLATE_CLOSINGS)


def _quote_end(line: str, index: int, quote: str) -> int:
    """The index of the quote closing a scalar whose text goes on at ``index``, or -1."""
    while index < len(line):
        char = line[index]
        if char == "\\" and quote == '"':
            index += 2
            continue
        if char == quote:
            if quote == "'" and line.startswith("'", index + 1):
                index += 2
                continue
            return index
        index += 1
    return -1


def _find_template(text: str) -> tuple[int, int, int] | None:
    """(line, start column, end column) of the first template expression standing where YAML
    would start a node: at the start of a line, after ``key:``, ``-``, ``[``, ``{`` or ``,``.

    A light lexer follows quoted scalars across lines, skips block scalars (lines indented
    more than the key or ``-`` that owns the ``|``/``>``) and comments.
    """
    if not any(opening in text for opening in _TEMPLATE_OPENINGS):
        return None
    block_parent: int | None = None  # inside a block scalar: its lines are indented more
    quote = ""  # a quoted scalar still open at the end of the previous line
    flow = 0
    for number, line in enumerate(text.split("\n")):
        line = line.rstrip("\r")
        content = line.lstrip(" \t")
        indent = len(line) - len(content)
        if block_parent is not None:
            if not content or indent > block_parent:
                continue
            block_parent = None
        column = 0 if quote else indent
        owner = key_start = indent  # the column of the key or "-" that owns what follows
        at_node = not quote  # a node may start here
        if not quote and (_is_marker(line, "---") or _is_marker(line, "...")):
            flow = 0
            if line.startswith("..."):
                continue
            column, owner = 3, -1
        while column < len(line):
            char = line[column]
            if quote:
                end = _quote_end(line, column, quote)
                if end < 0:
                    break
                quote, column = "", end + 1
                continue
            if char in " \t":
                column += 1
                continue
            if char == "#" and (column == 0 or line[column - 1] in " \t"):
                break
            separated = line[column + 1 : column + 2] in ("", " ", "\t") or (flow > 0 and line[column + 1 : column + 2] in ",[]{}")
            if at_node:
                if line.startswith(_TEMPLATE_OPENINGS, column):
                    closing = line.find(_TEMPLATE_CLOSINGS[line[column : column + 2]], column + 2)
                    return number, column, closing + 2 if closing >= 0 else column + 2
                if char in "'\"":
                    quote, key_start, at_node = char, column, False
                    column += 1
                    continue
                if char in "|>" and not flow:
                    block_parent = indent - 1 if column == indent else owner
                    break
                if char in "[{":
                    flow += 1
                elif char in "&!":  # an anchor or a tag: the node follows
                    while column + 1 < len(line) and line[column + 1] not in " \t":
                        column += 1
                elif char in "-?" and separated:
                    owner = column
                elif not (char == ":" and separated):
                    at_node, key_start = False, column  # a plain scalar or an alias
                column += 1
                continue
            if char == ":" and separated:
                at_node, owner = True, key_start
            elif flow and char == ",":
                at_node = True
            elif flow and char in "]}":
                flow -= 1
            column += 1
    return None


# --- composing -----------------------------------------------------------------------------

_BREAKZ = "\0\r\n\x85\u2028\u2029"
_BREAKS = "\r\n\x85\u2028\u2029"


class _LibyamlTabScanner(yaml.scanner.Scanner):
    """PyYAML's scanner with libyaml's rules for tabs (see the module docstring)."""

    def scan_to_next_token(self):
        # A tab separates tokens in a flow collection, and where no simple key may start
        # (after a scalar, ":" or "---"); elsewhere it would be indentation and stays, so the
        # next token fails on it, as in libyaml.
        if self.index == 0 and self.peek() == "\ufeff":
            self.forward()
        while True:
            while self.peek() == " " or (self.peek() == "\t" and (self.flow_level or not self.allow_simple_key)):
                self.forward()
            if self.peek() == "#":
                while self.peek() not in _BREAKZ:
                    self.forward()
            if not self.scan_line_break():
                return
            if not self.flow_level:
                self.allow_simple_key = True

    def scan_plain_spaces(self, indent, start_mark):
        # The white space after a chunk of a plain scalar: spaces and tabs on the line, then
        # line breaks and the next line's indentation, where a tab is an error. Returns the
        # folded text, or None at a document marker (the scalar ends).
        length = 0
        while self.peek(length) in " \t":
            length += 1
        blanks = self.prefix(length)
        self.forward(length)
        if self.peek() not in _BREAKS:
            return [blanks] if blanks else []
        first_break = self.scan_line_break()
        self.allow_simple_key = True
        more_breaks = []
        while True:
            if self.column == 0 and self.prefix(3) in ("---", "...") and self.peek(3) in _BREAKZ + " \t":
                return None
            char = self.peek()
            if char == "\t" and self.column < indent:
                raise ScannerError("while scanning a plain scalar", start_mark, "found a tab character that violates indentation", self.get_mark())
            if char in " \t":
                self.forward()
            elif char in _BREAKS:
                more_breaks.append(self.scan_line_break())
            else:
                break
        if first_break != "\n":
            folded = [first_break]
        else:
            folded = [] if more_breaks else [" "]
        return folded + more_breaks

    def scan_block_scalar_indicators(self, start_mark):
        # "|" or ">" then a chomping indicator and an indentation digit, in either order.
        chomping = increment = None
        while True:
            char = self.peek()
            if char in "+-" and chomping is None:
                chomping = char == "+"
            elif char in "0123456789" and increment is None:
                if char == "0":
                    raise ScannerError("while scanning a block scalar", start_mark, "expected indentation indicator in the range 1-9, but found 0", self.get_mark())
                increment = int(char)
            else:
                break
            self.forward()
        if self.peek() not in _BREAKZ + " \t":
            raise ScannerError("while scanning a block scalar", start_mark, f"expected chomping or indentation indicators, but found {self.peek()!r}", self.get_mark())
        return chomping, increment

    def scan_block_scalar_indentation(self):
        # Finding a block scalar's indentation: libyaml refuses a tab after the leading spaces.
        found = super().scan_block_scalar_indentation()
        self._refuse_tab_in_indentation(None)
        return found

    def scan_block_scalar_breaks(self, indent):
        found = super().scan_block_scalar_breaks(indent)
        self._refuse_tab_in_indentation(indent)
        return found

    def _refuse_tab_in_indentation(self, indent: int | None) -> None:
        if self.peek() == "\t" and (indent is None or self.column < indent):
            raise ScannerError("while scanning a block scalar", None, "found a tab character where an indentation space is expected", self.get_mark())

    def scan_block_scalar_ignored_line(self, start_mark):
        while self.peek() in " \t":
            self.forward()
        super().scan_block_scalar_ignored_line(start_mark)

    def scan_directive_name(self, start_mark):
        # libyaml knows only %YAML and %TAG and refuses the others; PyYAML skipped them.
        name = super().scan_directive_name(start_mark)
        if name not in ("YAML", "TAG"):
            raise ScannerError("while scanning a directive", start_mark, "found unknown directive name", self.get_mark())
        return name


class _PythonParser(yaml.reader.Reader, _LibyamlTabScanner, yaml.parser.Parser):
    def __init__(self, stream: str):
        yaml.reader.Reader.__init__(self, stream)
        _LibyamlTabScanner.__init__(self)
        yaml.parser.Parser.__init__(self)


def _parser(text: str, loader: str):
    return yaml.cyaml.CParser(text) if loader == "c" else _PythonParser(text)


# The pure-Python parser's wording, translated to libyaml's: (context, problem, libyaml's problem).
_WORDING = [
    (None, re.compile(r"mapping values are not allowed here"), "mapping values are not allowed in this context"),
    (None, re.compile(r"sequence entries are not allowed here"), "block sequence entries are not allowed in this context"),
    (None, re.compile(r"mapping keys are not allowed here"), "mapping keys are not allowed in this context"),
    (None, re.compile(r"found character .* that cannot start any token"), "found character that cannot start any token"),
    (None, re.compile(r"expected ',' or '\]', but got .*"), "did not find expected ',' or ']'"),
    (None, re.compile(r"expected ',' or '\}', but got .*"), "did not find expected ',' or '}'"),
    (None, re.compile(r"expected '<document start>', but found .*"), "did not find expected <document start>"),
    (None, re.compile(r"expected the node content, but found .*"), "did not find expected node content"),
    ("while parsing a block mapping", re.compile(r"expected <block end>, but found .*"), "did not find expected key"),
    ("while parsing a block collection", re.compile(r"expected <block end>, but found .*"), "did not find expected '-' indicator"),
    (None, re.compile(r"expected (?:chomping or indentation indicators|a comment or a line break), but found .*"), "did not find expected comment or line break"),
    (None, re.compile(r"expected indentation indicator in the range 1-9, but found 0"), "found an indentation indicator equal to 0"),
    (None, re.compile(r"found undefined tag handle .*"), "found undefined tag handle"),
    (None, re.compile(r"found unknown escape character .*"), "found unknown escape character"),
    (None, re.compile(r"expected '>', but found .*"), "did not find the expected '>'"),
    (None, re.compile(r"found duplicate YAML directive"), "found duplicate %YAML directive"),
    (None, re.compile(r"duplicate tag handle .*"), "found duplicate %TAG directive"),
    (None, re.compile(r"found incompatible YAML document .*"), "found incompatible YAML document"),
]


class _Positions:
    """Maps marks in a document's text to file positions.

    YAML counts lines with every line break it knows (a lone CR, NEL, LS and PS too); a
    document holding one of those has its marks mapped by code-point index instead.
    """

    def __init__(self, doc: YamlDocumentText):
        self.doc = doc
        self.first_line = doc.first_line
        text = doc.text
        self.size = len(text)
        by_index = any(char in text for char in "\x85\u2028\u2029") or text.count("\r") != text.count("\r\n")
        self.by_line_below = 0 if by_index else self.size  # a mark before this index maps by its line

    @cached_property
    def text(self) -> SourceText:
        return SourceText(self.doc.text)

    def line(self, number: int) -> str:
        return self.text.line(number - self.doc.first_line)

    def position(self, index: int) -> Position:
        position = self.text.position(min(index, self.size))  # the parser's text may have one more "\n"
        return Position(self.doc.first_line + position.line, position.column)

    def mark(self, mark) -> Position:
        if mark.index >= self.by_line_below:
            return self.position(mark.index)
        return Position(self.first_line + mark.line, mark.column)

    def span(self, start_mark, end_mark) -> Span:
        return Span(self.mark(start_mark), self.mark(end_mark))

    def char_span(self, index: int) -> Span:
        """The character at ``index``, or an empty span at a line's end."""
        start = self.position(index)
        return Span(start, Position(start.line, min(start.column + 1, len(self.line(start.line)))))

    def block_scalar_end(self, span: Span) -> Position:
        """A block scalar's end, moved back from the line where its scanner stopped (after
        the trailing line breaks) to the end of its last non-blank line."""
        end = span.end
        while end.line > span.start.line and not self.line(end.line)[: end.column].strip(" \t"):
            end = Position(end.line - 1, len(self.line(end.line - 1)))
        return end


def _unacceptable_character(code: int, index: int, positions: _Positions) -> YamlError:
    reason = "not valid Unicode" if 0xD800 <= code <= 0xDFFF else "control characters are not allowed"
    return YamlError(f"unacceptable character #x{code:04x}: {reason}", positions.char_span(index))


def _syntax_error(error: yaml.YAMLError, positions: _Positions) -> YamlError:
    if isinstance(error, yaml.reader.ReaderError):
        return _unacceptable_character(error.character, error.position, positions)
    if not isinstance(error, yaml.MarkedYAMLError):
        return YamlError(str(error))
    problem = error.problem or error.context or "invalid YAML"
    for context, pattern, wording in _WORDING:
        if (context is None or error.context == context) and pattern.fullmatch(problem):
            problem = wording
            break
    mark = error.problem_mark or error.context_mark
    if mark is None:
        return YamlError(problem)
    # Name what is at the mark, as PyYAML does and libyaml does not.
    text, index = positions.doc.text, mark.index
    if problem == "found character that cannot start any token" and index < len(text):
        if text[index] == "\t":
            problem = "found a tab character that cannot start any token (YAML indents with spaces only)"
        else:
            problem = f"found character {text[index]!r} that cannot start any token"
    elif problem == "found unknown escape character":
        index -= text[index : index + 1] != "\\"  # libyaml marks the backslash, PyYAML the character after it
        problem = f"found unknown escape character '{text[index : index + 2]}'"
        return YamlError(problem, Span(positions.position(index), positions.position(index + 2)))
    elif problem == "found undefined tag handle":
        handle = re.match(r"![\w-]*!", text[index:])
        if handle:
            problem = f"found undefined tag handle '{handle.group()}'"
    return YamlError(problem, positions.char_span(index))


class _Frame:
    __slots__ = ("event", "items", "spans", "visited")

    def __init__(self, event, visited: int):
        self.event = event
        self.items: list[YamlNode] = []
        self.spans: list[Span] = []  # where each item is written (an alias: the alias)
        self.visited = visited


_RESOLVER = yaml.resolver.Resolver()


def _resolve_scalar_tag(value: str, implicit: tuple[bool, bool]) -> str:
    if implicit[0] and len(value) <= 64:  # short plain scalars: most values repeat
        return _plain_scalar_tag(value)
    return _RESOLVER.resolve(ScalarNode, value, implicit)


@functools.lru_cache(maxsize=4096)
def _plain_scalar_tag(value: str) -> str:
    return _RESOLVER.resolve(ScalarNode, value, (True, False))


def compose_document(
    doc: YamlDocumentText, *, loader: str | None = None, max_nodes: int = MAX_NODES, max_depth: int = MAX_DEPTH
) -> YamlDocument:
    """Compose one document of ``split_documents`` into a node tree; YamlError if it cannot."""
    if (loader or DEFAULT_LOADER) not in LOADERS:
        raise ValueError(f"unknown or unavailable loader {loader!r}: one of {', '.join(LOADERS)}")
    template = _find_template(doc.text)
    if template is not None:
        line, start, end = template
        raise YamlError("a template ({{ … }}), not plain YAML: skipped", Span.on_line(doc.first_line + line, start, end))
    positions = _Positions(doc)
    # libyaml reads a missing final line break as there, PyYAML does not: give both one.
    text = doc.text if doc.text.endswith(("\n", "\r")) or not doc.text else doc.text + "\n"
    try:
        parser = _parser(text, loader or DEFAULT_LOADER)
        try:
            return _compose(doc, parser, positions, max_nodes, max_depth)
        finally:
            parser.dispose()
    except yaml.YAMLError as error:
        raise _syntax_error(error, positions) from None
    except UnicodeEncodeError as error:  # a lone surrogate: libyaml reads UTF-8
        raise _unacceptable_character(ord(error.object[error.start]), error.start, positions) from None


def _compose(doc: YamlDocumentText, parser, positions: _Positions, max_nodes: int, max_depth: int) -> YamlDocument:
    anchors: dict[str, tuple[YamlNode, int]] = {}  # name -> (node, its size with aliases expanded)
    open_anchors: dict[str, _Frame] = {}  # anchors on collections not closed yet, unless redefined since
    outside = _Frame(None, 0)  # holds the root
    stack: list[_Frame] = [outside]
    items, spans = outside.items, outside.spans  # the innermost open collection's (hot: one per event)
    duplicates: list[DuplicateKey] = []
    visited = 0  # nodes, with every alias counted as the size of the node it names
    through_aliases = 0  # the part of ``visited`` that aliases brought
    documents = 0

    def too_large(event) -> YamlError:
        span = positions.span(event.start_mark, event.end_mark)
        if visited - through_aliases > max_nodes:
            return YamlError(f"document too large: more than {max_nodes:,} nodes", span)
        return YamlError(f"alias expansion exceeds {max_nodes:,} nodes (a 'billion laughs' document?)", span)

    first_line, by_line_below = positions.first_line, positions.by_line_below
    new = tuple.__new__  # new(Position, (line, column)) skips the NamedTuple's Python-level __new__
    while True:
        event = parser.get_event()
        kind = type(event)
        if kind is ScalarEvent:
            start_mark, end_mark = event.start_mark, event.end_mark
            if end_mark.index < by_line_below:  # _Positions.span inlined: the hottest line
                span = new(Span, (new(Position, (first_line + start_mark.line, start_mark.column)), new(Position, (first_line + end_mark.line, end_mark.column))))
            else:
                span = positions.span(start_mark, end_mark)
            style = event.style or None
            if style in ("|", ">"):
                span = Span(span.start, positions.block_scalar_end(span))
            tag = event.tag
            if tag is None or tag == "!":
                tag = _resolve_scalar_tag(event.value, event.implicit)
            node = YamlScalar(event.value, tag, style, span)
            visited += 1
            if visited > max_nodes:
                raise too_large(event)
            if event.anchor is not None:
                anchors[event.anchor] = (node, 1)
                open_anchors.pop(event.anchor, None)
            items.append(node)
            spans.append(span)
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if len(stack) > max_depth:
                raise YamlError(f"nested deeper than {max_depth} levels", positions.span(event.start_mark, event.end_mark))
            visited += 1
            if visited > max_nodes:
                raise too_large(event)
            frame = _Frame(event, visited - 1)
            stack.append(frame)
            items, spans = frame.items, frame.spans
            if event.anchor is not None:
                open_anchors[event.anchor] = frame
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            frame = stack.pop()
            start = frame.event
            tag = start.tag
            if tag is None or tag == "!":
                tag = MAP_TAG if kind is MappingEndEvent else SEQ_TAG
            flow = bool(start.flow_style)
            if flow or not spans:
                end = positions.mark(event.end_mark)
            else:  # the later end of the last two items (a mapping's last key and value)
                end = spans[-1].end
                if len(spans) > 1 and spans[-2].end > end:
                    end = spans[-2].end
            span = Span(positions.mark(start.start_mark), end)
            if kind is MappingEndEvent:
                keys = items[0::2]
                duplicates.extend(_duplicates(keys, spans[0::2]))
                node = YamlMapping(tuple(zip(keys, items[1::2])), tag, flow, span)
            else:
                node = YamlSequence(tuple(items), tag, flow, span)
            if start.anchor is not None and open_anchors.get(start.anchor) is frame:
                del open_anchors[start.anchor]
                anchors[start.anchor] = (node, visited - frame.visited)
            items, spans = stack[-1].items, stack[-1].spans
            items.append(node)
            spans.append(span)
        elif kind is AliasEvent:
            span = positions.span(event.start_mark, event.end_mark)
            if event.anchor in open_anchors:
                raise YamlError(f"alias *{event.anchor} refers to a node that contains it (a recursive structure)", span)
            if event.anchor not in anchors:
                raise YamlError(f"found undefined alias '{event.anchor}'", span)
            node, size = anchors[event.anchor]
            through_aliases += size
            visited += size
            if visited > max_nodes:
                raise too_large(event)
            items.append(node)
            spans.append(span)
        elif kind is DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise YamlError("a second document in the same text: a '---' not at the start of a line?", positions.span(event.start_mark, event.end_mark))
        elif kind is StreamEndEvent:
            root = outside.items[-1] if outside.items else None
            return YamlDocument(doc, root, tuple(sorted(duplicates, key=lambda duplicate: duplicate.span.start)))


def _duplicates(keys: list[YamlNode], key_spans: list[Span]) -> list[DuplicateKey]:
    found: list[DuplicateKey] = []
    if len(keys) < 2:
        return found  # many mappings have one key
    seen: dict[object, Span] = {}
    for key, span in zip(keys, key_spans):
        if not isinstance(key, YamlScalar) or key.tag == MERGE_TAG:
            continue
        identity = _key_identity(key)
        if identity in seen:
            found.append(DuplicateKey(key.value, span, seen[identity]))
        else:
            seen[identity] = span
    return found
