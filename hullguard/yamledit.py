"""Minimal text edits on YAML files (compose files, Kubernetes manifests).

Every YAML fix builds its edits here, so that a fixed file stays the file its user wrote: new
keys are whole new lines at the column of their siblings (block style) or ``, key: value``
after the last entry (flow style), a changed value replaces just its scalar, and comments,
blank lines, quoting and indentation elsewhere stay byte for byte. Edits use ``\\n``;
``edits.apply_edits`` writes the file's own line endings.

When a change cannot be made safely the functions return None, never a doubtful edit: a node
with an anchor (aliases may share it) or a tag, a key a ``<<`` merge provides, a duplicated
key, a value of another type than wanted, a block scalar whose trailing lines a new line
would cut off. One limit: a mapping the caller reached *through an alias of one of its
ancestors* is written where its anchor is, and only the caller, who walked there, knows it.
"""
from __future__ import annotations

import functools
import re
import weakref
from collections import Counter, deque

import yaml
from yaml.nodes import ScalarNode

from hullguard.edits import insert_at, insert_line_after, replace
from hullguard.model import TextEdit
from hullguard.text import Position, SourceText, Span
from hullguard.yamldoc import MERGE_TAG, YamlMapping, YamlNode, YamlScalar, YamlSequence

STR_TAG = "tag:yaml.org,2002:str"
BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"

DEFAULT_INDENT = 2
INDENT_SAMPLES = 200  # nested mappings looked at to tell a file's indentation step

# --- writing scalars ---------------------------------------------------------------------------

_RESOLVER = yaml.resolver.Resolver()
# Text that cannot be a plain scalar, or not everywhere: an indicator first ("-" only before a
# blank), a document marker first (a key in column 0), ": " or " #" inside, ":" or a blank
# last, and flow indicators, so that the same text is right inside [ ] and { } too.
_NOT_PLAIN = re.compile(r"""^(?:[?:,\[\]{}#&*!|>'"%@`\s]|-(?:\s|$)|---|\.\.\.)|[:\s]$|:\s|\s#|[,\[\]{}]""")
# Strings to PyYAML's YAML 1.1 resolver that other readers take for something else: y/n are
# booleans to go-yaml v2 (kubectl), and these numbers to YAML 1.2 readers (go-yaml v3, compose).
_OTHER_READERS = re.compile(
    r"[yYnN]|[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?|0o[0-7]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}


@functools.lru_cache(maxsize=1024)  # fixes render the same few keys and values again and again
def _plain_tag(text: str) -> str | None:
    """The tag YAML readers give ``text`` written as a plain scalar; None when it cannot be
    written plain or when readers disagree on it."""
    if not text or not text.isprintable() or _NOT_PLAIN.search(text):
        return None
    tag = _RESOLVER.resolve(ScalarNode, text, (True, False))
    return None if tag == STR_TAG and _OTHER_READERS.fullmatch(text) else tag


def _escape(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    if char.isprintable():
        return char
    return f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}"


def _double_quoted(text: str) -> str:
    return '"' + "".join(_escape(char) for char in text) + '"'


def render_scalar(value: bool | int | str) -> str:
    """A bool, int or str as YAML reads it back: plain when every reader takes the text for
    that same value, else a string in double quotes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value if _plain_tag(value) == STR_TAG else _double_quoted(value)
    raise TypeError(f"cannot write a {type(value).__name__} as a YAML scalar")


def _flow(value) -> str:
    """A value in flow style, on one line: ``{drop: [ALL]}``."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{render_scalar(key)}: {_flow(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(item) for item in value) + "]"
    return render_scalar(value)


