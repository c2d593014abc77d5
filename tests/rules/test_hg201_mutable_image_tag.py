"""HG201 mutable-image-tag: FROM / COPY --from images with no tag or :latest."""
from __future__ import annotations

import pytest

from hullguard.model import Severity

from conftest import findings_of, reported_of

CODE = "HG201"
DIGEST = "sha256:" + "0123456789abcdef" * 4


def test_untagged_base_points_at_the_name():
    (finding,) = findings_of(CODE, "FROM nginx\n")
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (0, 5, 10)
    assert finding.message == "base image 'nginx' has no tag, so it floats to whatever :latest is"
    assert finding.severity is Severity.WARNING and finding.fixes == []


def test_latest_points_at_the_tag():
    assert reported_of(CODE, "FROM --platform=linux/amd64 registry.example.com:5000/team/app:latest AS app\n") == [
        (0, 62, 0, 69, "base image 'registry.example.com:5000/team/app' uses the mutable ':latest' tag")
    ]


def test_registry_port_is_not_a_tag():
    assert reported_of(CODE, "FROM localhost:5000/app\n") == [
        (0, 5, 0, 23, "base image 'localhost:5000/app' has no tag, so it floats to whatever :latest is")
    ]


def test_global_arg_is_resolved_and_the_whole_word_is_the_span():
    text = "ARG BASE=python\nARG TAG=latest\nFROM ${BASE}:${TAG}\n"
    assert reported_of(CODE, text) == [(2, 5, 2, 19, "base image 'python' uses the mutable ':latest' tag")]


def test_arg_with_tag_value_is_accepted():
    assert reported_of(CODE, "ARG TAG=1.27\nFROM nginx:$TAG\n") == []


@pytest.mark.parametrize(
    "from_line",
    [
        "FROM nginx:1.27.3",
        f"FROM nginx@{DIGEST}",
        f"FROM nginx:latest@{DIGEST}",
        "FROM scratch",
        "FROM $UNSET_BASE",
        "FROM nginx:$UNSET_TAG",
        "FROM nginx:Latest",
        "FROM REPLACE-ME",  # a template's placeholder, not a valid reference
    ],
)
def test_not_reported(from_line):
    assert reported_of(CODE, f"ARG UNSET_BASE\nARG UNSET_TAG\n{from_line}\n") == []


def test_stage_reference_is_not_an_image():
    text = "FROM node:22 AS deps\nFROM deps AS build\nFROM Build\n"
    assert reported_of(CODE, text) == []


def test_copy_from_image_tag_and_name():
    text = (
        "FROM golang:1.22 AS build\n"
        "FROM alpine:3.20\n"
        "COPY --from=build /out /out\n"
        "COPY --from=0 /out /out\n"
        "COPY --from=busybox:latest /bin/busybox /busybox\n"
        "COPY --link --from=quay.io/prometheus/node-exporter /bin/node_exporter /bin/\n"
        'COPY --from="alpine" /etc/apk /etc/apk\n'
        "COPY --from=ghcr.io/astral-sh/uv:0.5.0 /uv /bin/uv\n"
        f"COPY --from=busybox@{DIGEST} /bin/busybox /busybox2\n"
        "COPY --from=$TOOLS /bin/tool /bin/tool\n"
    )
    assert reported_of(CODE, text) == [
        (4, 19, 4, 26, "COPY --from image 'busybox' uses the mutable ':latest' tag"),
        (5, 19, 5, 51, "COPY --from image 'quay.io/prometheus/node-exporter' has no tag, so it floats to whatever :latest is"),
        (6, 12, 6, 20, "COPY --from image 'alpine' has no tag, so it floats to whatever :latest is"),
    ]


def test_lower_case_instructions_and_crlf():
    text = "from node:latest as build\r\nfrom alpine:3.20\r\ncopy --from=build /a /a\r\ncopy \\\r\n  --from=redis /usr/local/bin/redis-cli /bin/\r\n"
    assert reported_of(CODE, text) == [
        (0, 9, 0, 16, "base image 'node' uses the mutable ':latest' tag"),
        (4, 9, 4, 14, "COPY --from image 'redis' has no tag, so it floats to whatever :latest is"),
    ]


def test_hadolint_suppressions_are_honoured():
    assert reported_of(CODE, "# hadolint ignore=DL3006\nFROM nginx\n") == []
    assert reported_of(CODE, "# hadolint ignore=DL3007\nFROM nginx:latest\n") == []
