"""Offset-keeping lexers: Dockerfile argument words and shell commands.

Both keep, for every token, where it starts and ends in the text they were given, so a
rule can point at the exact characters that are wrong.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Word:
    raw: str  # as written, quotes included
    value: str  # quotes removed, escapes resolved
    start: int
    end: int


def split_words(text: str, base: int = 0, escape: str = "\\") -> list[Word]:
    """Split Dockerfile arguments into whitespace-separated words, honouring quotes."""
    words = []
    index = 0
    length = len(text)
    while index < length:
        if text[index].isspace():
            index += 1
            continue
        start = index
        value = []
        quote = ""
        while index < length and (quote or not text[index].isspace()):
            char = text[index]
            if char == escape and index + 1 < length and quote != "'":
                value.append(text[index + 1])
                index += 2
                continue
            if quote and char == quote:
                quote = ""
            elif not quote and char in "'\"":
                quote = char
            else:
                value.append(char)
            index += 1
        words.append(Word(text[start:index], "".join(value), base + start, base + index))
    return words


@dataclass(frozen=True)
class KeyValue:
    key: str
    key_start: int
    key_end: int
    value: str  # unquoted
    value_start: int  # the value's characters, quotes excluded
    value_end: int
    has_value: bool = True


def _unquoted_bounds(word: Word, offset: int) -> tuple[int, int]:
    """Start and end of a value inside ``word`` (from ``offset``), without enclosing quotes."""
    start, end = word.start + offset, word.end
    raw = word.raw[offset:]
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return start + 1, end - 1
    return start, end


def parse_key_values(text: str, base: int = 0, escape: str = "\\", legacy_pairs: bool = True) -> list[KeyValue]:
    """Parse ``ENV``/``ARG``/``LABEL`` arguments: ``K=V K2="v 2"`` or the legacy ``K V``."""
    words = split_words(text, base, escape)
    if not words:
        return []
    if legacy_pairs and "=" not in words[0].raw:
        key = words[0]
        if len(words) == 1:
            return [KeyValue(key.value, key.start, key.end, "", key.end, key.end, has_value=False)]
        rest_start = words[1].start
        rest = text[rest_start - base :].rstrip()
        value_end = rest_start + len(rest)
        if len(rest) >= 2 and rest[0] == rest[-1] and rest[0] in "'\"":
            return [KeyValue(key.value, key.start, key.end, rest[1:-1], rest_start + 1, value_end - 1)]
        return [KeyValue(key.value, key.start, key.end, " ".join(w.value for w in words[1:]), rest_start, value_end)]
    pairs = []
    for word in words:
        name, equals, _ = word.raw.partition("=")
        if not equals:
            pairs.append(KeyValue(word.value, word.start, word.end, "", word.end, word.end, has_value=False))
            continue
        value_start, value_end = _unquoted_bounds(word, len(name) + 1)
        pairs.append(KeyValue(name, word.start, word.start + len(name), word.value.partition("=")[2], value_start, value_end))
    return pairs


_VARIABLE = re.compile(r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-+])(?P<arg>[^}]*))?\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))")


def substitute(text: str, variables: dict[str, str]) -> tuple[str, bool]:
    """Expand ``$VAR``/``${VAR}``/``${VAR:-default}``/``${VAR:+alt}``.

    Returns the expanded text and whether every variable could be resolved.
    """
    resolved = True

    def expand(match: re.Match) -> str:
        nonlocal resolved
        name = match.group("braced") or match.group("bare")
        op, arg = match.group("op"), match.group("arg") or ""
        value = variables.get(name)
        if op in (":-", "-"):
            if value is None or (op == ":-" and value == ""):
                return arg
            return value
        if op in (":+", "+"):
            present = value is not None and (op == "+" or value != "")
            return arg if present else ""
        if value is None:
            resolved = False
            return match.group(0)
        return value

    return _VARIABLE.sub(expand, text), resolved


# --- shell -----------------------------------------------------------------------------

OPERATORS = ("&&", "||", ";;", "|&", "|", ";", "&", "\n", "(", ")")


@dataclass
class Command:
    """One simple command: its words, and the operator that ends it (``|``, ``&&``...)."""

    words: list[Word] = field(default_factory=list)
    terminator: str = ""

    @property
    def name(self) -> str:
        """The program run, skipping ``sudo``/``env``-style wrappers and assignments."""
        args = self.arguments_from_program()
        return args[0].value.rsplit("/", 1)[-1] if args else ""

    def arguments_from_program(self) -> list[Word]:
        words = list(self.words)
        while words:
            first = words[0].value
            if re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", first):
                words.pop(0)
            elif first in ("sudo", "env", "exec", "nice", "nohup", "time", "command", "doas"):
                words.pop(0)
                while words and words[0].value.startswith("-"):
                    words.pop(0)
            else:
                break
        return words

    def values(self) -> list[str]:
        return [word.value for word in self.words]


def split_commands(script: str, base: int = 0) -> list[Command]:
    """Lex a POSIX shell script into simple commands with word offsets.

    Not a full shell parser: it knows quotes, escapes, comments, ``$(...)`` and the
    control operators, which is what the rules need to find programs and their flags.
    """
    commands = [Command()]
    index = 0
    length = len(script)
    while index < length:
        char = script[index]
        if char in " \t\r":
            index += 1
            continue
        if char == "\\" and index + 1 < length and script[index + 1] == "\n":
            index += 2
            continue
        if char == "#":
            while index < length and script[index] != "\n":
                index += 1
            continue
        operator = next((op for op in OPERATORS if script.startswith(op, index)), None)
        if operator:
            if commands[-1].words:
                commands[-1].terminator = operator
                commands.append(Command())
            index += len(operator)
            continue
        start = index
        value = []
        quote = ""
        depth = 0
        while index < length:
            char = script[index]
            if quote == "'":
                if char == "'":
                    quote = ""
                else:
                    value.append(char)
                index += 1
                continue
            if char == "\\" and index + 1 < length:
                if script[index + 1] != "\n":
                    value.append(script[index + 1])
                index += 2
                continue
            if char == '"':
                quote = "" if quote else '"'
                index += 1
                continue
            if quote:
                value.append(char)
                index += 1
                continue
            if char == "'":
                quote = "'"
                index += 1
                continue
            if script.startswith("$(", index):
                depth += 1
                value.append("$(")
                index += 2
                continue
            if char == ")" and depth:
                depth -= 1
                value.append(char)
                index += 1
                continue
            if depth == 0 and (char in " \t\r" or any(script.startswith(op, index) for op in OPERATORS)):
                break
            value.append(char)
            index += 1
        commands[-1].words.append(Word(script[start:index], "".join(value), base + start, base + index))
    if not commands[-1].words:
        commands.pop()
    return commands


def pipelines(commands: list[Command]) -> list[list[Command]]:
    """Group commands joined by ``|`` into pipelines."""
    groups: list[list[Command]] = []
    current: list[Command] = []
    for command in commands:
        current.append(command)
        if command.terminator not in ("|", "|&"):
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups
