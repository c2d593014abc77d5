"""HG109 sudo: RUN calls sudo or doas."""
from __future__ import annotations

import pytest

from hullguard.model import Severity

from conftest import findings_of, reported_of

CODE = "HG109"
MESSAGE = "RUN calls {}: build steps run as the current USER, switch with USER instead"


def test_sudo_word_is_the_span():
    text = "FROM debian:12\nUSER app\nRUN sudo apt-get update\n"
    assert reported_of(CODE, text) == [(2, 4, 2, 8, MESSAGE.format("sudo"))]
    finding = findings_of(CODE, text)[0]
    assert finding.severity is Severity.WARNING and finding.fixes == []


def test_each_command_of_a_chain_and_continuation_lines():
    text = "FROM debian:12\nRUN sudo apt-get update \\\n    && DEBIAN_FRONTEND=noninteractive sudo -E apt-get install -y curl; doas ls\n"
    assert reported_of(CODE, text) == [
        (1, 4, 1, 8, MESSAGE.format("sudo")),
        (2, 38, 2, 42, MESSAGE.format("sudo")),
        (2, 71, 2, 75, MESSAGE.format("doas")),
    ]


@pytest.mark.parametrize(
    "command, start, end",
    [
        ("env PATH=/x sudo ls", 16, 20),
        ("nohup sudo ls", 10, 14),
        ("/usr/bin/sudo ls", 4, 17),
        ("sudo", 4, 8),
        ("true | sudo tee /etc/x", 11, 15),
        ("if true; then sudo ls; fi", 18, 22),
    ],
)
def test_sudo_behind_wrappers_paths_and_operators(command, start, end):
    assert reported_of(CODE, f"FROM debian:12\nRUN {command}\n") == [(1, start, 1, end, MESSAGE.format("sudo"))]


def test_heredoc_body_run_by_a_shell():
    text = "FROM alpine:3.20\nRUN <<EOF\nset -e\n\tdoas apk add curl\nEOF\n"
    assert reported_of(CODE, text) == [(3, 1, 3, 5, MESSAGE.format("doas"))]


def test_heredoc_fed_to_another_interpreter_is_not_shell():
    text = 'FROM python:3.12\nRUN python3 <<EOF\nimport os\nos.system("sudo ls")\nEOF\n'
    assert reported_of(CODE, text) == []


def test_exec_form_points_inside_the_quotes():
    assert reported_of(CODE, 'FROM debian:12\nRUN ["/usr/bin/sudo", "ls"]\n') == [(1, 6, 1, 19, MESSAGE.format("sudo"))]
    assert reported_of(CODE, 'FROM debian:12\nRUN ["ls", "sudo"]\n') == []


def test_lower_case_instruction_and_crlf():
    text = "from debian:12\r\nrun apt-get update && \\\r\n    sudo make install\r\n"
    assert reported_of(CODE, text) == [(2, 4, 2, 8, MESSAGE.format("sudo"))]


@pytest.mark.parametrize(
    "command",
    [
        "apt-get install -y sudo",
        "command -v sudo",
        'echo "sudo make me a sandwich"',
        "SUDO_FORCE_REMOVE=yes apt-get purge -y sudo",
        "visudo -c",
        "chmod 0440 /etc/sudoers.d/app",
    ],
)
def test_sudo_as_an_argument_is_not_reported(command):
    assert reported_of(CODE, f"FROM debian:12\nRUN {command}\n") == []


def test_other_instructions_and_powershell_are_not_checked():
    assert reported_of(CODE, 'FROM debian:12\nCMD sudo ls\nENTRYPOINT ["sudo", "ls"]\n') == []
    assert reported_of(CODE, 'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL ["powershell", "-Command"]\nRUN sudo ls\n') == []
