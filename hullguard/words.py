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


def _word_pattern(escape: str) -> re.Pattern:
    e = re.escape(escape)
    # plain characters | an escaped character | '…' | "…" (either quote may be unterminated)
    return re.compile(rf"""(?:[^\s'"{e}]+|{e}.|{e}$|'[^']*'?|"(?:[^"{e}]|{e}.|{e}$)*"?)+""", re.S)


_WORD_PATTERNS = {escape: _word_pattern(escape) for escape in ("\\", "`")}


def _unquote(raw: str, escape: str) -> str:
    """A word's value: quotes removed, escapes resolved."""
    value = []
    quote = ""
    index = 0
    length = len(raw)
    while index < length:
        char = raw[index]
        if char == escape and index + 1 < length and quote != "'":
            following = raw[index + 1]
            if quote == '"' and following not in ('"', "$", escape):
                value.append(char)
                index += 1
                continue
            value.append(following)
            index += 2
            continue
        if quote and char == quote:
            quote = ""
        elif not quote and char in "'\"":
            quote = char
        else:
            value.append(char)
        index += 1
    return "".join(value)


def iter_words(text: str, base: int = 0, escape: str = "\\"):
    """Yield Dockerfile argument words, whitespace-separated, honouring quotes.

    BuildKit's rules: single quotes are literal; inside double quotes the escape character
    escapes only ``"``, ``$`` and itself; outside quotes it escapes any character.
    """
    pattern = _WORD_PATTERNS.get(escape) or _word_pattern(escape)
    for match in pattern.finditer(text):
        raw = match.group()
        value = _unquote(raw, escape) if "'" in raw or '"' in raw or escape in raw else raw
        yield Word(raw, value, base + match.start(), base + match.end())


def split_words(text: str, base: int = 0, escape: str = "\\") -> list[Word]:
    return list(iter_words(text, base, escape))


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


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MAX_BRACED = 100


def substitute(text: str, variables: dict[str, str], unknown: frozenset[str] | set[str] = frozenset()) -> tuple[str, bool]:
    """Expand ``$VAR``, ``${VAR}``, ``${VAR:-default}``, ``${VAR-default}``, ``${VAR:+alt}``
    and ``${VAR+alt}`` (defaults may nest: ``${A:-${B}}``), the way BuildKit does in ``FROM``.

    Returns the expanded text and whether every variable could be resolved. A variable
    without a value (``variables.get(name)`` is None) counts as unset, so a default applies,
    but ``$VAR`` alone cannot be resolved; a variable in ``unknown`` has a value that cannot
    be known here, so no expression of it resolves. Unresolved parts, ``${VAR:?message}``
    without a value and the pattern modifiers (``${VAR%.*}``) keep their text as written.
    """
    if "$" not in text:
        return text, True
    if text.count("${") > _MAX_BRACED:
        return text, False  # not a real reference; keeps pathological input cheap
    out = []
    resolved = True
    index = 0
    length = len(text)
    while index < length:
        dollar = text.find("$", index)
        if dollar < 0 or dollar + 1 >= length:  # a "$" at the very end is itself
            out.append(text[index:])
            break
        out.append(text[index:dollar])
        index = dollar
        if text[index + 1] == "{":
            piece, ok, index = _expand_braced(text, index, variables, unknown)
            out.append(piece)
            resolved = resolved and ok
            continue
        name = _NAME.match(text, index + 1)
        if name is None:
            out.append("$")
            index += 1
            continue
        value = None if name.group() in unknown else variables.get(name.group())
        if value is None:
            out.append("$" + name.group())
            resolved = False
        else:
            out.append(value)
        index = name.end()
    return "".join(out), resolved


