"""HG206 pipe-to-shell: code downloaded in a RUN is executed straight away (``curl … | sh``)."""
from __future__ import annotations

import re

from hullguard.dockerfile import Instruction, Script
from hullguard.model import Format, Rule, RuleDocs, Severity
from hullguard.rules._each_instruction import each_instruction
from hullguard.rules._shell import (
    CURL, FETCH, PYTHON, SHELL_PROGRAMS, WGET, RunCommand, parse_arguments, run_pipelines, script_commands,
)

DOWNLOADERS = {"curl": CURL, "wget": WGET, "fetch": FETCH}
# Interpreter options that give the program on the command line (so stdin is data), and
# options that take a value (so the next word is not a script file).
_CODE_OPTIONS = {"python": "cm", "perl": "eE", "ruby": "e", "node": "ep"}
_VALUE_OPTIONS = {"shell": "oO", "python": "WX", "perl": "IM", "ruby": "Ir", "node": "r"}
_NODE_CODE_LONG = ("--eval", "--print")
_NODE_VALUE_LONG = ("--require", "--import", "--loader")
# $(curl …), `curl …`, <(curl …): the download's output becomes code or a script file
_SUBSTITUTED_DOWNLOAD = re.compile(r"^(?:\$\(|`|<\()\s*(?:sudo\s+)?(curl|wget|fetch)\b")


def _interpreter(name: str) -> str | None:
    if name in SHELL_PROGRAMS:
        return "shell"
    if PYTHON.match(name):
        return "python"
    if name in ("perl", "ruby", "node", "nodejs"):
        return "node" if name == "nodejs" else name
    return None


def _writes_to_stdout(command: RunCommand) -> bool:
    """curl writes to stdout unless told a file; wget and fetch write a file unless ``-O -``."""
    name = command.name
    arguments = parse_arguments(command.arguments, DOWNLOADERS[name])
    if name == "curl":
        if arguments.get("-O", "--remote-name", "--remote-name-all"):
            return False
        return all(option.value == "-" for option in arguments.all("-o", "--output"))
    outputs = arguments.all("-O", "--output-document") if name == "wget" else arguments.all("-o")
    return any(option.value in ("-", "/dev/stdout") for option in outputs)


def _reads_program_from_stdin(command: RunCommand, kind: str) -> bool:
    """Whether the interpreter runs what comes on stdin: no script file or inline code given,
    or stdin asked for explicitly (``-``, ``sh -s``)."""
    arguments = [word.value for word in command.arguments]
    index = 0
    while index < len(arguments):
        argument = arguments[index]
        index += 1
        if argument == "-":
            return True
        if argument == "--":
            return kind == "shell" and index == len(arguments)
        if kind == "node" and argument.split("=", 1)[0] in _NODE_CODE_LONG:
            return False
        if argument.startswith("--"):
            if kind == "node" and argument in _NODE_VALUE_LONG:
                index += 1
            continue
        if argument[:1] in "-+" and len(argument) > 1:
            letters = argument[1:]
            if kind == "shell" and "s" in letters:
                return True
            if ("c" in letters) if kind == "shell" else (letters[0] in _CODE_OPTIONS[kind]):
                return False
            if letters[-1] in _VALUE_OPTIONS[kind]:
                index += 1  # `-o pipefail`, `-W ignore`: the next word is the option's value
            continue
        return False  # a script file
    return True


def _runs_stdin(command: RunCommand) -> bool:
    kind = _interpreter(command.name)
    return kind is not None and _reads_program_from_stdin(command, kind)


def _pipe_findings(script: Script, commands: list[RunCommand]):
    """``curl … | sh``: the first downloader of a pipeline and a later stage that runs stdin."""
    for pipeline in run_pipelines(commands):
        position = next((i for i, c in enumerate(pipeline) if c.name in DOWNLOADERS and _writes_to_stdout(c)), None)
        if position is None:
            continue
        downloader = pipeline[position]
        runner = next((c for c in pipeline[position + 1 :] if _runs_stdin(c)), None)
        if runner is not None:
            span = script.span(downloader.command.words[0].start, runner.program.end)
            yield span, f"{downloader.name} output is piped into {runner.name}: downloaded code runs without any integrity check"


def _substitution_findings(script: Script, commands: list[RunCommand]):
    """``sh -c "$(curl …)"``, ``eval "$(curl …)"``, ``bash <(curl …)``, ``bash < <(curl …)``."""
    for command in commands:
        if not (_interpreter(command.name) or command.name in ("eval", "source", ".")):
            continue
        targets = [redirect.target for redirect in command.command.redirects if redirect.target is not None]
        for word in [*command.arguments, *targets]:
            match = _SUBSTITUTED_DOWNLOAD.match(word.value)
            if match:
                span = script.span(command.command.words[0].start, word.end)
                yield span, f"{command.name} runs the output of {match.group(1)}: downloaded code runs without any integrity check"
                break


def check_instruction(instruction: Instruction):
    for script, commands in script_commands(instruction):
        for span, message in (*_pipe_findings(script, commands), *_substitution_findings(script, commands)):
            yield RULE.finding(span, message)


RULE = Rule(
    code="HG206",
    name="pipe-to-shell",
    severity=Severity.ERROR,
    summary="Downloaded script piped straight into a shell",
    docs=RuleDocs(
        what="Finds `RUN` code that downloads something with `curl`, `wget` or `fetch` and runs it at "
        "once: a pipeline into a shell or interpreter (`sh`, `bash`, `zsh`, `ash`, `dash`, `ksh`, `python`, "
        "`perl`, `ruby`, `node`, also behind `sudo`/`env`), `sh -c \"$(curl …)\"`, `eval \"$(curl …)\"` and "
        "`bash <(curl …)`. Heredoc bodies run by a shell are read too. An interpreter given a script file or "
        "inline code (`python3 -c …`, `sh -c …`) only reads the download as data and is not reported, nor is "
        "`wget`/`fetch` writing to a file. The finding spans the whole construct, from the downloader's first "
        "word to the program word of the shell (`curl -fsSL https://x | sh`).",
        why="Whatever the server, a compromised CDN or anyone able to tamper with the connection sends is "
        "executed as root during the build, and nothing records what it was: the next build may run something "
        "else. A truncated download can also run half a script.",
        example="```dockerfile\nFROM debian:bookworm-slim\nRUN curl -fsSL https://example.com/install.sh | sh   # HG206\n```\n"
        "Fixed:\n```dockerfile\nFROM debian:bookworm-slim\nARG INSTALL_SH_SHA256=<known checksum>\n"
        "RUN curl -fsSLo /tmp/install.sh https://example.com/install.sh \\\n"
        " && echo \"${INSTALL_SH_SHA256}  /tmp/install.sh\" | sha256sum -c - \\\n"
        " && sh /tmp/install.sh && rm /tmp/install.sh\n```",
        fix="No automatic fix: the checksum to verify against has to come from you. Download the script to "
        "a file, verify it (a published SHA-256, or a signature), then run it; better still, install the "
        "software from a package manager or `COPY --from` an official image.",
        peers="No direct peer: hadolint DL4006 is about `pipefail`, not about running downloads.",
    ),
    checks={Format.DOCKERFILE: each_instruction(check_instruction, ("RUN",))},
)
