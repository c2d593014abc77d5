"""rules/_shell.py: the RUN commands every shell rule walks, worked out once per lint."""
from __future__ import annotations

import gc
import weakref

from hullguard.dockerfile import parse_dockerfile
from hullguard.rules import _shell
from hullguard.text import SourceText


def runs(text: str):
    dockerfile = parse_dockerfile(SourceText(text))
    return dockerfile, [i for i in dockerfile.instructions if i.keyword == "RUN"]


def test_every_rule_gets_the_same_commands_with_what_they_read():
    _, (run,) = runs("FROM debian\nRUN sudo -E apt-get install -y curl && export A=1 && python3 -m pip install x\n")
    commands = _shell.instruction_commands(run)
    assert _shell.instruction_commands(run) is commands
    assert [(c.name, c.tool.family, c.program.value) for c in commands] == [
        ("apt-get", "apt", "apt-get"),
        ("export", "export", "export"),
        ("python3", "pip", "python3"),
    ]
    assert [c.name for c in commands] == [c.command.name for c in commands]
    assert [w.value for w in commands[0].arguments] == ["install", "-y", "curl"]
    assert [w.value for w in commands[0].install.packages] == ["curl"]
    assert [w.value for w in commands[1].assignments] == ["A=1"]
    assert commands[1].install is None
    assert commands[2].install.tool.name == "python3 -m pip"


def test_commands_keep_no_instruction_alive():
    dockerfile, instructions = runs("FROM debian\nRUN a | b\nRUN <<EOF\nc\nEOF\n")
    commands = [_shell.instruction_commands(instruction) for instruction in instructions]
    alive = [weakref.ref(instruction) for instruction in instructions] + [weakref.ref(dockerfile)]
    del dockerfile, instructions
    gc.collect()
    assert all(ref() is None for ref in alive)  # kept for the next parse, without their file
    assert [[c.name for c in found] for found in commands] == [["a", "b"], ["c"]]


def test_a_later_parse_shares_the_commands_of_unchanged_instructions():
    _, (first, second) = runs("FROM debian\nRUN a | b\nRUN c\n")
    _, (first_again, second_edited) = runs("FROM debian\nRUN a | b\nRUN c d\n")
    assert _shell.instruction_commands(first_again) is _shell.instruction_commands(first)
    assert [c.name for c in _shell.instruction_commands(second_edited)] == ["c"]
    assert [w.value for w in _shell.instruction_commands(second_edited)[0].arguments] == ["d"]
    _, (moved, _) = runs("FROM debian\n\nRUN a | b\nRUN c\n")
    assert _shell.instruction_commands(moved) is not _shell.instruction_commands(first)  # positions differ
    assert moved.scripts[0].map.positions[0].line == 2


def test_commands_follow_the_shell_in_force():
    _, (run,) = runs("FROM debian\nRUN a | b\n")
    assert [c.name for c in _shell.instruction_commands(run)] == ["a", "b"]
    _, (powershell_run,) = runs('FROM debian\nSHELL ["pwsh", "-c"]\nRUN a | b\n')
    assert _shell.instruction_commands(powershell_run) == []  # not POSIX shell code
    _, (run_again,) = runs("FROM debian\nRUN a | b\n")
    assert [c.name for c in _shell.instruction_commands(run_again)] == ["a", "b"]


def test_commands_by_script_and_pipelines():
    _, (run,) = runs("FROM debian\nRUN curl x | sh && bash <<EOF\nls | wc -l\nEOF\n")
    by_script = _shell.script_commands(run)
    assert [(script.text, [c.name for c in commands]) for script, commands in by_script] == [
        ("curl x | sh && bash <<EOF", ["curl", "sh", "bash"]),
        ("ls | wc -l\n", ["ls", "wc"]),
    ]
    assert [[[c.name for c in pipeline] for pipeline in _shell.run_pipelines(commands)] for _, commands in by_script] == [
        [["curl", "sh"], ["bash"]],
        [["ls", "wc"]],
    ]