def _expand_braced(text: str, start: int, variables: dict[str, str], unknown: frozenset[str] | set[str]) -> tuple[str, bool, int]:
    """Expand the ``${…}`` at ``start``; returns its value, resolved?, and the offset after it."""
    name = _NAME.match(text, start + 2)
    close = _closing_brace(text, start + 2)
    written = text[start:close]
    if name is None or text[close - 1] != "}" or name.group() in unknown:
        return written, False, close
    value = variables.get(name.group())
    rest = text[name.end() : close - 1]
    if not rest:
        return (written, False, close) if value is None else (value, True, close)
    operator = rest[:2] if rest[0] == ":" else rest[:1]
    if operator not in (":-", "-", ":+", "+", ":?", "?"):
        return written, False, close  # pattern modifiers: not evaluated here
    argument, ok = substitute(text[name.end() + len(operator) : close - 1], variables, unknown)
    is_set = value is not None and (value != "" or ":" not in operator)
    if operator in (":-", "-"):
        return (value, True, close) if is_set else (argument, ok, close)
    if operator in (":+", "+"):
        return (argument, ok, close) if is_set else ("", True, close)
    return (value, True, close) if is_set else (written, False, close)


def _closing_brace(text: str, index: int) -> int:
    """The offset just after the ``}`` closing a ``${`` whose name starts at ``index``."""
    depth = 1
    while index < len(text):
        if text.startswith("${", index):
            depth += 1
            index += 2
            continue
        if text[index] == "}":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return len(text)


# --- shell -----------------------------------------------------------------------------

OPERATORS = ("&&", "||", ";;", "|&", "|", ";", "&", "\n", "(", ")")
_REDIRECT = re.compile(r"(\d*)(<<<|<<-|<<|<>|<&|>&|>>|>\||<|>|&>>|&>)")
_WORD_BREAKS = frozenset(" \t\r\n;&|()<>")
_PLAIN_RUN = re.compile(r"[^\\'\"$`\s;&|()<>]+")  # characters with no special meaning in a word
_BLANKS = re.compile(r"(?:[ \t\r]|\\\n)+")  # between words: blanks and line continuations
_OPERATOR = re.compile("|".join(re.escape(op) for op in OPERATORS))  # the first of OPERATORS that matches
_OPERATOR_STARTS = frozenset(op[0] for op in OPERATORS)
_REDIRECT_STARTS = frozenset("0123456789<>&")
# Words that may stand before the program of a simple command.
_RESERVED = frozenset({"!", "{", "if", "then", "else", "elif", "do", "while", "until"})
# Wrappers that run the rest of their arguments as a command, and which of their options
# take a separate value.
_WRAPPERS = {
    "sudo": frozenset("-u -g -C -D -h -p -R -r -t -T -U --user --group --chdir --chroot --close-from --host --prompt --role --type --command-timeout --other-user".split()),
    "doas": frozenset({"-u", "-C"}),
    "env": frozenset({"-u", "-C", "-S", "--unset", "--chdir", "--split-string"}),
    "exec": frozenset({"-a"}),
    "nice": frozenset({"-n", "--adjustment"}),
    "nohup": frozenset(),
    "time": frozenset({"-f", "-o", "--format", "--output"}),
    "command": frozenset(),
}
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\+?=")


@dataclass(frozen=True)
class Redirect:
    """A redirection: ``> /dev/null``, ``2>&1``, ``<<EOF`` (operator with its file descriptor)."""

    operator: str  # as written, fd included: ">", "2>&", "<<-"
    target: Word | None  # the file, descriptor or here-document delimiter
    start: int
    end: int


