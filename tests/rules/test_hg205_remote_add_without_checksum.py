"""HG205 remote-add-without-checksum: ADD of URLs and git repositories without verification."""
from __future__ import annotations

import pytest

from hullguard.model import Severity

from conftest import findings_of, reported_of

CODE = "HG205"
URL_MESSAGE = "ADD downloads this URL without --checksum, so the content is not verified"
GIT_MESSAGE = "ADD clones this git repository without a pinned commit (--checksum or #<commit>), so the content is not verified"
COMMIT = "9b0bc5ab1d19b1bf1bd2d2b0c9e8e9d3a3c4f5e6"
SHA256 = "sha256:" + "0123456789abcdef" * 4


def test_url_points_at_the_url_and_does_not_quote_it():
    text = "FROM alpine:3.20\nADD https://user:token@example.com/tool.tar.gz /tmp/\n"
    (finding,) = findings_of(CODE, text)
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (1, 4, 46)
    assert finding.message == URL_MESSAGE and "token" not in finding.message
    assert finding.severity is Severity.WARNING and finding.fixes == []


def test_each_remote_source_is_reported():
    text = "FROM alpine:3.20\nADD http://example.com/a local.txt https://example.com/b /dest/\n"
    assert reported_of(CODE, text) == [(1, 4, 1, 24, URL_MESSAGE), (1, 35, 1, 56, URL_MESSAGE)]


@pytest.mark.parametrize(
    "source",
    [
        "git@github.com:org/repo.git",
        "git@github.com:org/repo.git#main",
        "https://github.com/org/repo.git#v1.2.3",
        "https://github.com/org/repo.git#v1.2.3:subdir",
        "git://example.com/repo.git",
        "ssh://git@example.com/repo.git",
        f"https://github.com/org/repo.git#{COMMIT[:12]}",  # an abbreviated hash is still a ref
    ],
)
def test_unpinned_git_sources(source):
    assert reported_of(CODE, f"FROM alpine:3.20\nADD {source} /src\n") == [(1, 4, 1, 4 + len(source), GIT_MESSAGE)]


@pytest.mark.parametrize(
    "line",
    [
        f"ADD --checksum={SHA256} https://example.com/tool.tar.gz /tmp/",
        f"ADD --checksum={COMMIT} https://github.com/org/repo.git#v1 /src",
        f"ADD https://github.com/org/repo.git#{COMMIT} /src",
        f"ADD git@github.com:org/repo.git#{COMMIT}:cmd /src",
        f"ADD https://github.com/org/repo.git?ref=v1&commit={COMMIT} /src",
        "ADD --checksum=$TOOL_SHA https://example.com/tool.tar.gz /tmp/",
        "ADD ${URL} /tmp/",
        "ADD tool.tar.gz /tmp/",
        "ADD s3://bucket/key /tmp/",
        "COPY https://example.com/a /tmp/",
    ],
)
def test_verified_or_not_remote(line):
    assert reported_of(CODE, f"FROM alpine:3.20\n{line}\n") == []


def test_empty_checksum_does_not_count():
    assert reported_of(CODE, "FROM alpine:3.20\nADD --checksum= https://example.com/a /tmp/\n") == [(1, 16, 1, 37, URL_MESSAGE)]


def test_json_form_points_inside_the_quotes():
    text = 'FROM alpine:3.20\nADD ["https://example.com/config.json", "/etc/app/config.json"]\n'
    assert reported_of(CODE, text) == [(1, 6, 1, 37, URL_MESSAGE)]


def test_lower_case_crlf_and_continuation():
    text = "from alpine:3.20\r\nadd --chmod=755 \\\r\n    https://example.com/tool /usr/local/bin/tool\r\n"
    assert reported_of(CODE, text) == [(2, 4, 2, 28, URL_MESSAGE)]
