"""HG603 no-install-recommends: apt installs without --no-install-recommends."""
from __future__ import annotations

import pytest

from hullguard.model import Applicability, Severity

from conftest import findings_of, fixed_text, spans_of

CODE = "HG603"


def test_span_message_and_fix():
    text = "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl\n"
    (finding,) = findings_of(CODE, text)
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (1, 30, 37)
    assert finding.message == "apt-get install without --no-install-recommends also installs recommended packages"
    assert finding.severity is Severity.INFO
    (fix,) = finding.fixes
    assert fix.applicability is Applicability.UNSAFE
    assert fixed_text(CODE, text) == "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install --no-install-recommends -y curl\n"


def test_unsafe_fix_is_not_applied_by_plain_fix():
    assert fixed_text(CODE, "FROM debian\nRUN apt-get install -y curl\n", unsafe=False) is None


def test_fix_on_a_continuation_line():
    text = "FROM debian\nRUN apt-get update \\\n && apt-get install \\\n      -y curl \\\n && rm -rf /var/lib/apt/lists/*\n"
    assert spans_of(CODE, text) == [(2, 12, 2, 19)]
    assert fixed_text(CODE, text) == "FROM debian\nRUN apt-get update \\\n && apt-get install --no-install-recommends \\\n      -y curl \\\n && rm -rf /var/lib/apt/lists/*\n"


def test_fix_keeps_crlf_line_endings():
    text = "FROM debian\r\nRUN apt-get update && \\\r\n    apt-get -y install curl git\r\n"
    assert spans_of(CODE, text) == [(2, 15, 2, 22)]
    assert fixed_text(CODE, text) == "FROM debian\r\nRUN apt-get update && \\\r\n    apt-get -y install --no-install-recommends curl git\r\n"


def test_fix_in_a_heredoc_body():
    text = "FROM ubuntu:24.04\nRUN <<EOF\napt-get update\n\tapt install -y git\nEOF\n"
    assert spans_of(CODE, text) == [(3, 5, 3, 12)]
    assert fixed_text(CODE, text) == "FROM ubuntu:24.04\nRUN <<EOF\napt-get update\n\tapt install --no-install-recommends -y git\nEOF\n"


def test_each_install_is_reported_and_fixed():
    text = "FROM debian\nrun apt-get install -y curl && sudo apt-get install -y git\n"
    assert spans_of(CODE, text) == [(1, 12, 1, 19), (1, 44, 1, 51)]
    assert fixed_text(CODE, text) == "FROM debian\nrun apt-get install --no-install-recommends -y curl && sudo apt-get install --no-install-recommends -y git\n"


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
    assert findings_of(CODE, f"FROM debian\nRUN {run}\n") == []


def test_apt_configuration_written_earlier_counts():
    text = (
        "FROM debian AS base\n"
        "RUN echo 'APT::Install-Recommends \"false\";' > /etc/apt/apt.conf.d/99no-recommends\n"
        "FROM base\nRUN apt-get install -y curl\n"
    )
    assert findings_of(CODE, text) == []


def test_an_install_option_does_not_count_for_later_runs():
    text = "FROM debian\nRUN apt-get install -o APT::Install-Recommends=0 -y curl\nRUN apt-get install -y git\n"
    assert spans_of(CODE, text) == [(2, 12, 2, 19)]


def test_hadolint_ignore_comment_applies():
    assert findings_of(CODE, "FROM debian\n# hadolint ignore=DL3015\nRUN apt-get install -y curl\n") == []
