"""HG604 missing-pipefail: a RUN pipeline whose early failures cannot fail the build."""
from __future__ import annotations

import json
import re

from hullguard.context import RuleContext
from hullguard.dockerfile import DEFAULT_SHELL, Dockerfile, Instruction, Script, Stage
from hullguard.edits import insert_line_before, leading_whitespace
from hullguard.images import external_base, is_alpine_like
from hullguard.model import Applicability, Fix, Format, Rule, RuleDocs, Severity
from hullguard.rules._shell import RunCommand, script_commands, stage_chain
from hullguard.text import Span
from hullguard.words import Command

PIPES = ("|", "|&")
_O_CLUSTER = re.compile(r"^-[A-Za-z]*o$")  # -o, -eo, -euxo: the next argument is an option name
_KEEPS_PROGRAM = frozenset({"bash", "zsh", "ksh", "mksh", "ash"})  # support -o pipefail as they are


def _sets_pipefail(arguments: list[str]) -> bool:
    return any(value == "pipefail" and index and _O_CLUSTER.match(arguments[index - 1]) for index, value in enumerate(arguments))


def _shell_in_force(instruction: Instruction) -> tuple[str, ...]:
    """The SHELL a RUN runs with; a stage with no SHELL of its own before the RUN inherits the
    last SHELL of the stage it builds FROM."""
    stage = instruction.stage
    for earlier in stage.instructions:
        if earlier is instruction:
            break
        if earlier.keyword == "SHELL" and earlier.json_arguments:
            return instruction.shell
    for base in stage_chain(stage)[1:]:
        shells = [i.json_arguments for i in base.instructions if i.keyword == "SHELL" and i.json_arguments]
        if shells:
            return tuple(shells[-1])
    return instruction.shell


def _run_by_shell_in_force(instruction: Instruction, index: int, script: Script) -> bool:
    """The command line is; a heredoc body is when the RUN is nothing but the heredoc
    (``RUN <<EOF``) and the body has no ``#!`` line of its own."""
    if index == 0:
        return True
    command_line = instruction.scripts[0].commands
    return all(word.raw.startswith("<<") for command in command_line for word in command.words) and not script.text.startswith("#!")


def _case_pattern_pipes(commands: list[Command]) -> set[int]:
    """Indexes of the commands whose ``|`` separates ``case`` patterns (``amd64|arm64)``):
    the lexer reads them as pipes. Patterns follow ``case … in`` and each ``;;``, up to ``)``."""
    found = set()
    in_patterns = False
    for index, command in enumerate(commands):
        values = command.values()
        if values[:1] == ["case"] and "in" in values:
            in_patterns = values[-1] != "in"  # `case $x in a|b)`: the first pattern is on this command
        elif values[:1] == ["esac"]:
            in_patterns = False
        if in_patterns and command.terminator in PIPES:
            found.add(index)
        elif in_patterns and command.terminator == ")":
            in_patterns = False
        if command.terminator in (";;", ";&", ";;&") or (values[:1] == ["case"] and values[-1] == "in"):
            in_patterns = True
    return found


def _unprotected_pipe(script: Script, commands: list[RunCommand]) -> Span | None:
    """The first ``|`` not preceded by ``set -o pipefail`` in the script."""
    patterns = _case_pattern_pipes([command.command for command in commands])
    for index, run in enumerate(commands):
        if run.name == "set" and _sets_pipefail([word.value for word in run.arguments]):
            return None
        command = run.command
        if command.terminator in PIPES and index not in patterns:
            return script.span(command.terminator_start, command.terminator_start + len(command.terminator))
    return None


def _unprotected_pipes(instruction: Instruction) -> tuple[Span | None, ...]:
    """``_unprotected_pipe`` of each of the RUN's scripts."""
    return tuple(_unprotected_pipe(script, commands) for script, commands in script_commands(instruction))


def _pipefail_shell(stage: Stage, shell: tuple[str, ...]) -> list[str] | None:
    """The SHELL to insert: the same shell with ``-o pipefail``, or bash (ash on Alpine and
    BusyBox, which ship no bash) instead of ``/bin/sh``, which is dash on Debian and has no pipefail."""
    program = shell[0].rsplit("/", 1)[-1] if shell else "sh"
    if shell == DEFAULT_SHELL or program in ("sh", "dash"):
        executable = "/bin/ash" if is_alpine_like(external_base(stage)) else "/bin/bash"
        return [executable, "-o", "pipefail", "-c"]
    if program in _KEEPS_PROGRAM:
        return [shell[0], "-o", "pipefail", *shell[1:]]
    return None


