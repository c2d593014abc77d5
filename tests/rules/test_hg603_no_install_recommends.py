"""HG603 no-install-recommends: apt installs without --no-install-recommends."""
from __future__ import annotations

import pytest

from hullguard.config import Config
from hullguard.documents import load_document
from hullguard.fixer import fix_document
from hullguard.model import Applicability, Format, Severity

from conftest import lint_text

CODE = "HG603"


def findings(text: str):
    result = lint_text(text, select=(CODE,))
    assert not result.rule_failures
    return result.findings


def spans(text: str):
    return [(f.span.start.line, f.span.start.column, f.span.end.column) for f in findings(text)]


def fixed(text: str, *, unsafe: bool = True) -> str | None:
    document = load_document("Dockerfile", text, Format.DOCKERFILE)
    return fix_document(document, Config().with_cli(select=[CODE]), allow_unsafe=unsafe).fixed_text


def test_span_message_and_fix():
    text = "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl\n"
    (finding,) = findings(text)
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (1, 30, 37)
    assert finding.message == "apt-get install without --no-install-recommends also installs recommended packages"
    assert finding.severity is Severity.INFO
    (fix,) = finding.fixes
    assert fix.applicability is Applicability.UNSAFE
    assert fixed(text) == "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install --no-install-recommends -y curl\n"


def test_unsafe_fix_is_not_applied_by_plain_fix():
    assert fixed("FROM debian\nRUN apt-get install -y curl\n", unsafe=False) is None


def test_fix_on_a_continuation_line():
    text = "FROM debian\nRUN apt-get update \\\n && apt-get install \\\n      -y curl \\\n && rm -rf /var/lib/apt/lists/*\n"
    assert spans(text) == [(2, 12, 19)]
    assert fixed(text) == "FROM debian\nRUN apt-get update \\\n && apt-get install --no-install-recommends \\\n      -y curl \\\n && rm -rf /var/lib/apt/lists/*\n"


def test_fix_keeps_crlf_line_endings():
    text = "FROM debian\r\nRUN apt-get update && \\\r\n    apt-get -y install curl git\r\n"
    assert spans(text) == [(2, 15, 22)]
    assert fixed(text) == "FROM debian\r\nRUN apt-get update && \\\r\n    apt-get -y install --no-install-recommends curl git\r\n"


def test_fix_in_a_heredoc_body():
    text = "FROM ubuntu:24.04\nRUN <<EOF\napt-get update\n\tapt install -y git\nEOF\n"
    assert spans(text) == [(3, 5, 12)]
    assert fixed(text) == "FROM ubuntu:24.04\nRUN <<EOF\napt-get update\n\tapt install --no-install-recommends -y git\nEOF\n"


def test_each_install_is_reported_and_fixed():
    text = "FROM debian\nrun apt-get install -y curl && sudo apt-get install -y git\n"
    assert spans(text) == [(1, 12, 19), (1, 44, 51)]
    assert fixed(text) == "FROM debian\nrun apt-get install --no-install-recommends -y curl && sudo apt-get install --no-install-recommends -y git\n"


@pytest.mark.parametrize(
    "run",
    [
        "apt-get install --no-install-recommends -y curl",
        "apt-get install -y curl --no-install-recommends",
        "apt-get -y --no-install-recommends install curl",
        "apt-get install -o APT::Install-Recommends=false -y curl",
        "apt install -o APT::Install-Recommends=0 -y curl",
        "apt-get update",
        "apt-get remove -y curl",
        '["apt-get", "install", "-y", "curl"]',
    ],
)
def test_not_reported(run):
    assert findings(f"FROM debian\nRUN {run}\n") == []


def test_apt_configuration_written_earlier_counts():
    text = (
        "FROM debian AS base\n"
        "RUN echo 'APT::Install-Recommends \"false\";' > /etc/apt/apt.conf.d/99no-recommends\n"
        "FROM base\nRUN apt-get install -y curl\n"
    )
    assert findings(text) == []


def test_an_install_option_does_not_count_for_later_runs():
    text = "FROM debian\nRUN apt-get install -o APT::Install-Recommends=0 -y curl\nRUN apt-get install -y git\n"
    assert spans(text) == [(2, 12, 19)]


def test_hadolint_ignore_comment_applies():
    assert findings("FROM debian\n# hadolint ignore=DL3015\nRUN apt-get install -y curl\n") == []
