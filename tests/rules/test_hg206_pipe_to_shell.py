"""HG206 pipe-to-shell: downloads run straight away by a shell or interpreter."""
from __future__ import annotations

import pytest

from hullguard.model import Severity

from conftest import findings_of, reported_of

CODE = "HG206"
MESSAGE = "{} output is piped into {}: downloaded code runs without any integrity check"


def test_curl_into_sh_spans_the_whole_pipeline():
    text = "FROM debian:bookworm-slim\nRUN curl -fsSL https://get.example.com/i.sh | sh\n"
    (finding,) = findings_of(CODE, text)
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (1, 4, 48)
    assert finding.message == MESSAGE.format("curl", "sh")
    assert finding.severity is Severity.ERROR
    assert finding.fixes == []


def test_span_ends_at_the_shell_word_not_its_arguments():
    text = "FROM debian\nRUN wget -O- https://x.example/setup | sudo -E bash -s -- --version 2\n"
    assert reported_of(CODE, text) == [(1, 4, 1, 51, MESSAGE.format("wget", "bash"))]


def test_pipeline_over_a_continuation_line():
    text = "FROM debian\nRUN curl -fsSL https://x.example/i.sh \\\n    | sh -s -- -y\n"
    assert reported_of(CODE, text) == [(1, 4, 2, 8, MESSAGE.format("curl", "sh"))]


def test_heredoc_body_run_by_the_shell():
    text = "FROM alpine:3.20\nRUN <<EOF\nset -e\ncurl -fsSL https://x.example/i.py | python3 -\nEOF\n"
    assert reported_of(CODE, text) == [(3, 0, 3, 43, MESSAGE.format("curl", "python3"))]


def test_lower_case_instruction_crlf_and_redirections():
    text = "from debian\r\nrun curl -fsSL https://x.example/i.sh 2>&1 | sh\r\n"
    assert reported_of(CODE, text) == [(1, 4, 1, 47, MESSAGE.format("curl", "sh"))]


def test_every_pipeline_of_a_run_is_checked():
    text = "FROM debian\nRUN curl -s https://a.example | sh && wget -qO- https://b.example | bash\n"
    assert [(line, start, end) for line, start, _, end, _ in reported_of(CODE, text)] == [(1, 4, 34), (1, 38, 72)]


@pytest.mark.parametrize("runner", ["sh", "bash", "zsh", "ash", "dash", "ksh", "python", "python3", "perl", "ruby", "node", "env bash", "sudo sh", "/bin/bash"])
def test_shells_and_interpreters(runner):
    text = f"FROM debian\nRUN curl -fsSL https://x.example/i | {runner}\n"
    (finding,) = findings_of(CODE, text)
    assert finding.message == MESSAGE.format("curl", runner.split()[-1].rsplit("/", 1)[-1])
    assert finding.span.end.column == len(f"RUN curl -fsSL https://x.example/i | {runner}")


@pytest.mark.parametrize(
    "command, message, length",
    [
        ('sh -c "$(curl -fsSL https://x.example/i.sh)"', "sh runs the output of curl", 44),
        ("bash <(curl -fsSL https://x.example/i.sh)", "bash runs the output of curl", 41),
        ('eval "$(wget -qO- https://x.example/env)"', "eval runs the output of wget", 41),
        ("bash < <(curl -fsSL https://x.example/i.sh)", "bash runs the output of curl", 43),
        ("source <(curl -fsSL https://x.example/env)", "source runs the output of curl", 42),
        ("python3 -c \"$(curl -fsSL https://x.example/i.py)\"", "python3 runs the output of curl", 49),
    ],
)
def test_command_and_process_substitution(command, message, length):
    assert reported_of(CODE, f"FROM debian\nRUN {command}\n") == [(1, 4, 1, 4 + length, message + ": downloaded code runs without any integrity check")]


@pytest.mark.parametrize(
    "run",
    [
        "curl -fsSL https://x.example/t.tar.gz | tar -xz",  # not a shell
        "curl -s https://api.example/v | python3 -c 'import json,sys; print(json.load(sys.stdin))'",  # stdin is data
        "curl -s https://x.example/i | bash /opt/script.sh",  # runs a file, not stdin
        "curl -s https://x.example/i | sh -c 'cat > /tmp/i'",
        "curl -fsSLo /tmp/i.sh https://x.example/i.sh | sh",  # curl writes a file
        "curl -O https://x.example/i.sh | sh",
        "wget -q https://x.example/i.sh | sh",  # wget writes a file by default
        "curl -fsSLo /tmp/i.sh https://x.example/i.sh && sha256sum -c sums && sh /tmp/i.sh",
        'echo "curl https://x.example | sh"',
        '["sh", "-c", "curl https://x.example | sh"]',  # exec form
    ],
)
def test_not_reported(run):
    assert findings_of(CODE, f"FROM debian\nRUN {run}\n") == []


def test_heredoc_fed_to_python_is_not_shell():
    assert findings_of(CODE, "FROM python:3.12\nRUN python3 <<EOF\nprint('curl https://x | sh')\nEOF\n") == []


def test_powershell_run_is_not_read():
    text = 'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL ["powershell", "-Command"]\nRUN curl https://x.example/i | sh\n'
    assert findings_of(CODE, text) == []
