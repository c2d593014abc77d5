"""HG207 tls-verification-disabled: certificate and signature checks switched off."""
from __future__ import annotations

import pytest

from hullguard.model import Severity

from conftest import findings_of, spanned

CODE = "HG207"
TLS = "TLS certificate verification"
SIGNATURES = "package signature verification"


def reported(text: str):
    """(line, start column, end column, the characters spanned, message) per finding."""
    return [(f.span.start.line, f.span.start.column, f.span.end.column, spanned(text, f), f.message) for f in findings_of(CODE, text)]


def test_k_inside_combined_curl_flags_is_the_span():
    (finding,) = findings_of(CODE, "FROM debian\nRUN curl -fsSLk https://x.example/t.tgz -o /tmp/t.tgz\n")
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (1, 14, 15)
    assert finding.message == f"curl -k disables {TLS}"
    assert finding.severity is Severity.ERROR
    assert finding.fixes == []


def test_long_and_separate_curl_flags():
    text = "FROM debian\nRUN curl --insecure https://a.example && curl -s -k https://b.example\n"
    assert reported(text) == [
        (1, 9, 19, "--insecure", f"curl --insecure disables {TLS}"),
        (1, 49, 51, "-k", f"curl -k disables {TLS}"),
    ]


@pytest.mark.parametrize("run", ["curl -H k https://x.example", "curl -dk https://x.example", "curl -o k https://x.example", "echo -k", "curl https://x.example/-k"])
def test_k_that_is_not_the_insecure_flag(run):
    assert findings_of(CODE, f"FROM debian\nRUN {run}\n") == []


@pytest.mark.parametrize(
    "run, spanned, message",
    [
        ("wget --no-check-certificate https://x.example", "--no-check-certificate", f"wget --no-check-certificate disables {TLS}"),
        ("pip install --trusted-host pypi.org flask==3.0.3", "--trusted-host", f"pip --trusted-host disables {TLS} for that host"),
        ("python3 -m pip install --trusted-host=pypi.org flask==3.0.3", "--trusted-host", f"python3 -m pip --trusted-host disables {TLS} for that host"),
        ("pip config set global.trusted-host pypi.org", "global.trusted-host", f"pip config global.trusted-host disables pip's {TLS} for the hosts it names"),
        ("npm config set strict-ssl false", "strict-ssl false", f"npm strict-ssl false disables {TLS}"),
        ("yarn config set strict-ssl false", "strict-ssl false", f"yarn strict-ssl false disables {TLS}"),
        ("npm set strict-ssl=false", "strict-ssl=false", f"npm strict-ssl=false disables {TLS}"),
        ("npm --strict-ssl=false install", "--strict-ssl=false", f"npm strict-ssl=false disables {TLS}"),
        ("npm install --no-strict-ssl", "--no-strict-ssl", f"npm --no-strict-ssl disables {TLS}"),
        ("apt-get install -y --allow-unauthenticated curl", "--allow-unauthenticated", f"apt-get --allow-unauthenticated disables {SIGNATURES}"),
        ("apt-get install -y --force-yes curl", "--force-yes", f"apt-get --force-yes disables {SIGNATURES}"),
        ("apt-get update --allow-insecure-repositories", "--allow-insecure-repositories", "apt-get --allow-insecure-repositories disables repository signature verification"),
        ("apt-get -o Acquire::https::Verify-Peer=false update", "Acquire::https::Verify-Peer=false", f"apt-get -o Acquire::https::Verify-Peer=false disables {TLS}"),
        ("apt -o Acquire::https::repo.example::Verify-Host=false update", "Acquire::https::repo.example::Verify-Host=false", f"apt -o Acquire::https::repo.example::Verify-Host=false disables {TLS}"),
        ('echo "deb [trusted=yes] http://repo.example/ ./" > /etc/apt/sources.list.d/r.list', "trusted=yes", "apt [trusted=yes] disables repository signature verification"),
        ("apk add --allow-untrusted --repository https://apk.example/main tool", "--allow-untrusted", f"apk --allow-untrusted disables {SIGNATURES}"),
        ("apk add --allow-untrusted /tmp/x.apk curl", "--allow-untrusted", f"apk --allow-untrusted disables {SIGNATURES}"),
        ("dnf install -y --nogpgcheck vim", "--nogpgcheck", f"dnf --nogpgcheck disables {SIGNATURES}"),
        ("microdnf --nogpgcheck install vim", "--nogpgcheck", f"microdnf --nogpgcheck disables {SIGNATURES}"),
        ("yum --setopt=sslverify=false install vim", "sslverify=false", f"yum/dnf repository setting sslverify=false disables {TLS}"),
        ("echo 'gpgcheck=0' >> /etc/yum.repos.d/r.repo", "gpgcheck=0", f"yum/dnf repository setting gpgcheck=0 disables {SIGNATURES}"),
        ("sed -i 's/gpgcheck=1/gpgcheck=0/' /etc/yum.repos.d/r.repo", "gpgcheck=0", f"yum/dnf repository setting gpgcheck=0 disables {SIGNATURES}"),
        ("rpm -i --nosignature /tmp/x.rpm", "--nosignature", f"rpm --nosignature disables {SIGNATURES}"),
        ("zypper --no-gpg-checks install vim", "--no-gpg-checks", f"zypper --no-gpg-checks disables {SIGNATURES}"),
        ("git config --global http.sslVerify false", "http.sslVerify false", f"git config http.sslVerify false disables {TLS}"),
        ("git config --global http.https://git.example/.sslverify 0", "http.https://git.example/.sslverify 0", f"git config http.https://git.example/.sslverify 0 disables {TLS}"),
        ("git -c http.sslVerify=false clone https://git.example/r", "http.sslVerify=false", f"git -c http.sslVerify=false disables {TLS}"),
    ],
)
def test_switches(run, spanned, message):
    ((line, _, _, text, found),) = reported(f"FROM debian\nRUN {run}\n")
    assert (line, text, found) == (1, spanned, message)


