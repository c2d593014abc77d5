"""The Dockerfile document model.

One pass over the source lines groups them into instructions the way BuildKit's parser
does (its rules, summarised in the test module tests/test_dockerfile_model.py):

- parser directives (``syntax``, ``escape``, ``check``) are read from the leading comment
  lines only, up to the first line that is not one;
- a line ending in the escape character (not itself escaped) continues; comment lines and
  blank lines inside a continuation are skipped, and the instruction goes on;
- a word ``<<NAME`` (``<<-NAME``, ``<<"NAME"``) of a ``RUN``/``COPY``/``ADD`` starts a
  here-document whose body follows the instruction's last line, up to a line ``NAME``.

Every instruction gets a *logical line* (continuations joined, comment and blank lines
inside dropped) with a map back to source positions, so every span is exact.

The language server parses a file again on every keystroke. A parse takes the instructions
whose lines are unchanged from what earlier parses scanned (``_SCANNED``), and
``Instruction.remembered`` gives back what was worked out from them (words, commands, the
findings of per-instruction rules) while they stay at the same place under the same SHELL.
"""
from __future__ import annotations

import bisect
import dataclasses
import functools
import json
import re
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, NamedTuple, TypeVar

from hullguard.text import Position, SourceText, Span
from hullguard.words import Command, KeyValue, Word, iter_words, parse_key_values, split_commands, split_words, substitute

T = TypeVar("T")

INSTRUCTIONS = frozenset(
    "ADD ARG CMD COPY ENTRYPOINT ENV EXPOSE FROM HEALTHCHECK LABEL MAINTAINER ONBUILD RUN "
    "SHELL STOPSIGNAL USER VOLUME WORKDIR".split()
)
HEREDOC_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD"})
DIRECTIVES = frozenset({"syntax", "escape", "check"})
_DIRECTIVE = re.compile(r"#\s*([A-Za-z][A-Za-z0-9]*)\s*=\s*(.+?)\s*$")
_HEREDOC_WORD = re.compile(r"(\d*)<<(-?)([^<]*)")
_TEMPLATE_OPENINGS = ("{{", "{%", "{#")
_TEMPLATE_CLOSINGS = {"{{": "}}", "{%": "%}", "{#": "#}"}
_KEYWORD = re.compile(r"\s*(\S+)")
_KEYWORD_AND_BLANKS = re.compile(r"\s*\S+\s*")  # up to the first argument
DEFAULT_SHELL = ("/bin/sh", "-c")
WINDOWS_SHELL = ("cmd", "/S", "/C")
_WINDOWS_IMAGE = re.compile(r"(?:^|/)windows(?:[-/:]|$)|nanoserver|servercore", re.IGNORECASE)
SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox"})
# The platform ARGs BuildKit defines in the global scope, to values of the build's platforms.
AUTOMATIC_ARGS = frozenset(
    f"{prefix}{suffix}" for prefix in ("BUILD", "TARGET") for suffix in ("PLATFORM", "OS", "OSVERSION", "ARCH", "VARIANT")
) | {"TARGETSTAGE"}


class DockerfileError(ValueError):
    """The file is not a Dockerfile hullguard can lint; ``span`` says where, if known."""

    def __init__(self, message: str, span: Span | None = None):
        super().__init__(message)
        self.span = span


@dataclass
class SourceMap:
    """Maps offsets in a joined text back to source positions, one segment per line piece."""

    starts: list[int] = field(default_factory=list)  # offset in joined text
    positions: list[Position] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)

    def add(self, offset: int, position: Position, length: int) -> None:
        self.starts.append(offset)
        self.positions.append(position)
        self.ends.append(offset + length)

    def position(self, offset: int, *, is_end: bool = False) -> Position:
        # An end offset on a segment boundary belongs to the segment before it, so a span
        # never stretches onto the start of the next line.
        index = bisect.bisect_left(self.starts, offset) - 1 if is_end else bisect.bisect_right(self.starts, offset) - 1
        index = max(index, 0)
        offset = min(offset, self.ends[index])
        base = self.positions[index]
        return Position(base.line, base.column + offset - self.starts[index])

    def span(self, start: int, end: int) -> Span:
        return Span(self.position(start), self.position(max(end, start), is_end=end > start))


