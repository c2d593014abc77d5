"""The Dockerfile document model.

dockerfile-parse gives the instruction structure; two of its gaps are closed before it
runs (../shared/notes/components.md): heredoc bodies would come out as fake instructions,
and a blank line inside a continuation ends the instruction early. Both kinds of line are
masked first. Exact spans are then computed from the source text, which dockerfile-parse
does not keep: every instruction gets a *logical line* (continuations joined, comments and
blank lines inside dropped) with a map back to source positions.
"""
from __future__ import annotations

import bisect
import io
import json
import re
from dataclasses import dataclass, field
from functools import cached_property

from dockerfile_parse import DockerfileParser

from hullguard.text import Position, SourceText, Span
from hullguard.words import Command, KeyValue, Word, parse_key_values, split_commands, split_words, substitute

INSTRUCTIONS = frozenset(
    "ADD ARG CMD COPY ENTRYPOINT ENV EXPOSE FROM HEALTHCHECK LABEL MAINTAINER ONBUILD RUN "
    "SHELL STOPSIGNAL USER VOLUME WORKDIR".split()
)
HEREDOC_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD"})
_DIRECTIVE = re.compile(r"^#\s*([A-Za-z]+)\s*=\s*(.*?)\s*$")
_HEREDOC = re.compile(r"<<(-?)([\"']?)([A-Za-z_][A-Za-z0-9_.-]*)\2")
_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
DEFAULT_SHELL = ("/bin/sh", "-c")
SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "busybox"})


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


@dataclass
class Script:
    """Shell code run by a ``RUN``: its command line or a heredoc body, with positions."""

    text: str
    map: SourceMap

    @cached_property
    def commands(self) -> list[Command]:
        return split_commands(self.text)

    def span(self, start: int, end: int) -> Span:
        return self.map.span(start, end)

    def word_span(self, word: Word) -> Span:
        return self.map.span(word.start, word.end)


@dataclass
class Heredoc:
    delimiter: str
    strip_tabs: bool
    body: str
    map: SourceMap
    start_line: int  # first body line
    end_line: int  # the delimiter line


@dataclass(frozen=True)
class ImageRef:
    """A parsed image reference. ``registry`` is None for Docker Hub."""

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
        if colon > slash:
            name, tag = name[:colon], name[colon + 1 :]
        registry = None
        first, sep, rest = name.partition("/")
        if sep and ("." in first or ":" in first or first == "localhost"):
            registry, name = first, rest
        return cls(registry, name, tag, digest or None)

    @property
    def is_scratch(self) -> bool:
        return self.registry is None and self.repository == "scratch"

    @property
    def name(self) -> str:
        return f"{self.registry}/{self.repository}" if self.registry else self.repository


@dataclass
class Instruction:
    keyword: str  # upper-case
    text: str  # the logical line: continuations joined
    map: SourceMap
    start_line: int
    end_line: int  # last line, heredoc bodies included
    escape: str
    args_start: int = 0  # offset of the first argument (flags included)
    heredocs: list[Heredoc] = field(default_factory=list)
    stage: "Stage | None" = None
    shell: tuple[str, ...] = DEFAULT_SHELL  # the SHELL in force for RUN

    def __post_init__(self) -> None:
        match = re.match(r"\s*\S+\s*", self.text)
        self.args_start = match.end() if match else len(self.text)

    def span(self, start: int, end: int) -> Span:
        return self.map.span(start, end)

    @property
    def keyword_span(self) -> Span:
        first = len(self.text) - len(self.text.lstrip())
        return self.span(first, first + len(self.keyword))

    @property
    def whole_span(self) -> Span:
        return self.span(0, len(self.text.rstrip()))

    @cached_property
    def _flags_and_rest(self) -> tuple[list[Word], int]:
        flags = []
        rest = self.args_start
        for word in split_words(self.text[self.args_start :], self.args_start, self.escape):
            if not word.raw.startswith("--"):
                rest = word.start
                break
            flags.append(word)
            rest = word.end
        else:
            rest = len(self.text)
        return flags, rest

    @property
    def flags(self) -> list[Word]:
        """``--name=value`` flags (``RUN --mount=…``, ``COPY --from=…``, ``FROM --platform=…``)."""
        return self._flags_and_rest[0]

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

    @cached_property
    def words(self) -> list[Word]:
        return split_words(self.arguments, self.rest_start, self.escape)

    @cached_property
    def json_arguments(self) -> list[str] | None:
        """The exec-form (JSON array) arguments, or None for shell form."""
        arguments = self.arguments.strip()
        if not arguments.startswith("["):
            return None
        try:
            parsed = json.loads(arguments)
        except ValueError:
            return None
        if isinstance(parsed, list) and all(isinstance(item, str) for item in parsed):
            return parsed
        return None

    @cached_property
    def key_values(self) -> list[KeyValue]:
        return parse_key_values(self.arguments, self.rest_start, self.escape, legacy_pairs=self.keyword != "ARG")

    @cached_property
    def scripts(self) -> list[Script]:
        """The shell code a ``RUN`` executes: its command line, and heredoc bodies fed to a shell."""
        if self.keyword != "RUN" or self.json_arguments is not None:
            return []
        if tuple(self.shell[:1]) and self.shell[0].rsplit("/", 1)[-1].lower() not in SHELLS:
            return []  # PowerShell or cmd: not POSIX shell
        command_line = Script(self.arguments, _shifted(self.map, self.rest_start))
        scripts = [command_line]
        if self.heredocs:
            program = _HEREDOC.sub("", self.arguments).split()
            runs_shell = not program or program[0].rsplit("/", 1)[-1] in SHELLS
            if runs_shell:
                scripts.extend(Script(doc.body, doc.map) for doc in self.heredocs)
        return scripts


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
    image_word: Word | None
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
        return self.from_instruction.span(word.start, word.end)

    def image_part_span(self, part: str) -> Span:
        """The span of the tag (``":latest"``) or digest of the base image, if written literally."""
        word = self.image_word
        if "$" in word.raw or word.raw != word.value:
            return self.image_span
        name, at, digest = word.raw.partition("@")
        if part == "digest" and at:
            return self.from_instruction.span(word.start + len(name), word.end)
        colon = name.rfind(":")
        if part == "tag" and colon > name.rfind("/"):
            return self.from_instruction.span(word.start + colon, word.start + len(name))
        return self.from_instruction.span(word.start, word.start + len(name))

    def user_instructions(self) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == "USER"]


