"""HG208 image-pin-loosened: a digest or fixed tag replaced by a tag that moves."""
from __future__ import annotations

import pytest

from hullguard.dockerfile import ImageRef
from hullguard.model import Format
from hullguard.rules.image_pin_loosened import DIGEST, FIXED, LATEST, MOVING, pinning

from conftest import findings_of
from regression_helpers import reported

DIGEST_A = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    "reference, expected",
    [
        (f"nginx:1.27@{DIGEST_A}", DIGEST), (f"nginx@{DIGEST_A}", DIGEST),
        ("nginx:1.27.3", FIXED), ("python:3.12.4-slim-bookworm", FIXED), ("example/app:v2.1.0-alpine", FIXED),
        ("debian:bookworm-20240701", FIXED), ("example/app:sha-1a2b3c4", FIXED), ("example/app:1a2b3c4d", FIXED),
        ("nginx:1.27", MOVING), ("python:3", MOVING), ("node:lts", MOVING), ("nginx:stable-alpine", MOVING),
        ("example/app:deadbeef", MOVING),  # hex without a digit is a word, not a commit id
        ("example/app:1.2.3.4", MOVING),  # not a three-part version
        ("nginx", LATEST), ("nginx:latest", LATEST), ("localhost:5000/app", LATEST),
    ],
)
def test_pinning_levels(reference, expected):
    assert pinning(ImageRef.parse(reference)) == expected


def test_digest_to_moving_tag_in_a_dockerfile():
    assert reported("HG208", f"FROM nginx:1.27.3@{DIGEST_A}\n", "FROM nginx:1.27\n") == [
        (0, 10, 0, 15, "base image of the final stage changed from 'nginx:1.27.3@sha256:aaaaaaaaaaaa…' (pinned by digest) to 'nginx:1.27' (a tag that moves to new releases)"),
    ]


def test_fixed_tag_to_latest_or_no_tag():
    assert reported("HG208", "FROM nginx:1.27.3\n", "FROM nginx:latest\n") == [
        (0, 10, 0, 17, "base image of the final stage changed from 'nginx:1.27.3' (a fixed version tag) to 'nginx:latest' (moves with every push)"),
    ]
    assert reported("HG208", "from nginx:1.27.3 as web\n", "from nginx as web\n") == [
        (0, 5, 0, 10, "base image of stage 'web' changed from 'nginx:1.27.3' (a fixed version tag) to 'nginx' (no tag: :latest, which moves with every push)"),
    ]


def test_not_reported_when_the_pin_stays_or_was_loose_already():
    assert reported("HG208", f"FROM nginx@{DIGEST_A}\n", "FROM nginx:1.27.4\n") == []  # a fixed tag (HG202 reports the digest)
    assert reported("HG208", "FROM nginx:1.27\n", "FROM nginx:latest\n") == []  # was moving already
    assert reported("HG208", "FROM nginx:1.27.3\n", "# new comment\nFROM nginx:1.27.4\n") == []
    assert findings_of("HG208", "FROM nginx:latest\n") == []  # a normal check: no old version


def test_build_arguments_and_stage_pairing():
    old = f"ARG BASE=python:3.12.4-slim\nFROM $BASE AS build\nFROM nginx@{DIGEST_A}\n"
    new = "ARG BASE=python:3.12-slim\nFROM golang:1.23.1 AS tools\nFROM $BASE AS build\nFROM nginx@" + DIGEST_A + "\n"
    assert reported("HG208", old, new) == [
        (2, 5, 2, 10, "base image of stage 'build' changed from 'python:3.12.4-slim' (a fixed version tag) to 'python:3.12-slim' (a tag that moves to new releases)"),
    ]


def test_copy_from_an_image_is_compared_by_repository():
    old = "FROM alpine:3.20.3\nCOPY --from=busybox:1.36.1 /bin/busybox /busybox\nCOPY --from=example/tools:2.0.0 /t /t\n"
    new = "FROM alpine:3.20.3\nCOPY --from=busybox:1.36 /bin/busybox /busybox\nCOPY --from=example/other:2 /t /t\n"
    assert reported("HG208", old, new) == [
        (1, 19, 1, 24, "COPY --from image of the final stage changed from 'busybox:1.36.1' (a fixed version tag) to 'busybox:1.36' (a tag that moves to new releases)"),
    ]


def test_compose_services():
    old = "services:\n  web:\n    image: nginx:1.27.3\n  api:\n    image: example/api:2.0.1\n"
    new = "services:\n  api:\n    image: example/api:2.0.1\n  web:\n    image: \"nginx:1\"\n"
    assert reported("HG208", old, new, kind=Format.COMPOSE) == [
        (4, 17, 4, 19, "image of service 'web' changed from 'nginx:1.27.3' (a fixed version tag) to 'nginx:1' (a tag that moves to new releases)"),
    ]


def test_kubernetes_containers_of_each_workload_kind():
    old = (
        "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: report, namespace: ops}\nspec:\n  jobTemplate:\n    spec:\n"
        f"      template:\n        spec:\n          initContainers: [{{name: setup, image: 'busybox@{DIGEST_A}'}}]\n"
        "          containers: [{name: report, image: example/report:1.4.2}]\n"
    )
    new = old.replace(f"busybox@{DIGEST_A}", "busybox:1.36")
    assert reported("HG208", old, new, kind=Format.KUBERNETES) == [
        (8, 56, 8, 61, "image of init container 'setup' changed from 'busybox@sha256:aaaaaaaaaaaa…' (pinned by digest) to 'busybox:1.36' (a tag that moves to new releases)"),
    ]
    moved = new.replace("namespace: ops", "namespace: batch")  # another object: not compared
    assert reported("HG208", old, moved, kind=Format.KUBERNETES) == []