def _equals(node: YamlNode, want: bool | int | str) -> bool:
    """Whether the node means ``want``: plain ``true``/``True``/``TRUE`` for True, a plain
    decimal for an int, a string (quoted, or plain and a string to every reader) for a str."""
    if not isinstance(node, YamlScalar):
        return False
    if isinstance(want, bool):
        return node.style is None and node.tag == BOOL_TAG and node.value.lower() == str(want).lower()
    if isinstance(want, int):
        return node.style is None and node.tag == INT_TAG and bool(_DECIMAL.fullmatch(node.value)) and int(node.value) == want
    return node.tag == STR_TAG and node.value == want and (node.style is not None or not _OTHER_READERS.fullmatch(want))


# --- where things are written --------------------------------------------------------------------


def _shared(source: SourceText, node: YamlNode) -> bool:
    """An anchor or a tag is written on the node (its span starts there): aliases may share it,
    a tag may give it another meaning. An alias's node is its anchored one, so this covers it."""
    start = source.offset(node.span.start)
    return source.text[start : start + 1] in ("&", "!")


def _is_key(node: YamlNode, key: str) -> bool:
    return isinstance(node, YamlScalar) and node.tag != MERGE_TAG and node.value == key


def _written_end(start: Position, nodes: list[YamlNode]) -> Position | None:
    """The end of the last of ``nodes`` (consecutive children written from ``start`` on) as
    written in the text; None when it is an alias (its span is its anchor's, earlier in the
    text) or an empty null (loaders place it differently in flow collections)."""
    for node in nodes:
        if node.span.start < start or (isinstance(node, YamlScalar) and node.is_null and node.span.start == node.span.end):
            return None
        start = node.span.end
    return start


def _key_column(source: SourceText, mapping: YamlMapping) -> int | None:
    """The column of a block mapping's keys, when each starts its line (after an item's "- ");
    None for explicit ``? key`` entries and keys on several lines."""
    column = mapping.pairs[0][0].span.start.column
    for key, _ in mapping.pairs:
        start = key.span.start
        if start.column != column or key.span.end.line != start.line or source.line(start.line)[:column].strip(" -"):
            return None
    return column


def _char_before(source: SourceText, position: Position) -> str:
    return source.line(position.line)[position.column - 1 : position.column] if position.column else ""


def _cuts_block_scalar(node: YamlNode) -> bool:
    """Whether the lines after a block node's end may still belong to its last value: a block
    scalar keeping trailing blank lines (``|+``) or ending in blank content lines, which a line
    inserted after its span would take out of it."""
    while isinstance(node, (YamlMapping, YamlSequence)) and not node.flow:
        last = node.pairs[-1][1] if isinstance(node, YamlMapping) else node.items[-1]
        if last.span.end != node.span.end:  # an alias: nothing of its node is written here
            return False
        node = last
    if not (isinstance(node, YamlScalar) and node.style in ("|", ">")):
        return False
    body = node.value.rstrip("\n")
    return node.value.endswith("\n\n") or (bool(body) and not body.rsplit("\n", 1)[-1].strip(" \t"))


def _flow_insertion(source: SourceText, collection: YamlMapping | YamlSequence, children: list[YamlNode], text: str) -> TextEdit | None:
    """``text`` added as the last entries of a flow collection: after its last entry (so a
    trailing comma or a comment before the bracket stays valid), or after the opening
    bracket of an empty one."""
    opening = "{" if isinstance(collection, YamlMapping) else "["
    start = collection.span.start
    if source.line(start.line)[start.column : start.column + 1] != opening:
        return None  # an anchor or a tag, or a one-pair mapping in a flow sequence ([a: 1])
    if not children:
        return insert_at(Position(start.line, start.column + 1), text)
    end = _written_end(start, children[-2:])
    return None if end is None else insert_at(end, ", " + text)


# "  key:" or "- key:" with nothing after but a comment; group 1 is everything before the key.
_OPENING_KEY = re.compile(r"""^((?: *- +)* *)([^\s#'"{\[\]}&*!|>-][^#]*?|"[^"]*"|'[^']*'):[ \t]*(?:#.*)?$""")


_INDENT_UNITS: "weakref.WeakKeyDictionary[SourceText, int]" = weakref.WeakKeyDictionary()