@dataclass(frozen=True)
class Comment:
    line: int
    text: str  # without the leading '#', stripped
    column: int  # of the '#'


@dataclass
class Dockerfile:
    source: SourceText
    directives: dict[str, str]
    escape: str
    instructions: list[Instruction]
    stages: list[Stage]
    global_args: dict[str, str]
    comments: list[Comment]

    @property
    def final_stage(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def stage_named(self, name: str) -> Stage | None:
        lowered = name.lower()
        return next((s for s in self.stages if s.name and s.name.lower() == lowered), None)


def _directives(lines: list[str]) -> dict[str, str]:
    directives: dict[str, str] = {}
    for line in lines:
        match = _DIRECTIVE.match(line)
        if not match or match.group(1).lower() in directives:
            break
        directives[match.group(1).lower()] = match.group(2)
    return directives


def _is_continued(line: str, escape: str) -> bool:
    stripped = line.rstrip()
    return stripped.endswith(escape) and not stripped.lstrip().startswith("#")


def _scan_lines(lines: list[str], escape: str, first_line: int) -> tuple[list[str], dict[int, list[Heredoc]], list[Comment]]:
    """Mask heredoc bodies and in-continuation blank lines; collect heredocs and comments.

    Returns the masked lines, the heredocs keyed by the line their instruction starts on,
    and every comment line.
    """
    masked = list(lines)
    heredocs: dict[int, list[Heredoc]] = {}
    comments: list[Comment] = []
    in_continuation = False
    instruction_line = -1
    keyword = ""
    markers: list[re.Match] = []
    number = first_line
    while number < len(lines):
        line = lines[number]
        stripped = line.strip()
        if stripped.startswith("#"):
            comments.append(Comment(number, stripped[1:].strip(), line.index("#")))
            number += 1
            continue
        if not stripped:
            if in_continuation:
                masked[number] = "#"
            number += 1
            continue
        if not in_continuation:
            instruction_line = number
            keyword = stripped.split(None, 1)[0].upper()
            markers = []
        if keyword in HEREDOC_INSTRUCTIONS:
            markers.extend(_HEREDOC.finditer(line))
        in_continuation = _is_continued(line, escape)
        number += 1
        if in_continuation or not markers:
            continue
        for marker in markers:
            strip_tabs, delimiter = marker.group(1) == "-", marker.group(3)
            body_start = number
            body_lines = []
            body_map = SourceMap()
            offset = 0
            while number < len(lines):
                body_line = lines[number]
                candidate = body_line.lstrip("\t") if strip_tabs else body_line
                masked[number] = ""
                if candidate.rstrip("\r") == delimiter:
                    break
                indent = len(body_line) - len(candidate)
                body_map.add(offset, Position(number, indent), len(candidate) + 1)
                body_lines.append(candidate + "\n")
                offset += len(candidate) + 1
                number += 1
            else:
                raise DockerfileError(f"unterminated heredoc: no line '{delimiter}' ends it", Span.on_line(body_start - 1, marker.start(), marker.end()))
            if not body_map.starts:
                body_map.add(0, Position(number, 0), 0)
            heredocs.setdefault(instruction_line, []).append(
                Heredoc(delimiter, strip_tabs, "".join(body_lines), body_map, body_start, number)
            )
            number += 1
        markers = []
    return masked, heredocs, comments


def _logical_line(lines: list[str], start: int, end: int, escape: str) -> tuple[str, SourceMap]:
    """Join an instruction's lines; comment and blank lines inside a continuation are dropped."""
    parts = []
    source_map = SourceMap()
    offset = 0
    for number in range(start, end + 1):
        line = lines[number]
        if number > start and (not line.strip() or line.lstrip().startswith("#")):
            continue
        continued = _is_continued(line, escape) and number < end
        piece = line.rstrip()[:-1] if continued else line
        source_map.add(offset, Position(number, 0), len(piece))
        parts.append(piece)
        offset += len(piece)
    return "".join(parts), source_map


def parse_dockerfile(source: SourceText) -> Dockerfile:
    lines = [source.line(n) for n in range(source.line_count)]
    if not any(line.strip() and not line.lstrip().startswith("#") for line in lines):
        raise DockerfileError("empty Dockerfile: no instructions")
    directives = _directives(lines)
    escape = directives.get("escape", "\\")
    if escape not in ("\\", "`"):
        raise DockerfileError(f"invalid escape directive {escape!r}: must be \\ or `", Span.on_line(0, 0, len(lines[0])))
    masked, heredocs, comments = _scan_lines(lines, escape, 0)
    comment_lines = {comment.line for comment in comments}  # a template marker in a comment is harmless
    template = next((n for n, line in enumerate(masked) if n not in comment_lines and _TEMPLATE.search(line)), None)
    if template is not None:
        match = _TEMPLATE.search(masked[template])
        raise DockerfileError("a template ({{ … }}), not a plain Dockerfile: skipped", Span.on_line(template, match.start(), match.end()))

    parser = DockerfileParser(fileobj=io.BytesIO("\n".join(masked).encode("utf-8")))
    instructions: list[Instruction] = []
    for entry in parser.structure:
        keyword = entry["instruction"].upper()
        if keyword == "COMMENT":
            continue
        start, end = entry["startline"], entry["endline"]
        while end > start and not masked[end].strip():
            end -= 1  # dockerfile-parse counts masked heredoc lines after a continuation
        text, source_map = _logical_line(lines, start, end, escape)
        instruction = Instruction(keyword, text, source_map, start, end, escape, heredocs=heredocs.get(start, []))
        if keyword not in INSTRUCTIONS:
            raise DockerfileError(f"unknown instruction '{text.split()[0]}'", instruction.keyword_span)
        if instruction.heredocs:
            instruction.end_line = instruction.heredocs[-1].end_line
        instructions.append(instruction)
    return _build_stages(source, directives, escape, instructions, comments)


def _build_stages(source, directives, escape, instructions, comments) -> Dockerfile:
    stages: list[Stage] = []
    global_args: dict[str, str] = {}
    shell = DEFAULT_SHELL
    for instruction in instructions:
        if instruction.keyword == "FROM":
            instruction.stage = _new_stage(instruction, stages, global_args)
            stages.append(instruction.stage)
            shell = DEFAULT_SHELL
            continue
        elif not stages:
            if instruction.keyword != "ARG":
                raise DockerfileError(f"{instruction.keyword} before the first FROM (only ARG may come first)", instruction.keyword_span)
            for pair in instruction.key_values:
                global_args[pair.key] = substitute(pair.value, global_args)[0] if pair.has_value else global_args.get(pair.key, "")
            continue
        if instruction.keyword == "SHELL" and instruction.json_arguments:
            shell = tuple(instruction.json_arguments)
        instruction.shell = shell
        instruction.stage = stages[-1]
        stages[-1].instructions.append(instruction)
    if not stages:
        raise DockerfileError("no FROM instruction", instructions[0].keyword_span if instructions else None)
    return Dockerfile(source, directives, escape, instructions, stages, global_args, comments)


def _new_stage(instruction: Instruction, stages: list[Stage], global_args: dict[str, str]) -> Stage:
    words = instruction.words
    if not words:
        raise DockerfileError("FROM needs an image", instruction.keyword_span)
    image_word = words[0]
    name_word = None
    if len(words) >= 3 and words[1].value.lower() == "as":
        name_word = words[2]
    elif len(words) != 1:
        raise DockerfileError("FROM takes an image and an optional 'AS name'", instruction.span(words[1].start, words[-1].end))
    image_text, resolved = substitute(image_word.value, global_args)
    lowered = image_text.lower()
    base_stage = next((s for s in reversed(stages) if s.name and s.name.lower() == lowered), None)
    return Stage(
        index=len(stages),
        from_instruction=instruction,
        image_word=image_word,
        image_text=image_text,
        image_resolved=resolved,
        name=name_word.value if name_word else None,
        name_word=name_word,
        base_stage=base_stage,
        instructions=[instruction],
    )
