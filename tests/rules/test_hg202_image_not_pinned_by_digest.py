"""HG202 image-not-pinned-by-digest: images without @sha256 (Dockerfile FROM / COPY --from,
compose image:, Kubernetes container images)."""
from __future__ import annotations

import pytest

from hullguard.model import Format, Severity
from hullguard.rules import RULES_BY_CODE

from conftest import findings_of, lint_text, reported_of

CODE = "HG202"
DIGEST = "sha256:" + "0123456789abcdef" * 4


def test_version_tag_is_reported_on_the_whole_reference():
    (finding,) = findings_of(CODE, "FROM python:3.12-slim AS base\n")
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (0, 5, 21)
    assert finding.message == "base image 'python:3.12-slim' is not pinned by digest, so its content can change under the same reference"
    assert finding.severity is Severity.WARNING and finding.fixes == []


def test_on_by_default():
    assert RULES_BY_CODE[CODE].enabled_by_default
    result = lint_text("FROM alpine:3.20\n", select=("ALL",))
    assert not result.rule_failures
    assert [f for f in result.findings if f.code == CODE] != []


def test_digests_scratch_stages_and_unresolvable_are_accepted():
    text = (
        "ARG BASE\n"
        f"FROM python:3.12-slim@{DIGEST} AS build\n"
        f"FROM ghcr.io/org/app@{DIGEST} AS other\n"
        "FROM scratch AS empty\n"
        "FROM $BASE AS from-arg\n"
        "FROM build\n"
        "COPY --from=empty / /\n"
        "COPY --from=1 / /\n"
        f"COPY --from=busybox:1.37@{DIGEST} /bin/busybox /busybox\n"
    )
    assert reported_of(CODE, text) == []


@pytest.mark.parametrize(
    "text",
    [
        "ARG WINDOWS_VERSION=\nFROM mcr.microsoft.com/windows/servercore:${WINDOWS_VERSION}\n",  # an empty default leaves "servercore:"
        "ARG REGISTRY=\nFROM ${REGISTRY}/app:1.0\n",  # leaves "/app:1.0"
        "FROM REPLACE-ME\n",  # a template's placeholder
        "FROM spack/rockylinux8:sha256:" + "c5" * 32 + "\n",  # a digest written as a tag
        "FROM alpine:3.20@" + DIGEST + "\nCOPY --from=Busybox:1.37 /bin/busybox /busybox\n",
    ],
)
def test_malformed_references_are_not_images(text):
    assert reported_of(CODE, text) == []


def test_copy_from_image_and_global_arg():
    text = "ARG UV=ghcr.io/astral-sh/uv:0.5.0\nFROM ${UV} AS uv\nFROM alpine:3.20@" + DIGEST + "\ncopy --from=busybox:1.37 /bin/busybox /busybox\n"
    assert reported_of(CODE, text) == [
        (1, 5, 1, 10, "base image 'ghcr.io/astral-sh/uv:0.5.0' is not pinned by digest, so its content can change under the same reference"),
        (3, 12, 3, 24, "COPY --from image 'busybox:1.37' is not pinned by digest, so its content can change under the same reference"),
    ]


def test_crlf_and_continuation():
    text = "FROM \\\r\n  node:22-alpine\r\n"
    assert reported_of(CODE, text) == [
        (1, 2, 1, 16, "base image 'node:22-alpine' is not pinned by digest, so its content can change under the same reference")
    ]


def test_compose_images_are_reported_on_the_reference_without_quotes():
    text = "services:\n  db:\n    image: postgres:17.2\n  cache:\n    image: 'redis'\n  app:\n    build: .\n    image: acme/app:1.0\n"
    assert reported_of(CODE, text, kind=Format.COMPOSE) == [
        (2, 11, 2, 24, "image 'postgres:17.2' of service 'db' is not pinned by digest, so its content can change under the same reference"),
        (4, 12, 4, 17, "image 'redis' of service 'cache' is not pinned by digest, so its content can change under the same reference"),
    ]


def test_compose_default_is_read_and_digests_accepted():
    text = f"services:\n  a:\n    image: ${{IMAGE:-nginx:1.27}}\n  b:\n    image: nginx@{DIGEST}\n  c:\n    image: ${{IMAGE}}\n"
    assert reported_of(CODE, text, kind=Format.COMPOSE) == [
        (2, 11, 2, 31, "image 'nginx:1.27' of service 'a' is not pinned by digest, so its content can change under the same reference"),
    ]


def test_kubernetes_every_container_list_in_a_multi_document_stream():
    text = (
        "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n"
        "---\n"
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  template:\n    spec:\n"
        "      initContainers: [{name: init, image: busybox:1.37}]\n"
        "      containers:\n        - name: db\n"
        f"          image: postgres:17.2@{DIGEST}\n"
        "      ephemeralContainers:\n        - name: debug\n          image: \"busybox:1.37\"\n"
    )
    assert reported_of(CODE, text, kind=Format.KUBERNETES) == [
        (10, 43, 10, 55, "image 'busybox:1.37' of init container 'init' is not pinned by digest, so its content can change under the same reference"),
        (16, 18, 16, 30, "image 'busybox:1.37' of ephemeral container 'debug' is not pinned by digest, so its content can change under the same reference"),
    ]