@pytest.mark.parametrize(
    "run",
    [
        "pip install --index-url https://pypi.org/simple flask==3.0.3",
        "npm config set strict-ssl true",
        "git config --global http.sslVerify true",
        "git config --global user.name strict-ssl",
        "apt-get -o Acquire::https::Verify-Peer=true update",
        "apt-get -o Acquire::Retries=3 update",
        'echo "deb [signed-by=/etc/apt/keyrings/r.gpg] https://repo.example/ ./" > /etc/apt/sources.list.d/r.list',
        "echo 'gpgcheck=1' >> /etc/yum.repos.d/r.repo",
        'echo "deb [ trusted=yes ] file:///tmp/repo ./" > /etc/apt/sources.list.d/local.list',  # local repository
        "apk add --no-cache --allow-untrusted /tmp/packages/*.apk",  # local package files, no repository
        "dnf install -y vim",
        "wget https://x.example",
    ],
)
def test_safe_settings_are_not_reported(run):
    assert findings_of(CODE, f"FROM debian\nRUN {run}\n") == []


def test_environment_variables_in_env_and_arg():
    text = (
        "FROM node:22-slim\n"
        "ENV NODE_TLS_REJECT_UNAUTHORIZED=0 PYTHONHTTPSVERIFY=0\n"
        "ARG GIT_SSL_NO_VERIFY=true\n"
        'ENV CURL_CA_BUNDLE=""\n'
        "ENV PIP_TRUSTED_HOST pypi.org\n"
        "env npm_config_strict_ssl='false'\n"
    )
    assert reported(text) == [
        (1, 4, 34, "NODE_TLS_REJECT_UNAUTHORIZED=0", f"NODE_TLS_REJECT_UNAUTHORIZED=0 disables {TLS} for Node.js"),
        (1, 35, 54, "PYTHONHTTPSVERIFY=0", f"PYTHONHTTPSVERIFY=0 disables {TLS} for Python's HTTPS clients"),
        (2, 4, 26, "GIT_SSL_NO_VERIFY=true", f"GIT_SSL_NO_VERIFY disables {TLS} for git"),
        (3, 4, 21, 'CURL_CA_BUNDLE=""', f"an empty CURL_CA_BUNDLE disables {TLS} in Python requests"),
        (4, 4, 29, "PIP_TRUSTED_HOST pypi.org", f"PIP_TRUSTED_HOST disables pip's {TLS} for the hosts it names"),
        (5, 4, 33, "npm_config_strict_ssl='false'", f"NPM_CONFIG_STRICT_SSL=false disables {TLS} for npm"),
    ]


def test_harmless_environment_values():
    text = (
        "ARG GIT_SSL_NO_VERIFY\n"
        "FROM debian\n"
        "ENV NODE_TLS_REJECT_UNAUTHORIZED=1 PYTHONHTTPSVERIFY=1 CURL_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt\n"
        "ENV PIP_TRUSTED_HOST= GIT_SSL_NO_VERIFY=\n"
        "ARG NODE_TLS_REJECT_UNAUTHORIZED\n"
        "LABEL PYTHONHTTPSVERIFY=0\n"
    )
    assert findings_of(CODE, text) == []


def test_assignments_in_run():
    text = "FROM debian\nRUN GIT_SSL_NO_VERIFY=1 git clone https://g.example/r && export NODE_TLS_REJECT_UNAUTHORIZED=0 && env PYTHONHTTPSVERIFY=0 python3 x.py\n"
    assert [(start, end, spanned) for _, start, end, spanned, _ in reported(text)] == [
        (4, 23, "GIT_SSL_NO_VERIFY=1"),
        (64, 94, "NODE_TLS_REJECT_UNAUTHORIZED=0"),
        (102, 121, "PYTHONHTTPSVERIFY=0"),
    ]


def test_heredoc_and_continuation_lines():
    text = "FROM debian\nRUN apt-get update \\\n && curl \\\n      --insecure https://x.example\nRUN <<EOF\nwget --no-check-certificate https://y.example\nEOF\n"
    assert [(line, start, end, spanned) for line, start, end, spanned, _ in reported(text)] == [
        (3, 6, 16, "--insecure"),
        (5, 5, 27, "--no-check-certificate"),
    ]


def test_crlf_file():
    assert [(line, start, end) for line, start, end, _, _ in reported("FROM debian\r\nRUN curl -sk https://x.example\r\n")] == [(1, 11, 12)]


def test_exec_form_is_not_read():
    assert findings_of(CODE, 'FROM debian\nRUN ["curl", "-k", "https://x.example"]\n') == []
