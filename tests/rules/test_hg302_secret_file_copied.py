"""HG302 secret-file-copied: COPY/ADD of credential and key files from the build context."""
from __future__ import annotations

import pytest

from hullguard.model import Severity

from conftest import findings_of, spans_of

CODE = "HG302"


def test_dotenv_source_is_reported_at_the_source_word():
    (finding,) = findings_of(CODE, "FROM alpine:3.20\nCOPY requirements.txt .env ./\n")
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (1, 22, 26)
    assert finding.message == "COPY puts an environment file into the image (.env)"
    assert finding.severity is Severity.ERROR
    assert finding.fixes == []


def test_json_form_span_excludes_the_quotes():
    text = 'FROM alpine:3.20\nCOPY ["keys/id_ed25519", "/root/.ssh/id_ed25519"]\n'
    assert spans_of(CODE, text) == [(1, 7, 1, 22)]
    assert findings_of(CODE, text)[0].message == "COPY puts an SSH private key into the image (keys/id_ed25519)"


@pytest.mark.parametrize(
    "source, what",
    [
        (".env.production", "an environment file"),
        ("config/.env", "an environment file"),
        ("id_rsa", "an SSH private key"),
        ("id_dsa", "an SSH private key"),
        ("deploy/id_ecdsa", "an SSH private key"),
        ("tls/server.pem", "a PEM key or certificate file"),
        ("SERVER.KEY", "a private key file"),
        ("client.p12", "a PKCS#12 key store"),
        ("client.pfx", "a PKCS#12 key store"),
        (".npmrc", "npm credentials (.npmrc)"),
        (".pypirc", "PyPI credentials (.pypirc)"),
        (".netrc", "login credentials (.netrc)"),
        (".git-credentials", "git credentials"),
        (".dockercfg", "Docker registry credentials"),
        (".docker/config.json", "Docker registry credentials"),
        (".docker", "Docker registry credentials"),
        (".aws", "AWS credentials"),
        (".aws/credentials", "AWS credentials"),
        ("home/.ssh/known_hosts", "SSH keys"),
        ("./.gnupg/", "GnuPG keys"),
        ("*.pem", "a PEM key or certificate file"),
        ("certs/*.key", "a private key file"),
        (".env*", "an environment file"),
        ("id_*", "an SSH private key"),
    ],
)
def test_secret_sources(source, what):
    (finding,) = findings_of(CODE, f"FROM alpine:3.20\nCOPY {source} /app/\n")
    assert finding.message == f"COPY puts {what} into the image ({source})"
    assert (finding.span.start.column, finding.span.end.column) == (5, 5 + len(source))


@pytest.mark.parametrize(
    "instruction",
    [
        "COPY .env.example .env.sample .env.template /app/",
        "COPY id_rsa.pub /root/.ssh/authorized_keys",  # a public key; the destination is not checked
        "COPY app /root/.ssh/",
        "COPY --from=build /root/.ssh/id_rsa /tmp/id_rsa",
        "COPY --from=alpine/git:2.45.2 /etc/ssl/certs/ca.pem /etc/ssl/certs/",
        "ADD https://example.com/keys/server.pem /etc/ssl/",
        "ADD git@github.com:org/repo.git /src",
        "COPY * /app/",
        "COPY *.txt keyring.json .environment /app/",
        "RUN cp .env /tmp/",
        "COPY jenkins.io-2026.key /war/jenkins-key.pub",
        "COPY ./.pki/ca.pem /usr/local/share/ca-certificates/ca.crt",
        "COPY certs/*.pem /etc/pki/ca-trust/source/anchors/",
        "ADD repo.key /usr/share/keyrings/",
    ],
)
def test_not_a_secret_file_from_the_context(instruction):
    assert findings_of(CODE, f"FROM alpine:3.20\n{instruction}\n") == []


@pytest.mark.parametrize(
    "instruction",
    [
        "COPY id_rsa /root/.ssh/id_rsa.pub",  # only *.pem and *.key can be public material
        "COPY .env /etc/ca-certificates/",
        'COPY ["tls.key", "/etc/nginx/tls.key"]',
    ],
)
def test_destination_clears_only_pem_and_key_files_copied_as_public_material(instruction):
    assert len(findings_of(CODE, f"FROM alpine:3.20\n{instruction}\n")) == 1


def test_heredoc_copy_is_not_a_context_source():
    assert findings_of(CODE, "FROM alpine:3.20\nCOPY <<EOF /app/.env\nMODE=dev\nEOF\n") == []


def test_every_secret_source_of_a_continued_lower_case_add_is_reported():
    text = "FROM alpine:3.20\nadd --chown=app \\\n    .npmrc \\\n    src/ \\\n    .ssh /home/app/\n"
    assert spans_of(CODE, text) == [(2, 4, 2, 10), (4, 4, 4, 8)]
    assert [f.message for f in findings_of(CODE, text)] == [
        "ADD puts npm credentials (.npmrc) into the image (.npmrc)",
        "ADD puts SSH keys into the image (.ssh)",
    ]


def test_crlf_and_later_stages():
    text = "FROM alpine:3.20 AS build\r\nCOPY .netrc /root/\r\n\r\nFROM alpine:3.20\r\nCOPY server.key /etc/ssl/\r\n"
    assert spans_of(CODE, text) == [(1, 5, 1, 11), (4, 5, 4, 15)]