@functools.lru_cache(maxsize=4096)
def _lexed(text: str) -> tuple[Command, ...]:
    """Lexing is the costliest part of a parse; an editor re-lints on every keystroke and
    all the RUN scripts but the edited one are unchanged, so their commands are reused
    (commands hold offsets into ``text`` only, never positions in the file)."""
    return tuple(split_commands(text))


# Like _lexed: the language server parses the file again on every keystroke, and all the
# instructions but the edited one are as they were. Words hold offsets into the text, never
# file positions, so what one parse worked out serves the next.


@functools.lru_cache(maxsize=8192)
def _flags_and_rest(text: str, args_start: int, escape: str) -> tuple[tuple[Word, ...], int]:
    """The ``--name=value`` flags after the keyword, and the offset where the rest starts."""
    flags = []
    for word in iter_words(text[args_start:], args_start, escape):  # stops at the first non-flag
        if not word.raw.startswith("--"):
            return tuple(flags), word.start
        flags.append(word)
    return tuple(flags), len(text)


@functools.lru_cache(maxsize=8192)
def _words(arguments: str, start: int, escape: str) -> tuple[Word, ...]:
    return tuple(split_words(arguments, start, escape))


@functools.lru_cache(maxsize=8192)
def _key_values(arguments: str, start: int, escape: str, legacy_pairs: bool) -> tuple[KeyValue, ...]:
    return tuple(parse_key_values(arguments, start, escape, legacy_pairs=legacy_pairs))


@functools.lru_cache(maxsize=8192)
def _json_arguments(arguments: str) -> tuple[str, ...] | None:
    arguments = arguments.strip()
    if not arguments.startswith("["):
        return None
    try:
        parsed = json.loads(arguments)
    except ValueError:
        return None
    if isinstance(parsed, list) and all(isinstance(item, str) for item in parsed):
        return tuple(parsed)
    return None


@dataclass
class Script:
    """Shell code run by a ``RUN``: its command line or a heredoc body, with positions."""

    text: str
    map: SourceMap

    @cached_property
    def commands(self) -> list[Command]:
        return list(_lexed(self.text))

    def span(self, start: int, end: int) -> Span:
        return self.map.span(start, end)

    def word_span(self, word: Word) -> Span:
        return self.map.span(word.start, word.end)


@dataclass
class Heredoc:
    delimiter: str  # quotes removed
    strip_tabs: bool  # ``<<-``: leading tabs are stripped from the body and the delimiter line
    body: str  # every line ends in "\n"; tabs stripped for ``<<-``
    map: SourceMap  # body offsets to source positions
    start_line: int  # first body line
    end_line: int  # the delimiter line
    word: Word  # the ``<<EOF`` word, offsets into the instruction's text


@dataclass(frozen=True)
class ImageRef:
    """A parsed image reference. ``registry`` is the host as written, None when the
    reference names none (Docker Hub); ``docker.io/library/x`` keeps both parts as written."""

    registry: str | None
    repository: str
    tag: str | None
    digest: str | None

    @classmethod
    def parse(cls, reference: str) -> "ImageRef":
        name, _, digest = reference.partition("@")
        tag = None
        slash = name.rfind("/")
        colon = name.rfind(":")
        if colon > slash:  # a colon before the last slash is a registry port
            name, tag = name[:colon], name[colon + 1 :]
        registry = None
        first, sep, rest = name.partition("/")
        # Docker's rule: the first component is a host if it has a dot or a port, is
        # localhost, or has upper-case letters (repository names are lower-case).
        if sep and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
            registry, name = first, rest
        return cls(registry, name, tag, digest or None)

    @staticmethod
    def part_offsets(reference: str, part: str) -> tuple[int, int]:
        """Where the tag (``part="tag"``: ``":latest"``) or digest (``"digest"``: ``"@sha256:…"``)
        is written in the literal ``reference``, separator included; without that part, where
        what comes before the digest is (a registry port is no tag)."""
        name, at, _ = reference.partition("@")
        if part == "digest" and at:
            return len(name), len(reference)
        colon = name.rfind(":")
        if part == "tag" and colon > name.rfind("/"):
            return colon, len(name)
        return 0, len(name)

    @property
    def is_scratch(self) -> bool:
        return self.registry is None and self.repository == "scratch"

    @property
    def name(self) -> str:
        return f"{self.registry}/{self.repository}" if self.registry else self.repository


