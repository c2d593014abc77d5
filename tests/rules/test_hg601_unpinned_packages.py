"""HG601 unpinned-packages: one finding per package word installed without a version."""
from __future__ import annotations

import pytest

from hullguard.model import Severity

from conftest import findings_of, reported_of, spanned, spans_of

CODE = "HG601"


def unpinned_words(run: str) -> list[str]:
    text = f"FROM debian\nRUN {run}\n"
    return [spanned(text, f) for f in findings_of(CODE, text)]


def test_apt_package_on_a_continuation_line():
    text = "FROM debian:bookworm-slim\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends \\\n      ca-certificates \\\n      curl=7.88.1-10+deb12u8\n"
    assert reported_of(CODE, text) == [(3, 6, 3, 21, "apt-get install 'ca-certificates' without a pinned version: write 'ca-certificates=<version>'")]
    (finding,) = findings_of(CODE, text)
    assert finding.severity is Severity.WARNING
    assert finding.fixes == []


@pytest.mark.parametrize(
    "run, unpinned",
    [
        ("apt-get install -y curl git=1:2.39.5 ./local.deb /tmp/x.deb $PACKAGES python3=${PY_VERSION}", ["curl"]),
        ("apt -o Dpkg::Options::=--force-confold -t bookworm-backports install -y vim", ["vim"]),
        ("apt-get -y install -qq vim/bookworm-backports", ["vim/bookworm-backports"]),
        ("apk add --no-cache --virtual .build-deps gcc musl-dev=1.2.5-r0 'bash>5.2' curl~8.9 -X https://dl.example/main jq", ["gcc", "jq"]),
        ("pip install --no-cache-dir flask 'django>=4.2' requests~=2.32 'numpy!=2.0' six==1.16.0", ["flask"]),
        ("pip install -r requirements.txt -e ./src . ./dist/app-1.0-py3-none-any.whl git+https://g.example/r.git https://x.example/p.tar.gz", []),
        ("pip install 'uvicorn[standard]' 'httpx[http2]==0.27.0'", ["'uvicorn[standard]'"]),
        ("pip install pkg @ https://x.example/pkg-1.0.tar.gz other", ["other"]),
        ("pip install -c constraints.txt flask gunicorn", []),
        ("pip3 install --upgrade pip setuptools==70.0.0", ["pip"]),
        ("python3 -m pip install --user black", ["black"]),
        ("pip3.12 install --index-url https://pypi.example/simple ruff", ["ruff"]),
        ("npm install -g typescript@5.5.4 yarn @angular/cli @nestjs/cli@10.4.2 eslint@latest", ["yarn", "@angular/cli", "eslint@latest"]),
        ("npm i --prefix /opt/tools express", ["express"]),
        ("npm ci && npm install && npm install --omit=dev", []),
        ("npm install -g user/repo ./tools/cli git+https://g.example/r.git ./pkg.tgz", []),
        ("gem install bundler rails:7.1.3 && gem install -v 13.2.1 rake", ["bundler"]),
        ("gem install --no-document ./vendor/local.gem", []),
        ("yum install -y vim", []),  # not covered by this rule
        ("echo apt-get install curl", []),
    ],
)
def test_package_words(run, unpinned):
    assert unpinned_words(run) == unpinned


@pytest.mark.parametrize(
    "run, message",
    [
        ("apk add curl", "apk add 'curl' without a pinned version: write 'curl=<version>'"),
        ("pip install flask", "pip install 'flask' without a pinned version: write 'flask==<version>'"),
        ("python -m pip install flask", "python -m pip install 'flask' without a pinned version: write 'flask==<version>'"),
        ("npm i -g eslint@latest", "npm i 'eslint@latest' without a pinned version: write 'eslint@<version>'"),
        ("sudo gem install bundler", "gem install 'bundler' without a pinned version: write 'bundler:<version>'"),
    ],
)
def test_messages_name_the_installer_and_the_pin_syntax(run, message):
    assert [m for *_, m in reported_of(CODE, f"FROM alpine:3.20\nRUN {run}\n")] == [message]


def test_heredoc_body_and_lower_case_run():
    text = "FROM debian\nrun <<EOF\nset -e\napt-get install -y jq\nEOF\n"
    assert spans_of(CODE, text) == [(3, 19, 3, 21)]


def test_crlf_and_multi_stage():
    text = "FROM python:3.12 AS build\r\nRUN pip install build\r\nFROM python:3.12-slim\r\nRUN pip install --no-cache-dir gunicorn\r\n"
    assert spans_of(CODE, text) == [(1, 16, 1, 21), (3, 31, 3, 39)]


def test_exec_form_is_not_read():
    assert findings_of(CODE, 'FROM debian\nRUN ["apt-get", "install", "-y", "curl"]\n') == []


def test_hadolint_ignore_comments_apply():
    text = "FROM debian\n# hadolint ignore=DL3008\nRUN apt-get install -y curl\n# hadolint ignore=DL3013\nRUN pip install flask\n"
    assert findings_of(CODE, text) == []
