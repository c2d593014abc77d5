"""What compose files and Kubernetes manifests share: a YAML stream cut into documents,
composed only when needed and cached per document, the problems that make a document
unlintable, and the comments suppressions are written in."""
from __future__ import annotations

import dataclasses
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property

from hullguard import yamldoc
from hullguard.dockerfile import Comment
from hullguard.text import SourceText, Span
from hullguard.yamldoc import YamlDocument, YamlDocumentText, YamlError, YamlMapping, YamlNode, YamlScalar, YamlSequence, compose_document

CACHE_SIZE = 1024  # composed documents kept: enough for the streams open in an editor
_kept = CACHE_SIZE


def keep_composed(documents: int) -> None:
    """Keep at most ``documents`` composed documents from now on. A run that reads each file
    once (a plain check) has no use for more than a few (a NetworkPolicy its index composed
    and its lint reads again), and the trees it would keep are work for the collector."""
    global _kept
    _kept = documents
    while len(_COMPOSED) > _kept:
        _COMPOSED.popitem(last=False)


@dataclass(frozen=True)
class Problem:
    """Why (part of) a YAML file cannot be linted as written: reported as HG000."""

    message: str
    span: Span | None


# By text: (the document text it was composed from, the tree or why there is none).
_COMPOSED: OrderedDict[tuple[str, str], tuple[YamlDocumentText, YamlDocument | YamlError]] = OrderedDict()


def compose_cached(doc: YamlDocumentText) -> YamlDocument:
    """``compose_document`` memoised by the document's text: in an editor, an edit leaves
    the other documents of a stream as they were, though maybe on other lines (then their
    cached tree is moved there, which costs a fraction of composing it); YamlError."""
    key = (doc.content_hash, yamldoc.DEFAULT_LOADER)
    cached = _COMPOSED.get(key)
    if cached is None:
        try:
            cached = doc, compose_document(doc)
        except YamlError as error:
            cached = doc, error
        _COMPOSED[key] = cached
        if len(_COMPOSED) > _kept:
            _COMPOSED.popitem(last=False)
    else:
        _COMPOSED.move_to_end(key)
        if _place(cached[0]) != _place(doc):
            cached = _COMPOSED[key] = doc, _moved(cached[1], doc.first_line - cached[0].first_line, doc)
    if isinstance(cached[1], YamlError):
        raise cached[1]
    return cached[1]


def _place(doc: YamlDocumentText) -> tuple[int, int, int]:
    return doc.first_line, doc.offset, doc.index


def _moved(result: YamlDocument | YamlError, lines: int, doc: YamlDocumentText) -> YamlDocument | YamlError:
    """``result`` of composing the same text ``lines`` lines away, moved to ``doc``. A new
    tree, not changed in place: an earlier lint's findings and fixes may still refer to the
    old one. Aliases still share their node."""
    if isinstance(result, YamlError):
        return YamlError(str(result), result.span.moved(lines) if result.span and lines else result.span)
    if not lines:  # the same lines: only the document's place in the stream changed
        return YamlDocument(doc, result.root, result.duplicate_keys)
    copies: dict[int, YamlNode] = {}

    def copy(node: YamlNode) -> YamlNode:
        done = copies.get(id(node))
        if done is not None:
            return done
        if isinstance(node, YamlScalar):
            new = YamlScalar(node.value, node.tag, node.style, node.span.moved(lines))
        elif isinstance(node, YamlSequence):
            new = YamlSequence(tuple(copy(item) for item in node.items), node.tag, node.flow, node.span.moved(lines))
        else:
            new = YamlMapping(tuple((copy(key), copy(value)) for key, value in node.pairs), node.tag, node.flow, node.span.moved(lines))
        copies[id(node)] = new
        return new

    root = None if result.root is None else copy(result.root)
    duplicates = tuple(dataclasses.replace(d, span=d.span.moved(lines), first_span=d.first_span.moved(lines)) for d in result.duplicate_keys)
    return YamlDocument(doc, root, duplicates)


def compose_or_report(doc: YamlDocumentText, problems: list[Problem]) -> YamlDocument | None:
    """The composed document, or None with the reason added to ``problems``. Duplicate keys
    are problems too (kubectl and docker compose refuse them) but the document is still
    linted, with the last value winning as PyYAML reads it."""
    try:
        document = compose_cached(doc)
    except YamlError as error:
        problems.append(Problem(str(error), error.span))
        return None
    for duplicate in document.duplicate_keys:
        problems.append(Problem(f"duplicate key '{duplicate.key}' (first at line {duplicate.first_span.start.line + 1}); the last one wins", duplicate.span))
    return document


# A "#" starting a comment: at the start of a line or after a blank, naming hullguard or hadolint.
_SUPPRESSION_COMMENT = re.compile(r"(?:^|[ \t])#[ \t]*((?:hullguard|hadolint)\b.*?)[ \t]*$")
_SEQUENCE_ITEM = re.compile(r"[ \t]*-(?:[ \t]|$)")