def indent_unit(source: SourceText) -> int:
    """The file's indentation step for a block mapping nested under a key: the most common
    one between a ``key:`` line and a more indented next line that is not a sequence item.
    Computed once per text: every fix of every finding in a file asks for it. The language
    server's next text usually starts with the lines this was read from: then it stands."""
    unit = _INDENT_UNITS.get(source)
    if unit is None:
        unit = next((unit for prefix, unit in _UNITS_BY_PREFIX if source.text.startswith(prefix)), None)
        if unit is None:
            unit, lines_read = _measure_indent_unit(source)
            if lines_read < source.line_count:  # stopped with enough samples: what follows cannot change it
                _UNITS_BY_PREFIX.appendleft((source.text[: source.line_starts[lines_read]], unit))
        _INDENT_UNITS[source] = unit
    return unit


_UNITS_BY_PREFIX: deque[tuple[str, int]] = deque(maxlen=16)  # (the text measured, its unit)


def _measure_indent_unit(source: SourceText) -> tuple[int, int]:
    """The unit, and how many lines from the start were read to find it (all of them,
    unless it found INDENT_SAMPLES samples before the end)."""
    steps: Counter[int] = Counter()
    lines = source.lines
    read = len(lines)
    for number, line in enumerate(lines):
        if "#" not in line and not line.rstrip(" \t").endswith(":"):
            continue  # cannot match: most lines are "key: value"
        match = _OPENING_KEY.match(line)
        if not match or ": " in match.group(2):
            continue
        following = ""
        for index in range(number + 1, len(lines)):  # by index: islice would walk from the start
            if lines[index].strip() and not lines[index].lstrip().startswith("#"):
                following = lines[index]
                break
        indent = len(following) - len(following.lstrip(" "))
        if indent > len(match.group(1)) and not following.lstrip().startswith("-"):
            steps[indent - len(match.group(1))] += 1
            if steps.total() >= INDENT_SAMPLES:
                read = index + 1
                break  # enough to know the style; a 2 MB stream would otherwise be read on every lint
    return (steps.most_common(1)[0][0] if steps else DEFAULT_INDENT), read


# --- merging ---------------------------------------------------------------------------------