def _shell_fix(dockerfile: Dockerfile, anchor: Instruction, shell: list[str]) -> Fix:
    """Insert the SHELL line before ``anchor`` (and before the comments right above it, so a
    suppression comment keeps applying to the RUN)."""
    comment_lines = {comment.line for comment in dockerfile.comments}
    previous_end = max((i.end_line for i in dockerfile.instructions if i.end_line < anchor.start_line), default=-1)
    line = anchor.start_line
    while line - 1 in comment_lines and line - 1 > previous_end:
        line -= 1
    source = dockerfile.source
    keyword = "SHELL" if source.slice(anchor.keyword_span).isupper() else "shell"
    indent = leading_whitespace(source.line(anchor.start_line))
    text = f"{indent}{keyword} {json.dumps(shell)}"
    return Fix(f"Insert {keyword} {json.dumps(shell)} before this RUN", Applicability.UNSAFE, (insert_line_before(line, text),))


def check_dockerfile(dockerfile: Dockerfile, context: RuleContext):
    for stage in dockerfile.stages:
        anchor = None  # the first RUN of the current SHELL's reach that the fix covers
        for instruction in stage.instructions:
            if instruction.keyword == "SHELL":
                anchor = None
            if instruction.keyword != "RUN":
                continue
            pipes = instruction.remembered(_unprotected_pipes, lambda: _unprotected_pipes(instruction))
            if not any(pipes):
                continue
            shell = _shell_in_force(instruction)
            if _sets_pipefail(list(shell[1:])):
                continue
            for index, span in enumerate(pipes):
                if span is None:
                    continue
                fixes = []
                replacement = _pipefail_shell(stage, shell) if _run_by_shell_in_force(instruction, index, instruction.scripts[index]) else None
                if replacement is not None:
                    anchor = anchor or instruction
                    fixes.append(_shell_fix(dockerfile, anchor, replacement))
                yield RULE.finding(span, "pipe without pipefail: only the last command of the pipeline can fail the build", fixes)
                break


RULE = Rule(
    code="HG604",
    name="missing-pipefail",
    severity=Severity.WARNING,
    summary="RUN pipeline without pipefail",
    docs=RuleDocs(
        what="Reports a shell-form `RUN` whose code contains a pipeline (`|`) while neither the `SHELL` in "
        "force (the default `/bin/sh -c`, or a `SHELL` without `-o pipefail`; a stage without a `SHELL` "
        "of its own inherits the one of the stage it builds `FROM`) nor a `set -o pipefail` (also "
        "`set -euo pipefail` and the like) earlier in the same script turns pipefail on. Heredoc bodies run "
        "by a shell are read too. One finding per `RUN`, on the first unprotected `|`. Exec-form `RUN` and "
        "non-POSIX shells (PowerShell) are not checked.",
        why="A pipeline's exit status is that of its last command only: in "
        "`curl -fsSL $URL | tee /usr/local/bin/tool` a failed download still ends with `tee` succeeding, so "
        "the build goes on with an empty or truncated file and fails later, somewhere harder to trace (or "
        "not at all). With pipefail, any failing command of the pipeline fails the `RUN`.",
        example="```dockerfile\nFROM debian:bookworm-slim\n"
        "RUN curl -fsSL https://example.com/tool.tar.gz | tar -xz   # HG604 on |\n```\n"
        "Fixed:\n```dockerfile\nFROM debian:bookworm-slim\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n"
        "RUN curl -fsSL https://example.com/tool.tar.gz | tar -xz\n```",
        fix="Unsafe (changes the shell of every later `RUN` of the stage): inserts "
        "`SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before the first offending `RUN` of the stage "
        "(with that `RUN`'s indentation, above any comments directly over it), which then covers all later "
        "`RUN`s up to the next `SHELL`. `/bin/sh` is dash on Debian-based images, which has no pipefail, "
        "hence bash; Alpine and BusyBox bases have no bash, so they get `SHELL [\"/bin/ash\", \"-o\", "
        "\"pipefail\", \"-c\"]`; a `SHELL` already running bash, zsh, ksh or ash is repeated with "
        "`-o pipefail` added. A pipeline in a heredoc run by an explicit program (`RUN bash <<EOF`, or a "
        "body with its own `#!` line) is not governed by `SHELL`: add `set -o pipefail` to the script instead.",
        peers="hadolint DL4006.",
    ),
    checks={Format.DOCKERFILE: check_dockerfile},
    fix=Applicability.UNSAFE,
    hadolint=("DL4006",),
)