@dataclass
class Command:
    """One simple command: its words, and the operator that ends it (``|``, ``&&``...).

    Redirections are not words: they are in ``redirects``, so ``words[1:]`` are the
    program's arguments. A here-document's body is skipped, never lexed as commands.
    """

    words: list[Word] = field(default_factory=list)
    terminator: str = ""
    terminator_start: int = -1  # offset of the terminator in the script (-1: none)
    redirects: list[Redirect] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The program run, skipping ``sudo``/``env``-style wrappers and assignments."""
        args = self.arguments_from_program()
        return args[0].value.rsplit("/", 1)[-1] if args else ""

    def arguments_from_program(self) -> list[Word]:
        """The words from the program on (a suffix of ``words``): leading assignments,
        reserved words (``then``, ``do``, ``!``) and wrappers with their options are skipped."""
        words = self.words
        index = 0
        while index < len(words):
            first = words[index].value
            if _ASSIGNMENT.match(first) or first in _RESERVED:
                index += 1
            elif first in _WRAPPERS:
                takes_value = _WRAPPERS[first]
                index += 1
                while index < len(words) and words[index].value.startswith("-") and words[index].value != "-":
                    option = words[index].value
                    index += 1
                    if option == "--":
                        break
                    if option in takes_value:
                        index += 1
            else:
                break
        return words[index:]

    def values(self) -> list[str]:
        return [word.value for word in self.words]


def split_commands(script: str, base: int = 0) -> list[Command]:
    """Lex a POSIX shell script into simple commands with word offsets.

    Not a full shell parser: it knows quotes, escapes, comments, ``$(...)``/``${...}``/
    backquotes, redirections, here-documents and the control operators, which is what the
    rules need to find programs and their flags.
    """
    return _ShellLexer(script, base).run()


class _ShellLexer:
    """One pass over a script: commands in order, each with its words and redirections."""

    def __init__(self, script: str, base: int):
        self.script = script
        self.base = base
        self.commands: list[Command] = []
        self.current = Command()
        self.pending_heredocs: list[tuple[str, bool]] = []

    def run(self) -> list[Command]:
        script = self.script
        index = 0
        length = len(script)
        while index < length:
            char = script[index]
            if char in " \t\r\\" and (blanks := _BLANKS.match(script, index)) is not None:
                index = blanks.end()
            elif char == "#":
                newline = script.find("\n", index)
                index = length if newline < 0 else newline
            elif char in _REDIRECT_STARTS and (redirect := self._redirect(index)) is not None:
                index = redirect
            elif char in _OPERATOR_STARTS:
                operator = _OPERATOR.match(script, index).group()
                self._end_command(operator, index)
                index += len(operator)
                if operator == "\n" and self.pending_heredocs:
                    index = self._skip_heredoc_bodies(index)
            else:
                word, index = self._word(index)
                self.current.words.append(word)
        self._end_command("", -1)
        return self.commands

    def _end_command(self, operator: str, index: int) -> None:
        if self.current.words:
            if operator:
                self.current.terminator = operator
                self.current.terminator_start = self.base + index
            self.commands.append(self.current)
        self.current = Command()

    def _redirect(self, index: int) -> int | None:
        """Lex a redirection at ``index``; returns the offset after it, or None if there is none."""
        match = _REDIRECT.match(self.script, index)
        if match is None:
            return None
        operator = match.group(2)
        if operator in ("<", ">") and self.script.startswith("(", match.end()):
            return None  # process substitution <(…): a word
        if operator.startswith("&") and match.group(1):
            return None  # "2&>" is not a redirection
        target = None
        end = match.end()
        position = end
        while position < len(self.script) and self.script[position] in " \t":
            position += 1
        if position < len(self.script) and (self.script[position] not in _WORD_BREAKS | {"#"} or self.script.startswith(("<(", ">("), position)):
            target, end = self._word(position)
        self.current.redirects.append(Redirect(match.group(0), target, self.base + index, self.base + end))
        if operator in ("<<", "<<-") and target is not None:
            self.pending_heredocs.append((target.value, operator == "<<-"))
        return end

    def _skip_heredoc_bodies(self, index: int) -> int:
        """Skip the here-document bodies that start after a newline; returns where lexing goes on."""
        script = self.script
        for delimiter, strip_tabs in self.pending_heredocs:
            while index < len(script):
                newline = script.find("\n", index)
                line_end = len(script) if newline < 0 else newline
                line = script[index:line_end].rstrip("\r")
                index = line_end + 1 if newline >= 0 else line_end
                if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                    break
        self.pending_heredocs = []
        return min(index, len(script))

    def _word(self, index: int) -> tuple[Word, int]:
        """Lex one word at ``index``; returns it and the offset after it."""
        script = self.script
        length = len(script)
        start = index
        plain = _PLAIN_RUN.match(script, index)
        if plain is not None and (plain.end() == length or script[plain.end()] in _WORD_BREAKS):
            text = plain.group()  # most words: nothing to unquote
            return Word(text, text, self.base + start, self.base + plain.end()), plain.end()
        value: list[str] = []
        while index < length:
            plain = _PLAIN_RUN.match(script, index)
            if plain:
                value.append(plain.group())
                index = plain.end()
                continue
            char = script[index]
            if char == "\\":
                if index + 1 < length and script[index + 1] != "\n":
                    value.append(script[index + 1])
                index += 2
            elif char == "'":
                close = script.find("'", index + 1)
                close = length if close < 0 else close
                value.append(script[index + 1 : close])
                index = close + 1
            elif script.startswith("$'", index):
                index = self._ansi_c_quoted(index + 2, value)
            elif char == '"' or script.startswith('$"', index):
                index = self._double_quoted(index + (2 if char == "$" else 1), value)
            elif script.startswith(("$(", "${", "<(", ">("), index) or char == "`":
                end = _skip_substitution(script, index)
                value.append(script[index:end])
                index = end
            elif char in _WORD_BREAKS:
                break
            else:
                value.append(char)
                index += 1
        index = min(index, length)
        return Word(script[start:index], "".join(value), self.base + start, self.base + index), index

    def _double_quoted(self, index: int, value: list[str]) -> int:
        script = self.script
        length = len(script)
        while index < length:
            char = script[index]
            if char == '"':
                return index + 1
            if char == "\\" and index + 1 < length:
                following = script[index + 1]
                if following in '$`"\\':
                    value.append(following)
                elif following != "\n":
                    value.append(script[index : index + 2])
                index += 2
            elif script.startswith(("$(", "${"), index) or char == "`":
                end = _skip_substitution(script, index)
                value.append(script[index:end])
                index = end
            else:
                value.append(char)
                index += 1
        return length

    def _ansi_c_quoted(self, index: int, value: list[str]) -> int:
        script = self.script
        while index < len(script):
            char = script[index]
            if char == "'":
                return index + 1
            if char == "\\" and index + 1 < len(script):
                value.append(script[index : index + 2])
                index += 2
                continue
            value.append(char)
            index += 1
        return len(script)


def _skip_substitution(script: str, index: int) -> int:
    """The offset after the ``$(…)``, ``${…}``, ``<(…)`` or backquoted text at ``index``,
    nested quotes and substitutions included."""
    length = len(script)
    if script[index] == "`":
        closers = ["`"]
        index += 1
    else:
        closers = [")" if script[index + 1] == "(" else "}"]
        index += 2
    while index < length and closers:
        char = script[index]
        closer = closers[-1]
        if char == "\\":
            index += 2
        elif closer in ('"', "`") and char == closer:
            closers.pop()
            index += 1
        elif closer == "`":
            index += 1
        elif script.startswith(("$(", "${"), index):
            closers.append(")" if script[index + 1] == "(" else "}")
            index += 2
        elif char == "`":
            closers.append("`")
            index += 1
        elif closer == '"':
            index += 1
        elif char == '"':
            closers.append('"')
            index += 1
        elif char == "'" and closer == ")":
            close = script.find("'", index + 1)
            index = length if close < 0 else close + 1
        elif char == "(" and closer == ")":
            closers.append(")")
            index += 1
        elif char == closer:
            closers.pop()
            index += 1
        else:
            index += 1
    return min(index, length)


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