class _remembered_property:
    """An ``Instruction`` property worked out once per instruction lines, place and SHELL in
    force (see ``Instruction.remembered``; the parse sets the SHELL before anyone reads it),
    then kept on the object: a later parse gets it back instead of working it out again. Its
    value is shared: never changed by those who read it."""

    def __init__(self, function: Callable[["Instruction"], T]):
        self.function = function
        self.name = function.__name__

    def __get__(self, instance: "Instruction | None", owner=None):
        if instance is None:
            return self
        value = instance.__dict__[self.name] = instance.remembered(self.name, lambda: self.function(instance))
        return value


@dataclass(eq=False)  # identity: rules may key per-instruction analyses on it
class Instruction:
    keyword: str  # upper-case
    text: str  # the logical line: continuations joined
    map: SourceMap
    start_line: int
    end_line: int  # last line, heredoc bodies included
    escape: str
    args_start: int = -1  # offset of the first argument (flags included); worked out when not given
    heredocs: list[Heredoc] = field(default_factory=list)
    # Its stage (see ``stage``), held weakly: a stage holds its instructions, and a cycle
    # would leave every parse to the cyclic garbage collector (the language server parses
    # on every keystroke).
    _stage: "weakref.ref[Stage] | None" = field(default=None, repr=False)
    shell: tuple[str, ...] = DEFAULT_SHELL  # the SHELL in force
    # Its lines in the file from start_line, comments and heredoc bodies included: to end_line,
    # and past it when its last line continues into blank or comment lines at the file's end.
    source_lines: tuple[str, ...] = field(default=(), repr=False)
    # What ``remembered`` worked out, by SHELL in force; shared with later parses of the same
    # lines at the same place (see _Scanned).
    memos: dict[tuple[str, ...], dict] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.args_start < 0:
            match = _KEYWORD_AND_BLANKS.match(self.text)
            self.args_start = match.end() if match else len(self.text)

    @property
    def stage(self) -> "Stage | None":
        """The stage the instruction belongs to (the one a ``FROM`` starts), while its file lives."""
        return None if self._stage is None else self._stage()

    @stage.setter
    def stage(self, stage: "Stage | None") -> None:
        self._stage = None if stage is None else weakref.ref(stage)

    def span(self, start: int, end: int) -> Span:
        return self.map.span(start, end)

    def remembered(self, key, compute: Callable[[], T]) -> T:
        """``compute()``, worked out once for this instruction's lines at this place under this
        SHELL: a later parse of the file with those lines unchanged and unmoved (the language
        server parses again on every keystroke) gets the same value. ``compute`` must read
        nothing but the instruction itself (its keyword, text, positions, heredocs, SHELL)
        and return nothing that refers to the instruction, its stage or its file."""
        try:
            return self.memos[self.shell][key]
        except KeyError:
            value = self.memos.setdefault(self.shell, {})[key] = compute()
            return value

    @property
    def keyword_span(self) -> Span:
        first = len(self.text) - len(self.text.lstrip())
        return self.span(first, first + len(self.keyword))

    @property
    def whole_span(self) -> Span:
        return self.span(0, len(self.text.rstrip()))

    @_remembered_property
    def _flags_and_rest(self) -> tuple[tuple[Word, ...], int]:
        return _flags_and_rest(self.text, self.args_start, self.escape)

    @_remembered_property
    def flags(self) -> list[Word]:
        """``--name=value`` flags (``RUN --mount=…``, ``COPY --from=…``, ``FROM --platform=…``)."""
        return list(self._flags_and_rest[0])

    def flag(self, name: str) -> Word | None:
        return next((f for f in self.flags if f.value.split("=", 1)[0] == f"--{name}"), None)

    def flag_values(self, name: str) -> list[str]:
        return [f.value.split("=", 1)[1] for f in self.flags if f.value.startswith(f"--{name}=")]

    @property
    def rest_start(self) -> int:
        """Offset of the arguments after the flags."""
        return self._flags_and_rest[1]

    @property
    def arguments(self) -> str:
        return self.text[self.rest_start :].rstrip()

    @_remembered_property
    def words(self) -> list[Word]:
        return list(_words(self.arguments, self.rest_start, self.escape))

    @_remembered_property
    def json_arguments(self) -> list[str] | None:
        """The exec-form (JSON array) arguments, or None for shell form."""
        parsed = _json_arguments(self.arguments)
        return None if parsed is None else list(parsed)

    @_remembered_property
    def key_values(self) -> list[KeyValue]:
        return list(_key_values(self.arguments, self.rest_start, self.escape, self.keyword != "ARG"))

    @_remembered_property
    def scripts(self) -> list[Script]:
        """The shell code a ``RUN`` executes: its command line, and the heredoc bodies a
        shell runs (``RUN <<EOF``, ``RUN bash <<EOF``; not ``RUN python3 <<EOF``)."""
        if self.keyword != "RUN" or self.json_arguments is not None or not _is_posix_shell(self.shell):
            return []
        command_line = Script(self.arguments, _shifted(self.map, self.rest_start))
        return [command_line] + [Script(doc.body, doc.map) for doc in self.heredocs if self._runs_as_shell(doc, command_line)]

    def _runs_as_shell(self, heredoc: Heredoc, command_line: Script) -> bool:
        if len(self.heredocs) == 1 and self.arguments.strip() == heredoc.word.raw:
            # BuildKit runs a lone heredoc itself: as the script of the SHELL in force, or,
            # with a "#!" line, as an executable file.
            return not heredoc.body.startswith("#!") or _interpreter(heredoc.body) in SHELLS
        offset = heredoc.word.start - self.rest_start
        for command in command_line.commands:
            if any(redirect.start <= offset < redirect.end for redirect in command.redirects):
                arguments = command.arguments_from_program()
                reads_stdin = not any(re.fullmatch(r"-[A-Za-z]*c[A-Za-z]*", word.value) for word in arguments[1:])
                return command.name in SHELLS and reads_stdin
        return False


def _interpreter(body: str) -> str:
    """The program of a ``#!`` line (``#!/usr/bin/env python3`` gives ``python3``)."""
    words = body.split("\n", 1)[0][2:].split()
    if words and words[0].rsplit("/", 1)[-1] == "env":
        words = [word for word in words[1:] if not word.startswith("-")]
    return words[0].rsplit("/", 1)[-1] if words else ""


def _is_posix_shell(shell: tuple[str, ...]) -> bool:
    return not shell or shell[0].rsplit("/", 1)[-1].lower() in SHELLS


def _shifted(source: SourceMap, offset: int) -> SourceMap:
    """A map for the text starting at ``offset`` of ``source``'s text."""
    shifted = SourceMap()
    for start, position, end in zip(source.starts, source.positions, source.ends):
        if end <= offset:
            continue
        skip = max(offset - start, 0)
        shifted.add(max(start - offset, 0), Position(position.line, position.column + skip), end - start - skip)
    if not shifted.starts:
        shifted.add(0, source.position(source.ends[-1], is_end=True), 0)
    return shifted


@dataclass
class Stage:
    index: int
    from_instruction: Instruction
    image_word: Word
    image_text: str  # after global ARG substitution
    image_resolved: bool  # every variable had a value
    name: str | None
    name_word: Word | None
    base_stage: "Stage | None"  # FROM <earlier stage>
    instructions: list[Instruction] = field(default_factory=list)

    @cached_property
    def image(self) -> ImageRef | None:
        """The external base image, or None for a stage base or an unresolvable reference."""
        if self.base_stage is not None or not self.image_resolved or not self.image_text:
            return None
        return ImageRef.parse(self.image_text)

    @property
    def image_span(self) -> Span:
        word = self.image_word
        return self.from_instruction.remembered("image span", lambda: self.from_instruction.span(word.start, word.end))

    def image_part_span(self, part: str) -> Span:
        """The span of the tag (``":latest"``) or digest (``"@sha256:…"``) of the base image
        if written literally; without that part, the span of what is written before the
        digest; the whole image word when it has variables or quotes."""
        return self.from_instruction.remembered(("image part span", part), lambda: self._image_part_span(part))

    def _image_part_span(self, part: str) -> Span:
        word = self.image_word
        if "$" in word.raw or word.raw != word.value:
            return self.image_span
        start, end = ImageRef.part_offsets(word.raw, part)
        return self.from_instruction.span(word.start + start, word.start + end)

    def user_instructions(self) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == "USER"]


