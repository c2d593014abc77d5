"""Shell helpers shared by the rules that read the code a ``RUN`` executes (HG206, HG207,
HG601-HG604): walking its commands, reading a program's options the way the program does
(``-fsSLk`` is four curl flags, ``-o file`` takes a value), and finding package installs
with their package words.

Everything works on ``Instruction.scripts``: the command line and the heredoc bodies fed
to a POSIX shell, never exec-form (JSON) arguments or a PowerShell ``SHELL``. Their commands
come as ``RunCommand`` objects made once per instruction and shared by all the rules, so a
command's program, tool and install are worked out once per lint.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

from hullguard.dockerfile import Dockerfile, Instruction, Script, Stage
from hullguard.text import Span
from hullguard.words import Command, Word, pipelines

SHELL_PROGRAMS = frozenset({"sh", "bash", "zsh", "ash", "dash", "ksh", "mksh"})
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


# --- walking the commands of RUN instructions --------------------------------------------


def run_instructions(dockerfile: Dockerfile) -> Iterator[Instruction]:
    """Every ``RUN`` whose code is POSIX shell (shell form, a sh-family ``SHELL``)."""
    for instruction in dockerfile.instructions:
        if instruction.keyword == "RUN" and instruction.scripts:
            yield instruction


class RunCommand:
    """One command of a ``RUN``'s shell code, with the script it is in.

    What the rules read of it (its program, the tool, the install, the assignments) is worked
    out once and kept: ``instruction_commands`` gives every rule of a lint the same objects,
    so each is worked out once per command, not once per rule.
    """

    def __init__(self, script: Script, command: Command):
        self.script = script
        self.command = command
        self.from_program = command.arguments_from_program()  # the words from the program on
        self.program: Word | None = self.from_program[0] if self.from_program else None  # after ``sudo``/``env`` and assignments
        self.arguments: list[Word] = self.from_program[1:]  # after the program (redirections are not words)
        self.name = _file_name(self.program) if self.program is not None else ""  # as ``Command.name``
        self.tool: Tool | None = _tool(self.program, self.name, self.arguments) if self.program is not None else None
        self._install: Install | None | object = _UNSET  # worked out on first use, as few rules need it
        self._assignments: list[Word] | None = None

    @property
    def install(self) -> Install | None:
        if self._install is _UNSET:
            self._install = _install(self.tool) if self.tool is not None else None
        return self._install

    @property
    def assignments(self) -> list[Word]:
        """``NAME=value`` words the command sets: prefix assignments (``A=1 cmd``, ``env A=1 cmd``)
        and ``export``/``declare -x`` arguments."""
        if self._assignments is None:
            words = self.command.words
            found = [w for w in words[: len(words) - len(self.from_program)] if _ASSIGNMENT.match(w.value)]
            if self.name in ("export", "declare", "typeset", "readonly"):
                found.extend(w for w in self.arguments if _ASSIGNMENT.match(w.value))
            self._assignments = found
        return self._assignments


_UNSET = object()  # not worked out yet (None is a result)


def instruction_commands(instruction: Instruction) -> list[RunCommand]:
    """The commands of one ``RUN`` in execution order: command line, then heredoc bodies.

    Computed once per instruction and shared by every rule, and by later parses while the
    instruction is unchanged (``Instruction.remembered``: the commands do not refer back to it).
    """
    return instruction.remembered(instruction_commands, lambda: [RunCommand(script, command) for script in instruction.scripts for command in script.commands])


def run_commands(dockerfile: Dockerfile) -> Iterator[tuple[Instruction, RunCommand]]:
    for instruction in run_instructions(dockerfile):
        for command in instruction_commands(instruction):
            yield instruction, command


def script_commands(instruction: Instruction) -> list[tuple[Script, list[RunCommand]]]:
    """``instruction_commands`` script by script: the command line, then the heredoc bodies."""
    commands = instruction_commands(instruction)
    return [(script, [command for command in commands if command.script is script]) for script in instruction.scripts]


def run_pipelines(commands: list[RunCommand]) -> list[list[RunCommand]]:
    """``words.pipelines`` of one script's commands."""
    grouped = []
    start = 0
    for pipeline in pipelines([command.command for command in commands]):
        grouped.append(commands[start : start + len(pipeline)])
        start += len(pipeline)
    return grouped


def run_installs(instruction: Instruction) -> list[tuple[int, RunCommand]]:
    """The install commands of one ``RUN`` with their position among its commands."""
    return instruction.remembered(run_installs, lambda: [(position, command) for position, command in enumerate(instruction_commands(instruction)) if command.install is not None])