@dataclass
class YamlFile:
    source: SourceText
    documents: list[YamlDocument]  # the composed documents (those some rule needs)
    problems: list[Problem] = field(default_factory=list)

    @cached_property
    def comments(self) -> list[Comment]:
        """The comments that may be suppressions. Found line by line without parsing, so a
        ``# hullguard:`` line inside a block scalar counts as one too."""
        found = []
        text = self.source.text
        if "hullguard" not in text and "hadolint" not in text:
            return found  # most files: no line to look at
        for number in range(self.source.line_count):
            line = self.source.line(number)
            if "#" not in line:
                continue
            match = _SUPPRESSION_COMMENT.search(line)
            if match and not _in_quotes(line, match.start(1)):
                column = line.rindex("#", 0, match.start(1))
                found.append(Comment(number, match.group(1), column))
        return found

    def suppression_scope(self, line: int) -> tuple[int, int]:
        """The lines a suppression comment on ``line`` covers: the YAML node written on the
        next content line (or on ``line`` itself, for a comment after a value), down to
        where the indentation returns to that node's level."""
        source = self.source
        first = line
        if not source.line(line)[: self._comment_column(line)].strip():
            first = self._next_content_line(line + 1)
            if first is None:
                return line, line
        text = source.line(first)
        indent = len(text) - len(text.lstrip(" "))
        is_item = _SEQUENCE_ITEM.match(text) is not None
        last = first
        number = first + 1
        while number < source.line_count:
            current = source.line(number)
            stripped = current.strip()
            if stripped and not stripped.startswith("#"):
                current_indent = len(current) - len(current.lstrip(" "))
                if current_indent < indent or current_indent == indent and (is_item or not _SEQUENCE_ITEM.match(current)):
                    break
                last = number
            number += 1
        return first, last

    def _comment_column(self, line: int) -> int:
        for comment in self.comments:
            if comment.line == line:
                return comment.column
        return len(self.source.line(line))

    def _next_content_line(self, number: int) -> int | None:
        while number < self.source.line_count:
            stripped = self.source.line(number).strip()
            if stripped and not stripped.startswith("#"):
                return number
            number += 1
        return None


def _in_quotes(line: str, index: int) -> bool:
    """Whether ``index`` lies inside a quoted scalar opened earlier on the line (good enough
    for one-line values, which is where a "#" could be mistaken for a comment)."""
    quote = None
    position = 0
    while position < index:
        char = line[position]
        if quote is None and char in "\"'" and (position == 0 or line[position - 1] in " \t[{,:-"):
            quote = char
        elif quote == "'" and char == "'":
            if line[position + 1 : position + 2] == "'":
                position += 1
            else:
                quote = None
        elif quote == '"' and char == "\\":
            position += 1
        elif quote == '"' and char == '"':
            quote = None
        position += 1
    return quote is not None


# --- reading values the way Kubernetes and compose read them --------------------------------

_TRUE = frozenset({"true", "yes", "on", "y"})
BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"


def mapping_at(node: YamlNode | None, *keys: str) -> YamlMapping | None:
    """The mapping found by following ``keys`` from ``node``; None if any step is missing
    or not a mapping."""
    for key in keys:
        if not isinstance(node, YamlMapping):
            return None
        node = node.get(key)
    return node if isinstance(node, YamlMapping) else None


def node_at(node: YamlNode | None, *keys: str) -> YamlNode | None:
    for key in keys:
        if not isinstance(node, YamlMapping):
            return None
        node = node.get(key)
    return node


def items(node: YamlNode | None) -> tuple[YamlNode, ...]:
    """A sequence's items; () for anything else (absent, null, a scalar)."""
    return node.items if isinstance(node, YamlSequence) else ()


def text_of(node: YamlNode | None) -> str | None:
    """A scalar's text (whatever its type), None for nulls and collections."""
    if isinstance(node, YamlScalar) and not node.is_null:
        return node.value
    return None


def bool_of(node: YamlNode | None) -> bool | None:
    """True/False for a YAML boolean (``true``, and YAML 1.1's ``yes``/``on`` as the Go YAML
    library under kubectl reads them), None for anything else: a quoted ``"true"`` is a
    string, which the API server rejects rather than reads as true."""
    if isinstance(node, YamlScalar) and node.tag == BOOL_TAG:
        return node.value.lower() in _TRUE
    return None


def int_of(node: YamlNode | None) -> int | None:
    if isinstance(node, YamlScalar) and node.tag == INT_TAG:
        text = node.value.replace("_", "")
        digits = text.lstrip("+-")
        base = 8 if len(digits) > 1 and digits[0] == "0" and digits[1].isdigit() else 0  # YAML 1.1: 017 is octal
        try:
            return int(text, base)
        except ValueError:  # sexagesimal 1:30
            return None
    return None