class _Merge:
    """The edits of one merge_into call; each method returns False when it cannot edit safely."""

    def __init__(self, source: SourceText):
        self.source = source
        self.edits: list[TextEdit] = []
        self._unit: int | None = None

    @property
    def unit(self) -> int:
        if self._unit is None:
            self._unit = indent_unit(self.source)
        return self._unit

    def mapping(self, mapping: YamlMapping, desired: dict, frozen: bool) -> bool:
        """``frozen``: the mapping may be shared (anchored, merged in, a duplicated key), so it
        may hold what is wanted but must not be edited."""
        frozen = frozen or _shared(self.source, mapping)
        missing = {}
        for key, want in desired.items():
            own = [pair for pair in mapping.pairs if _is_key(pair[0], key)]
            pair = own[-1] if own else mapping.get_pair(key)  # else: a "<<" merge's, if any
            if pair is None:
                missing[key] = want
            elif not self.value(mapping, pair, want, frozen or len(own) != 1):
                return False
        if not missing:
            return True
        if frozen:
            return False
        if mapping.flow:
            text = ", ".join(f"{render_scalar(key)}: {_flow(want)}" for key, want in missing.items())
            edit = _flow_insertion(self.source, mapping, [node for pair in mapping.pairs for node in pair], text)
        else:
            column = _key_column(self.source, mapping)
            if column is None or _cuts_block_scalar(mapping):
                return False
            edit = insert_line_after(self.source, mapping.span.end.line, "\n".join(self.block_lines(missing, column)))
        if edit is not None:
            self.edits.append(edit)
        return edit is not None

    def value(self, parent: YamlMapping, pair: tuple[YamlNode, YamlNode], want, frozen: bool) -> bool:
        key, node = pair
        if isinstance(node, YamlScalar) and node.is_null:
            return not frozen and not _shared(self.source, node) and self.fill_null(parent, key, node, want)
        if isinstance(want, dict):
            return isinstance(node, YamlMapping) and self.mapping(node, want, frozen)
        if isinstance(want, list):
            if not isinstance(node, YamlSequence):
                return False
            missing = [item for item in want if not any(_equals(existing, item) for existing in node.items)]
            edit = None if frozen or not missing else append_items(self.source, node, missing)
            if edit is not None:
                self.edits.append(edit)
            return not missing or edit is not None
        if _equals(node, want):
            return True
        if frozen or not isinstance(node, YamlScalar) or node.style in ("|", ">") or _shared(self.source, node):
            return False
        # A string stays a string: keep its quoting when the new text allows it.
        edit = replace_scalar(node, want) if isinstance(want, str) and node.tag == STR_TAG else None
        self.edits.append(edit or replace(node.span, render_scalar(want)))
        return True

    def fill_null(self, parent: YamlMapping, key: YamlNode, node: YamlScalar, want) -> bool:
        """A key with no value (``key:``, ``~``, ``null``) gets the wanted one: a non-empty
        mapping in a block mapping as block lines below the key, anything else in flow style
        where the null is."""
        if isinstance(want, dict) and want and not parent.flow:
            if _key_column(self.source, parent) is None:
                return False
            if node.span.start != node.span.end:  # "key: ~" becomes "key:"
                between = self.source.slice(Span(key.span.end, node.span.start))
                if not re.fullmatch(r"[ \t]*:[ \t]+", between):
                    return False
                self.edits.append(replace(Span(key.span.end, node.span.end), ":"))
            lines = self.block_lines(want, key.span.start.column + self.unit)
            self.edits.append(insert_line_after(self.source, node.span.end.line, "\n".join(lines)))
            return True
        if node.span.start != node.span.end:
            self.edits.append(replace(node.span, _flow(want)))
            return True
        start = node.span.start
        if parent.flow or _char_before(self.source, start) != ":":
            return False  # an empty value's position is reliable only right after a block key's ":"
        self.edits.append(insert_at(start, " " + _flow(want)))
        return True

    def block_lines(self, entries: dict, column: int) -> list[str]:
        """New entries as block lines at ``column``; nested mappings in block style, lists and
        empty mappings in flow style."""
        lines = []
        for key, want in entries.items():
            if isinstance(want, dict) and want:
                lines.append(f"{' ' * column}{render_scalar(key)}:")
                lines.extend(self.block_lines(want, column + self.unit))
            else:
                lines.append(f"{' ' * column}{render_scalar(key)}: {_flow(want)}")
        return lines


def _joined(edits: list[TextEdit]) -> list[TextEdit]:
    """The edits in text order, those that touch joined into one (insertions at one point keep
    the order they were made in: a nested mapping's lines before its parent's), so no two
    overlap."""
    result: list[TextEdit] = []
    for edit in sorted(edits, key=lambda edit: (edit.span.start, edit.span.end)):
        if result and result[-1].span.end == edit.span.start:
            last = result.pop()
            edit = TextEdit(Span(last.span.start, edit.span.end), last.new_text + edit.new_text)
        result.append(edit)
    return result


# --- the API -----------------------------------------------------------------------------------


def merge_into(source: SourceText, mapping: YamlMapping, desired: dict) -> list[TextEdit] | None:
    """Edits making ``mapping`` contain ``desired``: a dict value is a mapping containing
    these (merged recursively), a list value a sequence containing at least these items
    (missing ones appended), a bool/int/str value exactly that scalar. [] when nothing is
    needed, None when it cannot be done safely. All new keys of one mapping are one edit."""
    merge = _Merge(source)
    return _joined(merge.edits) if merge.mapping(mapping, desired, frozen=False) else None