def stage_chain(stage: Stage) -> list[Stage]:
    """The stage and the stages it builds ``FROM``, nearest first."""
    chain = []
    seen = set()
    current: Stage | None = stage
    while current is not None and current.index not in seen:
        seen.add(current.index)
        chain.append(current)
        current = current.base_stage
    return chain


def shipped_stages(dockerfile: Dockerfile) -> set[int]:
    """Indexes of the stages whose layers end up in an image: the final stage and every
    stage some stage builds ``FROM`` (a stage only ``COPY --from``-ed leaves its layers behind)."""
    shipped = {dockerfile.stages[-1].index}
    shipped.update(stage.base_stage.index for stage in dockerfile.stages if stage.base_stage is not None)
    return shipped


# --- options --------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionSpec:
    """Which of a program's options take a value: short letters, long names."""

    short_values: str = ""
    long_values: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Option:
    name: str  # "-k", "--insecure"
    value: str | None
    start: int  # script offsets of the option's own characters (the letter in a cluster)
    end: int
    value_start: int = -1  # script offsets of its value, when it has one
    value_end: int = -1


@dataclass
class Arguments:
    options: list[Option] = field(default_factory=list)
    operands: list[Word] = field(default_factory=list)

    def get(self, *names: str) -> Option | None:
        return next((option for option in self.options if option.name in names), None)

    def all(self, *names: str) -> list[Option]:
        return [option for option in self.options if option.name in names]


def _inner(word: Word, start: int, end: int) -> tuple[int, int]:
    """Offsets of ``word.raw[start:end]`` when the word is written without quotes or escapes
    (so its characters map one to one); the whole word otherwise."""
    if word.raw == word.value:
        return word.start + start, word.start + end
    return word.start, word.end


def parse_arguments(words: list[Word], spec: OptionSpec = OptionSpec()) -> Arguments:
    """Read options GNU-style (anywhere, ``--`` ends them), clusters and attached values."""
    parsed = Arguments()
    index = 0
    while index < len(words):
        word = words[index]
        text = word.value
        index += 1
        if text == "--":
            parsed.operands.extend(words[index:])
            break
        if text.startswith("--"):
            name, equals, value = text.partition("=")
            start, end = _inner(word, 0, len(name))
            if equals:
                value_start, value_end = _inner(word, len(name) + 1, len(text))
                parsed.options.append(Option(name, value, start, end, value_start, value_end))
            elif name in spec.long_values and index < len(words):
                value_word = words[index]
                index += 1
                parsed.options.append(Option(name, value_word.value, start, end, value_word.start, value_word.end))
            else:
                parsed.options.append(Option(name, None, start, end))
            continue
        if text.startswith("-") and len(text) > 1:
            for position in range(1, len(text)):
                letter = text[position]
                # the letter inside a cluster (the k of -fsSLk), the whole word for a lone -k
                start, end = _inner(word, position, position + 1) if len(text) > 2 else (word.start, word.end)
                if letter not in spec.short_values:
                    parsed.options.append(Option("-" + letter, None, start, end))
                    continue
                if position + 1 < len(text):
                    value_start, value_end = _inner(word, position + 1, len(text))
                    parsed.options.append(Option("-" + letter, text[position + 1 :], start, end, value_start, value_end))
                elif index < len(words):
                    value_word = words[index]
                    index += 1
                    parsed.options.append(Option("-" + letter, value_word.value, start, end, value_word.start, value_word.end))
                else:
                    parsed.options.append(Option("-" + letter, None, start, end))
                break
            continue
        parsed.operands.append(word)
    return parsed


def option_span(script: Script, option: Option) -> Span:
    return script.span(option.start, option.end)


def value_span(script: Script, option: Option) -> Span:
    return script.span(option.value_start, option.value_end)


