"""HG109 sudo: a ``RUN`` calls ``sudo`` (or ``doas``)."""
from __future__ import annotations

from hullguard.dockerfile import Instruction
from hullguard.model import Format, Rule, RuleDocs, Severity
from hullguard.rules._each_instruction import each_instruction
from hullguard.rules._exec_form import exec_form_words
from hullguard.rules._shell import RunCommand, instruction_commands
from hullguard.words import Word

ELEVATORS = frozenset({"sudo", "doas"})


def _program(word: Word) -> str:
    return word.value.rsplit("/", 1)[-1]


def _elevator(command: RunCommand) -> Word | None:
    """The ``sudo``/``doas`` word in command position, directly or behind ``env``/``nohup``-style
    wrappers. ``Command.name`` skips these wrappers, so look at the words it skipped and the
    program itself."""
    words = command.command.words
    leading = words[: len(words) - len(command.from_program) + 1]
    for index, word in enumerate(leading):
        if word.value == "command" and index + 1 < len(leading) and leading[index + 1].value in ("-v", "-V"):
            return None  # `command -v sudo` looks sudo up, it does not run it
        if _program(word) in ELEVATORS and "=" not in word.value and not word.value.startswith("-"):  # not X=/bin/sudo
            return word
    return None


def check_instruction(instruction: Instruction):
    for run in instruction_commands(instruction):
        word = _elevator(run)
        if word is not None:
            yield RULE.finding(run.script.word_span(word), _message(word))
    exec_form = exec_form_words(instruction)
    if exec_form and _program(exec_form[0]) in ELEVATORS:
        yield RULE.finding(instruction.span(exec_form[0].start, exec_form[0].end), _message(exec_form[0]))


def _message(word: Word) -> str:
    return f"RUN calls {_program(word)}: build steps run as the current USER, switch with USER instead"


RULE = Rule(
    code="HG109",
    name="sudo",
    severity=Severity.WARNING,
    summary="RUN uses sudo",
    docs=RuleDocs(
        what="Checks the shell code every `RUN` executes — the command line, heredoc bodies run "
        "by a shell, and exec-form `RUN [\"sudo\", …]` — for `sudo` or `doas` in command "
        "position, also behind assignments and wrappers such as `env` or `nohup` "
        "(`env DEBIAN_FRONTEND=noninteractive sudo apt-get …`).",
        why="A build step runs as the user the last `USER` set; `sudo` is not needed to be root "
        "during the build and only works if the image ships sudo and a sudoers entry for that "
        "user. Both then stay in the image, so any process running as that user can become "
        "root at run time. sudo also behaves badly without a TTY (prompts, signal handling).",
        example="```dockerfile\nFROM debian:12\nUSER app\nRUN sudo apt-get update   # HG109\n```\n"
        "Fixed:\n```dockerfile\nFROM debian:12\nRUN apt-get update\nUSER app\n```",
        fix="None: move the privileged steps before the `USER` switch (or switch to `USER root` "
        "for them and back afterwards), and drop sudo from the image.",
        peers="hadolint DL3004.",
    ),
    checks={Format.DOCKERFILE: each_instruction(check_instruction, ("RUN",))},
    hadolint=("DL3004",),
)
