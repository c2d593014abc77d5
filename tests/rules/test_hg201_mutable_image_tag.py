"""HG201 mutable-image-tag: images with no tag or :latest (Dockerfile FROM / COPY --from,
compose image:, Kubernetes container images)."""
from __future__ import annotations

import pytest

from hullguard.dockerfile import ImageRef
from hullguard.model import Format, Severity

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


# --- the reference parts, shared by every format ---------------------------------------------


@pytest.mark.parametrize(
    "reference, tag, digest",
    [
        ("nginx", (0, 5), (0, 5)),
        ("nginx:1.27", (5, 10), (0, 10)),
        ("localhost:5000/app", (0, 18), (0, 18)),  # a registry port is no tag
        (f"redis:7@{DIGEST}", (5, 7), (7, 8 + len(DIGEST))),
        (f"redis@{DIGEST}", (0, 5), (5, 6 + len(DIGEST))),
    ],
)
def test_part_offsets_of_a_plain_reference(reference, tag, digest):
    assert ImageRef.part_offsets(reference, "tag") == tag
    assert ImageRef.part_offsets(reference, "digest") == digest


# --- compose ------------------------------------------------------------------------------------


def compose(text: str, **kwargs):
    return reported_of(CODE, text, kind=Format.COMPOSE, **kwargs)


def test_compose_untagged_points_at_the_name_and_latest_at_the_tag_inside_quotes():
    text = 'services:\n  web:\n    image: nginx\n  cache:\n    image: "redis:latest"\n'
    assert compose(text) == [
        (2, 11, 2, 16, "image 'nginx' of service 'web' has no tag, so it floats to whatever :latest is"),
        (4, 17, 4, 24, "image 'redis' of service 'cache' uses the mutable ':latest' tag"),
    ]


def test_compose_variable_defaults_are_read_and_the_whole_value_is_the_span():
    text = "services:\n  worker:\n    image: ghcr.io/acme/worker:${TAG:-latest}\n  other:\n    image: ${REPO:-nginx}\n"
    assert compose(text) == [
        (2, 11, 2, 45, "image 'ghcr.io/acme/worker' of service 'worker' uses the mutable ':latest' tag"),
        (4, 11, 4, 25, "image 'nginx' of service 'other' has no tag, so it floats to whatever :latest is"),
    ]


@pytest.mark.parametrize(
    "service",
    [
        "    image: ghcr.io/acme/worker:${TAG}",  # no default: the tag is not known
        "    image: ${IMAGE:?set IMAGE}",
        "    build: .\n    image: acme/app:latest",  # names the image compose builds
        "    build:\n      context: .\n    image: acme/app",
        f"    image: nginx:latest@{DIGEST}",
        "    image: nginx:1.27.3",
        "    image:",
        "    image: REPLACE-ME",
    ],
)
def test_compose_not_reported(service):
    assert compose(f"services:\n  web:\n{service}\n") == []


def test_compose_service_without_settings_and_documents_of_a_stream():
    text = "services:\n  empty:\n---\nservices:\n  late:\n    image: alpine:latest\n"
    assert compose(text) == [(5, 17, 5, 24, "image 'alpine' of service 'late' uses the mutable ':latest' tag")]


def test_compose_crlf():
    assert compose("services:\r\n  web:\r\n    image: nginx:latest\r\n") == [
        (2, 16, 2, 23, "image 'nginx' of service 'web' uses the mutable ':latest' tag")
    ]


def test_compose_suppression_comment():
    assert compose("services:\n  web:\n    # hullguard: ignore[HG201]\n    image: nginx\n") == []


# --- Kubernetes ---------------------------------------------------------------------------------


def kubernetes(text: str, **kwargs):
    return reported_of(CODE, text, kind=Format.KUBERNETES, **kwargs)


CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
spec:
  jobTemplate:
    spec:
      template:
        spec:
          initContainers:
            - name: wait
              image: busybox:latest
          containers:
            - name: report
              image: ghcr.io/acme/report
          ephemeralContainers:
            - name: debug
              image: 'alpine:latest'
"""


def test_kubernetes_every_container_list_at_cronjob_depth():
    assert kubernetes(CRONJOB) == [
        (11, 28, 11, 35, "image 'busybox' of init container 'wait' uses the mutable ':latest' tag"),
        (14, 21, 14, 40, "image 'ghcr.io/acme/report' of container 'report' has no tag, so it floats to whatever :latest is"),
        (17, 28, 17, 35, "image 'alpine' of ephemeral container 'debug' uses the mutable ':latest' tag"),
    ]


def test_kubernetes_pod_deployment_list_and_flow_style_in_a_stream():
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    image: nginx\n"
        "---\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
        "spec: {template: {spec: {containers: [{name: web, image: 'nginx:latest'}]}}}\n"
        "---\n"
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: q}\n"
        "  spec:\n    containers: [{name: db, image: postgres}]\n"
    )
    assert kubernetes(text) == [
        (6, 11, 6, 16, "image 'nginx' of container 'app' has no tag, so it floats to whatever :latest is"),
        (11, 63, 11, 70, "image 'nginx' of container 'web' uses the mutable ':latest' tag"),
        (20, 35, 20, 43, "image 'postgres' of container 'db' has no tag, so it floats to whatever :latest is"),
    ]


def test_kubernetes_image_written_over_lines_is_reported_on_the_whole_scalar():
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    image: >-\n      nginx\n"
    assert kubernetes(text) == [(6, 11, 7, 11, "image 'nginx' of container 'app' has no tag, so it floats to whatever :latest is")]


@pytest.mark.parametrize(
    "image",
    ["nginx:1.27.3", f"nginx:latest@{DIGEST}", "${IMAGE}", "ghcr.io/acme/app:${TAG}", "'{{ .Values.image }}'", '""', "~"],
)
def test_kubernetes_not_reported(image):
    text = f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n  - name: app\n    image: {image}\n"
    assert kubernetes(text) == []


def test_kubernetes_crlf():
    text = "apiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: p\r\nspec:\r\n  containers:\r\n  - name: app\r\n    image: nginx:latest\r\n"
    assert kubernetes(text) == [(7, 16, 7, 23, "image 'nginx' of container 'app' uses the mutable ':latest' tag")]


def test_compose_image_shared_through_a_merge_key_is_reported_once():
    text = "x-base: &base\n  image: nginx:latest\nservices:\n  a:\n    <<: *base\n  b:\n    <<: *base\n"
    assert compose(text) == [(1, 14, 1, 21, "image 'nginx' of service 'a' uses the mutable ':latest' tag")]
