"""HG602 package-cache-left-in-layer: package lists, indexes and caches written into a layer."""
from __future__ import annotations

import pytest

from hullguard.model import Applicability, Severity

from conftest import findings_of, fixed_text, reported_of, spans_of

CODE = "HG602"
APT = "apt-get install leaves the package lists in the layer: end this RUN with 'rm -rf /var/lib/apt/lists/*'"


def test_apt_install_without_removing_the_lists():
    text = "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl\n"
    (finding,) = findings_of(CODE, text)
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (1, 30, 37)
    assert finding.message == APT
    assert finding.severity is Severity.WARNING
    assert finding.fixes == []
    assert fixed_text(CODE, text, unsafe=False) is None


@pytest.mark.parametrize(
    "run",
    [
        "apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*",
        "apt-get update && apt-get install -y curl && apt-get clean && rm -rf /var/lib/apt/lists",
        "apt-get update && apt install -y curl; rm -fr /var/lib/apt/*",
        "set -eux; apt-get update; apt-get install -y curl; apt-get dist-clean",
        "--mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update && apt-get install -y curl",
        "--mount=type=cache,target=/var/cache/apt --mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y curl",
        "--mount=type=tmpfs,target=/var/lib/apt/lists apt-get update && apt-get install -y curl",
    ],
)
def test_apt_lists_kept_out_of_the_layer(run):
    assert findings_of(CODE, f"FROM debian\nRUN {run}\n") == []


@pytest.mark.parametrize(
    "run",
    [
        "rm -rf /var/lib/apt/lists/* && apt-get update && apt-get install -y curl",  # removed too early
        "--mount=type=cache,target=/var/cache/apt apt-get update && apt-get install -y curl",  # the lists are elsewhere
        "--mount=type=bind,target=/var/lib/apt apt-get install -y curl",  # a bind mount is not scratch space
        "apt-get update && apt-get install -y curl && apt-get clean",  # clean keeps the lists
    ],
)
def test_apt_lists_still_in_the_layer(run):
    assert [m for *_, m in reported_of(CODE, f"FROM debian\nRUN {run}\n")] == [APT]


def test_removal_in_a_later_run_does_not_help():
    text = "FROM debian\nRUN apt-get update && apt-get install -y curl\nRUN rm -rf /var/lib/apt/lists/*\n"
    assert spans_of(CODE, text) == [(1, 30, 1, 37)]


def test_apk_add_fix_inserts_no_cache():
    text = "FROM alpine:3.20\nRUN apk add curl\n"
    (finding,) = findings_of(CODE, text)
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (1, 8, 11)
    assert finding.message == "apk add keeps the package index in the layer: use 'apk add --no-cache'"
    (fix,) = finding.fixes
    assert fix.applicability is Applicability.SAFE
    assert fixed_text(CODE, text, unsafe=False) == "FROM alpine:3.20\nRUN apk add --no-cache curl\n"


def test_apk_fix_on_a_continuation_line_and_in_crlf():
    text = "FROM alpine:3.20\r\nRUN apk update \\\r\n && apk add \\\r\n      curl\r\n"
    assert fixed_text(CODE, text, unsafe=False) == "FROM alpine:3.20\r\nRUN apk update \\\r\n && apk add --no-cache \\\r\n      curl\r\n"


@pytest.mark.parametrize(
    "run",
    [
        "apk add --no-cache curl",
        "apk --no-cache add curl",
        "apk add --no-network --virtual .rundeps $runDeps",
        "apk add curl && rm -rf /var/cache/apk/*",
        "--mount=type=cache,target=/var/cache/apk apk add curl",
        "--mount=type=cache,target=/etc/apk/cache apk add curl",
    ],
)
def test_apk_without_cache(run):
    assert findings_of(CODE, f"FROM alpine:3.20\nRUN {run}\n") == []