def replace_scalar(scalar: YamlScalar, new_value: str) -> TextEdit | None:
    """Write ``new_value`` as the scalar's text in its own style: quoted stays quoted with the
    same quotes, plain stays plain when the new text reads back with the scalar's type. None
    when the style cannot hold the value, and for scalars whose text does not map one to one
    to their value (block scalars, several lines, escapes, an anchor or a tag)."""
    inner = scalar.sub_span(0, len(scalar.value))
    if inner is None or scalar.style in ("|", ">"):
        return None
    if scalar.style is None:
        text = new_value if _plain_tag(new_value) == scalar.tag else None
    elif scalar.style == "'":
        text = new_value.replace("'", "''") if new_value.isprintable() else None
    else:
        text = _double_quoted(new_value)[1:-1]
    return None if text is None else replace(inner, text)


def remove_entry(source: SourceText, mapping: YamlMapping, key: str) -> TextEdit | None:
    """Delete ``key`` and its value: in block style its own whole lines (the comment lines
    around it stay), in flow style the entry and one comma. None when the key is missing,
    duplicated or merged in, when it is a block mapping's only entry (the mapping would
    become null), or when the mapping is shared."""
    indexes = [index for index, (node, _) in enumerate(mapping.pairs) if _is_key(node, key)]
    if len(indexes) != 1 or _shared(source, mapping):
        return None
    index = indexes[0]
    key_node, value = mapping.pairs[index]
    if mapping.flow:
        return _remove_flow_entry(source, mapping, index)
    if len(mapping.pairs) == 1 or value.span.start < key_node.span.end:
        return None  # the mapping would become null; an alias's node is written elsewhere
    start, end_line = key_node.span.start, value.span.end.line
    prefix = source.line(start.line)[: start.column]
    if prefix.strip(" "):
        # "- key: value" opening a sequence item: the next key moves up after the "- ".
        next_key = mapping.pairs[1][0] if index == 0 else None
        if prefix.strip(" -") or next_key is None or next_key.span.start.line != end_line + 1:
            return None
        return replace(Span(start, next_key.span.start), "")
    if end_line + 1 < source.line_count:
        return replace(Span(Position(start.line, 0), Position(end_line + 1, 0)), "")
    # The last line, with no line break after it: take the one before the entry instead.
    return replace(Span(Position(start.line - 1, len(source.line(start.line - 1))), Position(end_line, len(source.line(end_line)))), "")


def _remove_flow_entry(source: SourceText, mapping: YamlMapping, index: int) -> TextEdit | None:
    key, value = mapping.pairs[index]
    end = _written_end(key.span.start, [key, value])
    if end is None:
        return None
    if len(mapping.pairs) == 1:
        return replace(Span(key.span.start, end), "")
    if index + 1 < len(mapping.pairs):  # the entry and the comma after it
        span, gap = Span(key.span.start, mapping.pairs[index + 1][0].span.start), Span(end, mapping.pairs[index + 1][0].span.start)
    else:  # the last entry and the comma before it
        before = _written_end(mapping.span.start, list(mapping.pairs[index - 1]))
        if before is None:
            return None
        span, gap = Span(before, end), Span(before, key.span.start)
    if gap.end < gap.start or not re.fullmatch(r"\s*,\s*", source.slice(gap)):
        return None  # a comment, or a "?", between the entries
    return replace(span, "")


def append_items(source: SourceText, sequence: YamlSequence, items: list) -> TextEdit | None:
    """Append ``items`` (one or more) to ``sequence``: ``- item`` lines after the last item at
    its dash column, or ``, item`` after the last item of a flow sequence. None for a shared
    sequence or when a new line would cut a block scalar."""
    if not items:
        raise ValueError("append_items needs at least one item")
    if sequence.flow:
        return _flow_insertion(source, sequence, list(sequence.items), ", ".join(_flow(item) for item in items))
    start = sequence.span.start
    if source.line(start.line)[start.column : start.column + 1] != "-" or _cuts_block_scalar(sequence):
        return None
    return insert_line_after(source, sequence.span.end.line, "\n".join(f"{' ' * start.column}- {_flow(item)}" for item in items))