class Comment(NamedTuple):  # a tuple: a parse makes one per comment line, on every keystroke
    line: int
    text: str  # without the leading '#', stripped
    column: int  # of the '#'


@dataclass
class Dockerfile:
    source: SourceText
    directives: dict[str, str]  # lower-case keys: "syntax", "escape", "check"
    escape: str
    instructions: list[Instruction]
    stages: list[Stage]
    global_args: dict[str, str]  # ARGs before the first FROM whose value is known
    comments: list[Comment]
    _analyses: dict = field(default_factory=dict, repr=False, compare=False)

    def analysed(self, key, compute: Callable[["Dockerfile"], T]) -> T:
        """``compute(self)``, worked out once per parse for all the rules that read it."""
        try:
            return self._analyses[key]
        except KeyError:
            value = self._analyses[key] = compute(self)
            return value

    @property
    def final_stage(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    @property
    def problems(self) -> tuple:
        """A Dockerfile that parsed has none (a YAML stream may have some broken documents)."""
        return ()

    def suppression_scope(self, line: int) -> tuple[int, int]:
        """The lines a suppression comment on ``line`` covers: the next instruction's."""
        for instruction in self.instructions:
            if instruction.end_line > line:
                return instruction.start_line, instruction.end_line
        return line, line

    def stage_named(self, name: str) -> Stage | None:
        return self._stages_by_name.get(name.lower())

    @cached_property
    def _stages_by_name(self) -> dict[str, Stage]:
        named: dict[str, Stage] = {}
        for stage in self.stages:
            if stage.name:
                named.setdefault(stage.name.lower(), stage)  # the first stage of each name
        return named


def parse_dockerfile(source: SourceText) -> Dockerfile:
    nul = source.text.find("\x00")
    if nul >= 0:
        raise DockerfileError("binary file (contains NUL bytes)", Span(source.position(nul), source.position(nul + 1)))
    lines = source.lines
    directives = _directives(lines)
    escape = directives.get("escape", "\\")
    instructions, comments = _Scanner(lines, escape).scan()
    return _build_stages(source, directives, escape, instructions, comments)


def _directives(lines: list[str]) -> dict[str, str]:
    """The parser directives: leading ``# key=value`` comments with a known key."""
    directives: dict[str, str] = {}
    for number, line in enumerate(lines):
        indent = len(line) - len(line.lstrip())
        match = _DIRECTIVE.match(line, indent)
        if not match or match.group(1).lower() not in DIRECTIVES:
            break
        key, value = match.group(1).lower(), match.group(2)
        if key in directives:
            raise DockerfileError(f"only one {key} parser directive can be used", Span.on_line(number, indent, len(line.rstrip())))
        if key == "escape" and value not in ("\\", "`"):
            raise DockerfileError(f"invalid escape directive {value!r}: must be \\ or `", Span.on_line(number, match.start(2), match.end(2)))
        directives[key] = value
    return directives


class _Scanner:
    """Groups source lines into instructions, collecting comments and heredoc bodies."""

    def __init__(self, lines: list[str], escape: str):
        self.lines = lines
        self.escape = escape
        self.continuation = re.compile(rf"(?<!{re.escape(escape)}){re.escape(escape)}[ \t]*$")
        self.comments: list[Comment] = []
        self.number = 0

    def scan(self) -> tuple[list[Instruction], list[Comment]]:
        instructions = []
        unknown: Instruction | None = None
        while self.number < len(self.lines):
            if self._skip_comment_or_blank():
                continue
            instruction = self._instruction()
            if instruction.keyword not in INSTRUCTIONS and unknown is None:
                unknown = instruction  # reported after the scan: a template found later explains it better
            instructions.append(instruction)
        if unknown is not None:
            raise DockerfileError(f"unknown instruction '{unknown.text.split()[0]}'", unknown.keyword_span)
        if not instructions:
            raise DockerfileError("empty Dockerfile: no instructions")
        return instructions, self.comments

    def _skip_comment_or_blank(self) -> bool:
        line = self.lines[self.number]
        stripped = line.lstrip()
        if stripped.startswith("#"):
            self.comments.append(Comment(self.number, stripped[1:].strip(), len(line) - len(stripped)))
        elif stripped:
            return False
        self.number += 1
        return True

    def _instruction(self) -> Instruction:
        start = self.number
        key = (self.escape, self.lines[start])
        variants = _SCANNED.get(key)
        if variants:
            # The one scanned at this place if there is one (a file may repeat an instruction).
            found = None
            for scanned in variants:
                if self._continues_as(scanned):
                    if scanned.start_line == start:
                        found = scanned
                        break
                    found = found or scanned
            if found is not None:
                _SCANNED.move_to_end(key)
                return self._reuse(key, found)
        comments_before = len(self.comments)
        instruction, complete = self._scan_instruction()
        instruction.source_lines = tuple(self.lines[start : self.number])
        if complete:  # not cut short by the end of the file, where more lines may come
            _remember(key, _Scanned.of(instruction, tuple(self.comments[comments_before:])))
        return instruction

    def _continues_as(self, scanned: "_Scanned") -> bool:
        """Whether the lines from here on are ``scanned``'s (the first is, by its key)."""
        count = len(scanned.lines)
        return count == 1 or tuple(self.lines[self.number : self.number + count]) == scanned.lines

    def _reuse(self, key: tuple[str, str], scanned: "_Scanned") -> Instruction:
        """An instruction scanned before from the same lines, maybe at another line."""
        lines = self.number - scanned.start_line
        self.number += len(scanned.lines)
        if scanned.comments:
            self.comments.extend(Comment(c.line + lines, c.text, c.column) for c in scanned.comments)
        fields = scanned.fields
        if not lines:  # at the same place: a copy of what the scan made (fewer calls than __init__)
            instruction = object.__new__(Instruction)
            instruction.__dict__.update(fields)
            instruction.heredocs = list(fields["heredocs"])
            return instruction
        instruction = Instruction(
            fields["keyword"], fields["text"], _moved_map(fields["map"], lines), fields["start_line"] + lines, fields["end_line"] + lines, self.escape, fields["args_start"]
        )
        instruction.heredocs = [
            dataclasses.replace(doc, map=_moved_map(doc.map, lines), start_line=doc.start_line + lines, end_line=doc.end_line + lines) for doc in fields["heredocs"]
        ]
        instruction.source_lines = scanned.lines
        # What was remembered holds positions: start afresh, here, for the next parse.
        _remember(key, _Scanned.of(instruction, tuple(self.comments[len(self.comments) - len(scanned.comments) :])))
        return instruction

    def _scan_instruction(self) -> tuple[Instruction, bool]:
        """The instruction, and whether it ended before the end of the file (its last line
        does not continue)."""
        start = end = self.number
        parts = []
        source_map = SourceMap()
        offset = 0
        continued = True
        while continued and self.number < len(self.lines):
            if self.number > start and self._skip_comment_or_blank():
                continue
            line = self.lines[self.number]
            match = self.continuation.search(line) if line.rstrip(" \t").endswith(self.escape) else None
            continued = match is not None
            piece = line[: match.start()] if match else line
            source_map.add(offset, Position(self.number, 0), len(piece))
            parts.append(piece)
            offset += len(piece)
            end = self.number
            self.number += 1
        text = "".join(parts)
        keyword = _KEYWORD.match(text)
        if keyword is None:
            raise DockerfileError("a line continuation with no instruction after it", Span.on_line(start, 0, len(self.lines[start])))
        instruction = Instruction(keyword.group(1).upper(), text, source_map, start, end, self.escape)
        _reject_template(instruction, keyword.group(1))
        if self._can_contain_heredoc(instruction):
            for word in split_words(text):
                heredoc = self._heredoc(instruction, word)
                if heredoc is not None:
                    instruction.heredocs.append(heredoc)
                    instruction.end_line = heredoc.end_line
        return instruction, not continued

    @staticmethod
    def _can_contain_heredoc(instruction: Instruction) -> bool:
        keyword = instruction.keyword
        if keyword == "ONBUILD":
            words = instruction.text.split(None, 2)
            keyword = words[1].upper() if len(words) > 1 else ""
        return keyword in HEREDOC_INSTRUCTIONS and "<<" in instruction.text and instruction.json_arguments is None

    def _heredoc(self, instruction: Instruction, word: Word) -> Heredoc | None:
        """Read the body of the heredoc ``word`` starts, if it starts one (BuildKit: a word
        ``[fd]<<[-]NAME``, NAME one word, its quotes removed)."""
        match = _HEREDOC_WORD.fullmatch(word.raw)
        if match is None or not match.group(3):
            return None
        names = split_words(match.group(3))
        if len(names) != 1:
            return None
        delimiter, strip_tabs = names[0].value, match.group(2) == "-"
        body_start = self.number
        body = []
        body_map = SourceMap()
        offset = 0
        while self.number < len(self.lines):
            line = self.lines[self.number]
            content = line.lstrip("\t") if strip_tabs else line
            if content == delimiter:
                break
            body_map.add(offset, Position(self.number, len(line) - len(content)), len(content) + 1)
            body.append(content + "\n")
            offset += len(content) + 1
            self.number += 1
        else:
            raise DockerfileError(f"unterminated heredoc: no line '{delimiter}' ends it", instruction.span(word.start, word.end))
        if not body_map.starts:
            body_map.add(0, Position(self.number, 0), 0)
        self.number += 1
        return Heredoc(delimiter, strip_tabs, "".join(body), body_map, body_start, self.number - 1, word)


@dataclass(frozen=True)
class _Scanned:
    """An instruction as scanned from ``lines``, and the comments inside its continuation."""

    lines: tuple[str, ...]
    start_line: int
    comments: tuple[Comment, ...]
    # The instruction's fields as the scan made it, before the parse gave it a stage and a
    # SHELL; its memos are shared with every instruction made from this record at its place.
    fields: dict

    @classmethod
    def of(cls, instruction: Instruction, comments: tuple[Comment, ...]) -> "_Scanned":
        # Not the instruction itself: each parse needs its own (stage and shell differ), and
        # keeping it would keep its whole Dockerfile alive.
        fields = {field.name: getattr(instruction, field.name) for field in dataclasses.fields(Instruction)}
        fields.update(_stage=None, shell=DEFAULT_SHELL, heredocs=tuple(instruction.heredocs))
        return cls(instruction.source_lines, instruction.start_line, comments, fields)


# The language server parses a file again on every keystroke, and only the edited
# instruction has changed: the others are taken from here, by their first line (and the
# escape character), after checking all their lines, and moved if lines were added above.
_SCANNED: OrderedDict[tuple[str, str], list[_Scanned]] = OrderedDict()
SCANNED_KEPT = 8192
VARIANTS_KEPT = 32


def _remember(key: tuple[str, str], scanned: _Scanned) -> None:
    found = _SCANNED.setdefault(key, [])
    found.insert(0, scanned)
    # Identical first lines: variants (`RUN set -eux; \`), and the same instruction at several
    # places (`ARG TARGETPLATFORM` in every stage), each place remembered on its own.
    del found[VARIANTS_KEPT:]
    _SCANNED.move_to_end(key)
    if len(_SCANNED) > SCANNED_KEPT:
        _SCANNED.popitem(last=False)


def _moved_map(source: SourceMap, lines: int) -> SourceMap:
    if not lines:
        return source  # never changed once built, so it can be shared
    return SourceMap(source.starts, [Position(p.line + lines, p.column) for p in source.positions], source.ends)


def _reject_template(instruction: Instruction, keyword: str) -> None:
    """Raise if the instruction holds template syntax (``{{ … }}``, ``{% … %}``) outside quotes."""
    if keyword.startswith(_TEMPLATE_OPENINGS):
        start = len(instruction.text) - len(instruction.text.lstrip())
        raise DockerfileError("a template ({{ … }}), not a plain Dockerfile: skipped", instruction.span(start, start + len(keyword)))
    text = instruction.text
    if not any(opening in text for opening in _TEMPLATE_OPENINGS):
        return
    quote = ""
    unclosed: set[str] = set()
    index = instruction.args_start
    while index < len(text):
        char = text[index]
        if quote:
            if char == quote:
                quote = ""
            elif char == instruction.escape and quote == '"':
                index += 1
        elif char in "'\"":
            quote = char
        elif char == instruction.escape:
            index += 1
        elif text.startswith(_TEMPLATE_OPENINGS, index) and text[index : index + 2] not in unclosed:
            opening = text[index : index + 2]
            closing = text.find(_TEMPLATE_CLOSINGS[opening], index + 2)
            if closing >= 0:
                raise DockerfileError("a template ({{ … }}), not a plain Dockerfile: skipped", instruction.span(index, closing + 2))
            unclosed.add(opening)  # no later one can be closed either
        index += 1


def _build_stages(source, directives, escape, instructions, comments) -> Dockerfile:
    stages: list[Stage] = []
    global_args: dict[str, str] = {}
    unknown_args = set(AUTOMATIC_ARGS)  # set, but to values not known here
    shell = DEFAULT_SHELL
    final_shells: dict[int, tuple[str, ...]] = {}  # the SHELL in force at each stage's end
    named: dict[str, Stage] = {}  # the latest stage of each lower-case name
    for instruction in instructions:
        if instruction.keyword == "FROM":
            stage = _new_stage(instruction, len(stages), named, global_args, unknown_args)
            if stages:
                final_shells[stages[-1].index] = shell
            stages.append(stage)
            if stage.name:
                named[stage.name.lower()] = stage
            instruction.stage = stage
            shell = final_shells[stage.base_stage.index] if stage.base_stage else _default_shell(stage)
            instruction.shell = shell
            continue
        if not stages:
            if instruction.keyword != "ARG":
                raise DockerfileError(f"{instruction.keyword} before the first FROM (only ARG may come first)", instruction.keyword_span)
            for pair in instruction.key_values:
                if not pair.has_value:
                    continue  # a value from --build-arg only: unset without one, unless declared before
                value, resolved = substitute(pair.value, global_args, unknown_args)
                if resolved:
                    global_args[pair.key] = value
                    unknown_args.discard(pair.key)
                else:
                    global_args.pop(pair.key, None)
                    unknown_args.add(pair.key)
            continue
        if instruction.keyword == "SHELL" and instruction.json_arguments:
            shell = tuple(instruction.json_arguments)
        instruction.shell = shell
        instruction.stage = stages[-1]
        stages[-1].instructions.append(instruction)
    if not stages:
        raise DockerfileError("no FROM instruction", instructions[0].keyword_span)
    return Dockerfile(source, directives, escape, instructions, stages, global_args, comments)


def _default_shell(stage: Stage) -> tuple[str, ...]:
    """``cmd /S /C`` on a Windows base image (by its name or ``--platform``), else ``/bin/sh -c``."""
    platform = " ".join(stage.from_instruction.flag_values("platform"))
    return WINDOWS_SHELL if _WINDOWS_IMAGE.search(stage.image_text) or platform.startswith("windows") else DEFAULT_SHELL


def _new_stage(instruction: Instruction, index: int, named: dict[str, Stage], global_args: dict[str, str], unknown_args: set[str]) -> Stage:
    words = instruction.words
    if not words:
        raise DockerfileError("FROM needs an image", instruction.keyword_span)
    image_word = words[0]
    name_word = None
    if len(words) == 3 and words[1].value.lower() == "as":
        name_word = words[2]
    elif len(words) != 1:
        raise DockerfileError("FROM takes an image and an optional 'AS name'", instruction.span(words[1].start, words[-1].end))
    image_text, resolved = substitute(image_word.value, global_args, unknown_args)
    return Stage(
        index=index,
        from_instruction=instruction,
        image_word=image_word,
        image_text=image_text,
        image_resolved=resolved,
        name=name_word.value if name_word else None,
        name_word=name_word,
        base_stage=named.get(image_text.lower()),
        instructions=[instruction],
    )