# The options of the programs the rules read that take a value (from their manuals).
CURL = OptionSpec(
    "AbcCdDeEFHKmoPQrTtuUwxXyYz",
    frozenset({"--output", "--header", "--data", "--data-raw", "--data-binary", "--user", "--user-agent", "--request",
               "--proxy", "--cacert", "--capath", "--cert", "--key", "--config", "--max-time", "--retry", "--url",
               "--connect-timeout", "--output-dir", "--write-out", "--referer", "--cookie", "--form", "--range"}),
)
WGET = OptionSpec(
    "OoaeiBtTwQPUlARDIX",
    frozenset({"--output-document", "--output-file", "--append-output", "--execute", "--input-file", "--tries",
               "--timeout", "--wait", "--directory-prefix", "--user-agent", "--header", "--user", "--password",
               "--ca-certificate", "--certificate", "--private-key", "--post-data", "--level"}),
)
FETCH = OptionSpec("oNST", frozenset())
APT = OptionSpec(
    "octa",
    frozenset({"--option", "--config-file", "--target-release", "--default-release", "--host-architecture"}),
)
APK = OptionSpec(
    "Xtp",
    frozenset({"--repository", "--virtual", "--root", "--arch", "--cache-dir", "--keys-dir", "--repositories-file",
               "--cache-max-age", "--timeout"}),
)
PIP = OptionSpec(
    "rceiftC",
    frozenset({"--requirement", "--constraint", "--editable", "--index-url", "--extra-index-url", "--find-links",
               "--trusted-host", "--target", "--prefix", "--root", "--src", "--platform", "--python-version",
               "--implementation", "--abi", "--only-binary", "--no-binary", "--progress-bar", "--cache-dir", "--log",
               "--proxy", "--retries", "--timeout", "--exists-action", "--cert", "--client-cert",
               "--upgrade-strategy", "--global-option", "--config-settings", "--report", "--python"}),
)
NPM = OptionSpec(
    "w",
    frozenset({"--prefix", "--registry", "--cache", "--userconfig", "--globalconfig", "--tag", "--workspace", "--omit",
               "--include", "--loglevel", "--location", "--install-strategy", "--save-prefix"}),
)
GEM = OptionSpec(
    "vinsPg",
    frozenset({"--version", "--install-dir", "--bindir", "--source", "--trust-policy", "--platform", "--file",
               "--build-root"}),
)
YUM = OptionSpec(
    "cdexR",
    frozenset({"--setopt", "--enablerepo", "--disablerepo", "--releasever", "--installroot", "--exclude", "--repo",
               "--repoid", "--config"}),
)
GIT = OptionSpec("cC", frozenset({"--git-dir", "--work-tree", "--namespace", "--exec-path"}))


# --- programs -------------------------------------------------------------------------

_PIP = re.compile(r"^pip(\d+(\.\d+)?)?$")
PYTHON = re.compile(r"^python(\d+(\.\d+)?)?$")
_FAMILIES = {
    "apt-get": "apt", "apt": "apt",
    "apk": "apk",
    "npm": "npm",
    "gem": "gem",
    "yum": "yum", "dnf": "yum", "microdnf": "yum", "tdnf": "yum",
}


@dataclass
class Tool:
    """A program recognised in a command: its family and the words after it."""

    family: str  # "apt", "apk", "pip", "npm", "gem", "yum", or the program name
    program: Word  # the word naming it (``python3`` for ``python3 -m pip``)
    arguments: list[Word]  # after the program (after ``-m pip``)

    @property
    def name(self) -> str:
        """The program as messages name it: ``apt-get``, ``pip3``, ``python3 -m pip``."""
        name = _file_name(self.program)
        return f"{name} -m pip" if self.family == "pip" and not name.startswith("pip") else name


def _file_name(program: Word) -> str:
    return program.value.rsplit("/", 1)[-1]


def _tool(program: Word, name: str, arguments: list[Word]) -> Tool:
    if _PIP.match(name):
        return Tool("pip", program, arguments)
    if PYTHON.match(name):
        if len(arguments) >= 2 and arguments[0].value == "-m" and arguments[1].value == "pip":
            return Tool("pip", program, arguments[2:])
        if arguments and arguments[0].value == "-mpip":
            return Tool("pip", program, arguments[1:])
    return Tool(_FAMILIES.get(name, name), program, arguments)


# --- package installs -----------------------------------------------------------------

SPECS = {"apt": APT, "apk": APK, "pip": PIP, "npm": NPM, "gem": GEM, "yum": YUM}
_INSTALL_SUBCOMMANDS = {
    "apt": {"install"},
    "apk": {"add"},
    "pip": {"install"},
    "npm": {"install", "i", "add", "in", "isntall"},
    "gem": {"install", "i"},
    "yum": {"install", "groupinstall", "localinstall", "reinstall"},
}


@dataclass
class Install:
    """A package-manager install command, e.g. ``apt-get install -y curl``."""

    tool: Tool
    subcommand: Word  # ``install``/``add``
    arguments: Arguments  # every option and operand after the program
    packages: list[Word]  # operands after the subcommand

    @property
    def family(self) -> str:
        return self.tool.family


def _install(tool: Tool) -> Install | None:
    if tool.family not in _INSTALL_SUBCOMMANDS:
        return None
    arguments = parse_arguments(tool.arguments, SPECS[tool.family])
    if not arguments.operands or arguments.operands[0].value not in _INSTALL_SUBCOMMANDS[tool.family]:
        return None
    return Install(tool, arguments.operands[0], arguments, arguments.operands[1:])


def covers(path: str, directory: str) -> bool:
    """Whether ``path`` (an ``rm`` argument or a mount target, globs allowed at the end)
    is ``directory`` or one of its parents."""
    path = path.rstrip("*").rstrip("/")
    return bool(path) and (directory == path or directory.startswith(path + "/"))
