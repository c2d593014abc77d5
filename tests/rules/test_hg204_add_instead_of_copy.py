"""HG204 add-instead-of-copy: ADD of local files, with a safe fix to COPY."""
from __future__ import annotations

import pytest

from hullguard.model import Applicability, Severity

from conftest import findings_of, fixed_text, reported_of

CODE = "HG204"
MESSAGE = "use COPY instead of ADD for local files"


def test_local_file_points_at_the_keyword_with_a_safe_fix():
    text = "FROM python:3.12-slim\nADD requirements.txt /app/\n"
    (finding,) = findings_of(CODE, text)
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (1, 0, 3)
    assert finding.message == MESSAGE and finding.severity is Severity.WARNING
    (fix,) = finding.fixes
    assert fix.applicability is Applicability.SAFE and fix.title == "Replace ADD with COPY"
    assert fixed_text(CODE, text, unsafe=False) == "FROM python:3.12-slim\nCOPY requirements.txt /app/\n"


@pytest.mark.parametrize(
    "keyword, expected",
    [("add", "copy"), ("Add", "Copy"), ("ADD", "COPY"), ("aDd", "COPY")],
)
def test_fix_keeps_the_keyword_case(keyword, expected):
    assert fixed_text(CODE, f"FROM alpine:3.20\n  {keyword} a.txt /a.txt\n", unsafe=False) == f"FROM alpine:3.20\n  {expected} a.txt /a.txt\n"


def test_json_form():
    text = 'FROM node:22\nADD ["package.json", "package-lock.json", "/app/"]\n'
    assert reported_of(CODE, text) == [(1, 0, 1, 3, MESSAGE)]
    assert fixed_text(CODE, text, unsafe=False) == 'FROM node:22\nCOPY ["package.json", "package-lock.json", "/app/"]\n'


def test_heredoc_add_is_like_copy():
    text = "FROM alpine:3.20\nADD <<EOF /etc/motd\nhello\nEOF\n"
    assert reported_of(CODE, text) == [(1, 0, 1, 3, MESSAGE)]
    assert fixed_text(CODE, text, unsafe=False) == "FROM alpine:3.20\nCOPY <<EOF /etc/motd\nhello\nEOF\n"


def test_crlf_lower_case_and_continuation():
    text = "from alpine:3.20\r\nadd --link \\\r\n    entrypoint.sh /usr/local/bin/\r\n"
    assert reported_of(CODE, text) == [(1, 0, 1, 3, MESSAGE)]
    assert fixed_text(CODE, text, unsafe=False) == "from alpine:3.20\r\ncopy --link \\\r\n    entrypoint.sh /usr/local/bin/\r\n"


def test_copy_flags_are_kept():
    text = "FROM alpine:3.20\nADD --chown=10001:10001 --chmod=644 --link --exclude=*.md --parents src/ ./\n"
    assert fixed_text(CODE, text, unsafe=False) == "FROM alpine:3.20\nCOPY --chown=10001:10001 --chmod=644 --link --exclude=*.md --parents src/ ./\n"


@pytest.mark.parametrize("flag", ["--checksum=sha256:" + "ab" * 32, "--keep-git-dir=true", "--unpack=false"])
def test_add_only_flags_leave_no_fix(flag):
    text = f"FROM alpine:3.20\nADD {flag} config.yaml /etc/app/\n"
    (finding,) = findings_of(CODE, text)
    assert finding.fixes == []


@pytest.mark.parametrize(
    "sources",
    [
        "rootfs.tar",
        "rootfs.tar.gz",
        "vendor.TGZ",
        "a.tar.bz2",
        "a.tbz2",
        "a.tar.xz",
        "a.txz",
        "a.tar.zst",
        "config.yaml rootfs.tar.gz",  # one archive: ADD is doing its job
        "dist/*",
        "*.gz",
        "pkg-?.tar.xz",
        "https://example.com/file.txt",
        "git@github.com:org/repo.git",
        "https://github.com/org/repo.git#v1",
        "$SRC",
        "${ROOT}/config.yaml",
    ],
)
def test_archives_remote_and_variable_sources_are_not_reported(sources):
    assert reported_of(CODE, f"FROM alpine:3.20\nADD {sources} /dest/\n") == []


@pytest.mark.parametrize("sources", ["*.json", "src/", ".", "app.py lib/", "docs/readme.md"])
def test_local_files_folders_and_harmless_globs_are_reported(sources):
    assert reported_of(CODE, f"FROM alpine:3.20\nADD {sources} /dest/\n") == [(1, 0, 1, 3, MESSAGE)]


def test_json_form_archive_is_not_reported():
    assert reported_of(CODE, 'FROM alpine:3.20\nADD ["rootfs.tar.gz", "/"]\n') == []


def test_hadolint_suppression_is_honoured():
    assert reported_of(CODE, "FROM alpine:3.20\n# hadolint ignore=DL3020\nADD a.txt /a.txt\n") == []