def test_pip_install_fix_inserts_no_cache_dir():
    text = "FROM python:3.12-slim\nRUN python3 -m pip install flask==3.0.3\n"
    (finding,) = findings_of(CODE, text)
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (1, 19, 26)
    assert finding.message == "python3 -m pip install keeps its download cache in the layer: use 'python3 -m pip install --no-cache-dir'"
    assert finding.fixes[0].applicability is Applicability.SAFE
    assert fixed_text(CODE, text, unsafe=False) == "FROM python:3.12-slim\nRUN python3 -m pip install --no-cache-dir flask==3.0.3\n"


def test_pip_fix_in_a_heredoc():
    text = "FROM python:3.12-slim\nRUN <<EOF\nset -e\n  pip install flask==3.0.3\nEOF\n"
    assert fixed_text(CODE, text, unsafe=False) == "FROM python:3.12-slim\nRUN <<EOF\nset -e\n  pip install --no-cache-dir flask==3.0.3\nEOF\n"


@pytest.mark.parametrize(
    "before, run",
    [
        ("", "pip install --no-cache-dir flask==3.0.3"),
        ("", "pip install --no-cache flask==3.0.3"),
        ("", "PIP_NO_CACHE_DIR=1 pip install flask==3.0.3"),
        ("ENV PIP_NO_CACHE_DIR=1\n", "pip install flask==3.0.3"),
        ("ARG PIP_NO_CACHE_DIR=off\n", "pip install flask==3.0.3"),
        ("", "pip install flask==3.0.3 && pip cache purge"),
        ("", "pip install flask==3.0.3 && rm -rf /root/.cache/pip"),
        ("", "pip install flask==3.0.3 && rm -rf ~/.cache"),
        ("", "--mount=type=cache,target=/root/.cache/pip pip install flask==3.0.3"),
        ("", "--mount=type=cache,target=/home/app/.cache/pip,uid=1000 pip install flask==3.0.3"),
    ],
)
def test_pip_without_cache(before, run):
    assert findings_of(CODE, f"FROM python:3.12-slim\n{before}RUN {run}\n") == []


def test_pip_no_cache_dir_inherited_from_the_base_stage():
    text = "FROM python:3.12-slim AS base\nENV PIP_NO_CACHE_DIR=1\nFROM base\nRUN pip install flask==3.0.3\n"
    assert findings_of(CODE, text) == []


@pytest.mark.parametrize(
    "run, ok",
    [
        ("dnf install -y vim", False),
        ("microdnf install -y vim", False),
        ("yum -y install vim && yum clean all", True),
        ("dnf install -y vim && dnf clean all", True),
        ("microdnf install -y vim && microdnf clean all", True),
        ("dnf install -y vim && rm -rf /var/cache/dnf", True),
        ("dnf install -y vim && dnf clean metadata", False),
        ("--mount=type=cache,target=/var/cache/dnf dnf install -y vim", True),
    ],
)
def test_yum_and_dnf(run, ok):
    found = reported_of(CODE, f"FROM fedora:40\nRUN {run}\n")
    assert (found == []) is ok
    if not ok:
        program = run.split()[0]
        assert found[0][4] == f"{program} install leaves its cache in the layer: end this RUN with '{program} clean all'"


def test_stage_only_copied_from_is_skipped_but_a_base_stage_is_not():
    text = (
        "FROM alpine:3.20 AS tools\nRUN apk add gcc\n"
        "FROM alpine:3.20 AS base\nRUN apk add curl\n"
        "FROM base\nCOPY --from=tools /usr/bin/gcc /usr/bin/gcc\n"
    )
    assert spans_of(CODE, text) == [(3, 8, 3, 11)]


def test_npm_and_exec_form_are_not_checked():
    assert findings_of(CODE, 'FROM node:22\nRUN npm install -g typescript@5.5.4\nRUN ["apk", "add", "curl"]\n') == []


def test_hadolint_ignore_comments_apply():
    text = "FROM alpine:3.20\n# hadolint ignore=DL3019\nRUN apk add curl\n"
    assert findings_of(CODE, text) == []
