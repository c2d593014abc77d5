"""HG604 missing-pipefail: RUN pipelines under a shell without pipefail."""
from __future__ import annotations

import pytest

from hullguard.model import Applicability, Severity

from conftest import findings_of, fixed_text, spans_of

CODE = "HG604"
MESSAGE = "pipe without pipefail: only the last command of the pipeline can fail the build"
BASH = 'SHELL ["/bin/bash", "-o", "pipefail", "-c"]'


def test_span_is_the_pipe_and_the_fix_inserts_a_bash_shell():
    text = "FROM debian:bookworm-slim\nRUN curl -fsSL https://x.example/t.tgz | tar -xz\n"
    (finding,) = findings_of(CODE, text)
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (1, 39, 40)
    assert finding.message == MESSAGE
    assert finding.severity is Severity.WARNING
    (fix,) = finding.fixes
    assert fix.applicability is Applicability.UNSAFE
    assert fix.title == f"Insert {BASH} before this RUN"
    assert fixed_text(CODE, text) == f"FROM debian:bookworm-slim\n{BASH}\nRUN curl -fsSL https://x.example/t.tgz | tar -xz\n"
    assert fixed_text(CODE, text, unsafe=False) is None


def test_one_shell_covers_every_later_run_of_the_stage():
    text = "FROM debian\nWORKDIR /opt\nRUN a | b\nRUN true\nRUN c | d\n"
    assert spans_of(CODE, text) == [(2, 6, 2, 7), (4, 6, 4, 7)]
    assert fixed_text(CODE, text) == f"FROM debian\nWORKDIR /opt\n{BASH}\nRUN a | b\nRUN true\nRUN c | d\n"


def test_alpine_gets_ash_with_indentation_above_comments():
    text = "FROM alpine:3.20\n  # fetch the tool\n  # hullguard: ignore[HG601]\n  RUN wget -qO- https://x.example/t.tgz | tar -xz\n"
    assert fixed_text(CODE, text) == (
        'FROM alpine:3.20\n  SHELL ["/bin/ash", "-o", "pipefail", "-c"]\n'
        "  # fetch the tool\n  # hullguard: ignore[HG601]\n  RUN wget -qO- https://x.example/t.tgz | tar -xz\n"
    )


def test_alpine_tag_and_stage_built_from_alpine():
    text = "FROM python:3.12-alpine AS base\nFROM base\nRUN a | b\n"
    assert fixed_text(CODE, text) == 'FROM python:3.12-alpine AS base\nFROM base\nSHELL ["/bin/ash", "-o", "pipefail", "-c"]\nRUN a | b\n'


def test_pipe_on_a_continuation_line_lower_case_and_crlf():
    text = "from debian\r\nrun a \\\r\n  |& b\r\n"
    assert spans_of(CODE, text) == [(2, 2, 2, 4)]
    assert fixed_text(CODE, text) == 'from debian\r\nshell ["/bin/bash", "-o", "pipefail", "-c"]\r\nrun a \\\r\n  |& b\r\n'


def test_existing_shell_without_pipefail_keeps_its_program():
    text = 'FROM debian\nSHELL ["/bin/zsh", "-c"]\nRUN a | b\n'
    assert fixed_text(CODE, text) == 'FROM debian\nSHELL ["/bin/zsh", "-c"]\nSHELL ["/bin/zsh", "-o", "pipefail", "-c"]\nRUN a | b\n'


def test_explicit_sh_shell_is_replaced_by_bash():
    text = 'FROM debian\nSHELL ["/bin/sh", "-c"]\nRUN a | b\n'
    assert fixed_text(CODE, text) == f'FROM debian\nSHELL ["/bin/sh", "-c"]\n{BASH}\nRUN a | b\n'


def test_shell_resets_what_the_fix_covers():
    text = 'FROM debian\nRUN a | b\nSHELL ["/bin/bash", "-c"]\nRUN c | d\n'
    anchors = [f.fixes[0].edits[0].span.start.line for f in findings_of(CODE, text)]
    assert anchors == [1, 3]


def test_each_stage_gets_its_own_shell():
    text = "FROM debian AS one\nRUN a | b\nFROM debian\nRUN c | d\n"
    assert fixed_text(CODE, text) == f"FROM debian AS one\n{BASH}\nRUN a | b\nFROM debian\n{BASH}\nRUN c | d\n"


def test_heredoc_run_by_the_shell_in_force_is_fixed():
    text = "FROM debian\nRUN <<EOF\nset -e\na | b\nEOF\n"
    assert spans_of(CODE, text) == [(3, 2, 3, 3)]
    assert fixed_text(CODE, text) == f"FROM debian\n{BASH}\nRUN <<EOF\nset -e\na | b\nEOF\n"


@pytest.mark.parametrize("text", ["FROM debian\nRUN bash <<EOF\na | b\nEOF\n", "FROM debian\nRUN <<EOF\n#!/bin/bash\na | b\nEOF\n"])
def test_heredoc_run_by_its_own_program_has_no_fix(text):
    (finding,) = findings_of(CODE, text)
    assert finding.span.start.line == text.count("\n") - 2
    assert finding.fixes == []


@pytest.mark.parametrize(
    "text",
    [
        f"FROM debian\n{BASH}\nRUN a | b\n",
        'FROM debian\nSHELL ["/bin/bash", "-euxo", "pipefail", "-c"]\nRUN a | b\n',
        f"FROM debian AS base\n{BASH}\nFROM base\nRUN a | b\n",  # inherited through FROM <stage>
        "FROM debian\nRUN set -o pipefail && a | b\n",
        "FROM debian\nRUN set -euo pipefail; a | b\n",
        "FROM debian\nRUN <<EOF\nset -eo pipefail\na | b\nEOF\n",
        "FROM debian\nRUN a || b && c\n",
        "FROM debian\nRUN echo 'a | b' \"c | d\"\n",
        'FROM debian\nRUN ["sh", "-c", "a | b"]\n',
        'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL ["powershell", "-Command"]\nRUN a | b\n',
    ],
)
def test_not_reported(text):
    assert findings_of(CODE, text) == []


def test_case_patterns_are_not_pipes():
    text = (
        "FROM debian\nRUN set -eux; \\\n    case \"$(dpkg --print-architecture)\" in \\\n"
        "        amd64|arm64) arch=x ;; \\\n        i386|armhf) arch=y ;; \\\n    esac; \\\n    echo $arch | tee /arch\n"
    )
    assert spans_of(CODE, text) == [(6, 15, 6, 16)]


def test_set_pipefail_after_the_pipe_is_too_late():
    assert spans_of(CODE, "FROM debian\nRUN a | b && set -o pipefail\n") == [(1, 6, 1, 7)]


def test_hadolint_ignore_comment_applies():
    assert findings_of(CODE, "FROM debian\n# hadolint ignore=DL4006\nRUN a | b\n") == []
