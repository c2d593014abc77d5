"""HG203 untrusted-registry: images from registries outside trusted-registries, in every format."""
from __future__ import annotations

import pytest

from hullguard.config import Config
from hullguard.model import Format, Severity

from conftest import findings_of, reported_of

CODE = "HG203"


def trusting(*registries: str) -> Config:
    return Config(trusted_registries=registries)


def test_silent_without_trusted_registries():
    assert reported_of(CODE, "FROM quay.io/evil/app:1.0\n") == []


def test_other_registry_is_reported_on_the_image_word():
    (finding,) = findings_of(CODE, "FROM ghcr.io/someone/python:3.12 AS base\n", config=trusting("registry.example.com"))
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (0, 5, 32)
    assert finding.message == "base image 'ghcr.io/someone/python' comes from 'ghcr.io', which is not in trusted-registries"
    assert finding.severity is Severity.ERROR and finding.fixes == []


def test_docker_hub_is_docker_io():
    assert reported_of(CODE, "FROM python:3.12\n", config=trusting("ghcr.io")) == [
        (0, 5, 0, 16, "base image 'python' comes from 'docker.io', which is not in trusted-registries")
    ]
    assert reported_of(CODE, "FROM python:3.12\nFROM bitnami/kubectl:1.31\nFROM index.docker.io/library/nginx:1.27\n", config=trusting("docker.io")) == []


@pytest.mark.parametrize(
    "image, trusted, ok",
    [
        ("ghcr.io/myorg/app:1", "ghcr.io/myorg", True),
        ("ghcr.io/myorg/team/app:1", "ghcr.io/myorg/", True),
        ("ghcr.io/myorganisation/app:1", "ghcr.io/myorg", False),  # whole path components only
        ("ghcr.io/other/app:1", "ghcr.io/myorg", False),
        ("registry.example.com:5000/app:1", "registry.example.com:5000", True),
        ("registry.example.com/app:1", "registry.example.com:5000", False),
        ("REGISTRY.example.com/app:1", "registry.EXAMPLE.com", True),
        ("nginx:1.27", "docker.io/library", True),
        ("bitnami/nginx:1.27", "docker.io/library", False),
        ("bitnami/nginx:1.27", "docker.io/bitnami", True),
        ("nginx:1.27", "https://index.docker.io/", True),
    ],
)
def test_entries_are_hosts_or_path_prefixes(image, trusted, ok):
    assert (reported_of(CODE, f"FROM {image}\n", config=trusting(trusted)) == []) is ok


def test_copy_from_images_and_exclusions():
    text = (
        "ARG BASE\n"
        "FROM registry.example.com/go:1.22 AS build\n"
        "FROM scratch AS empty\n"
        "FROM $BASE AS dynamic\n"
        "from build\n"
        "copy --from=empty / /\n"
        "copy --from=0 / /\n"
        "copy --from=quay.io/prometheus/node-exporter:v1.8.2 /bin/node_exporter /bin/\n"
    )
    assert reported_of(CODE, text, config=trusting("registry.example.com")) == [
        (7, 12, 7, 51, "COPY --from image 'quay.io/prometheus/node-exporter' comes from 'quay.io', which is not in trusted-registries")
    ]


def test_crlf():
    assert reported_of(CODE, "FROM quay.io/app:1\r\nRUN true\r\n", config=trusting("ghcr.io")) == [
        (0, 5, 0, 18, "base image 'quay.io/app' comes from 'quay.io', which is not in trusted-registries")
    ]


def test_compose_images_pulled_not_built():
    text = (
        "services:\n  proxy:\n    image: quay.io/someone/haproxy:3.0\n  web:\n    image: nginx:1.27\n"
        "  app:\n    build: .\n    image: ghcr.io/acme/app:1.0\n  hub:\n    image: ${HUB:-bitnami/redis:7.4}\n"
    )
    assert reported_of(CODE, text, kind=Format.COMPOSE, config=trusting("docker.io/library")) == [
        (2, 11, 2, 38, "image 'quay.io/someone/haproxy' of service 'proxy' comes from 'quay.io', which is not in trusted-registries"),
        (9, 11, 9, 36, "image 'bitnami/redis' of service 'hub' comes from 'docker.io', which is not in trusted-registries"),
    ]
    assert reported_of(CODE, text, kind=Format.COMPOSE) == []  # no setting, no check


def test_kubernetes_init_and_regular_containers():
    text = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n"
        "      initContainers:\n        - {name: init, image: 'ghcr.io/someone/init:1.0'}\n"
        "      containers:\n        - name: web\n          image: registry.example.com/web:1.0\n"
    )
    assert reported_of(CODE, text, kind=Format.KUBERNETES, config=trusting("registry.example.com")) == [
        (7, 31, 7, 55, "image 'ghcr.io/someone/init' of init container 'init' comes from 'ghcr.io', which is not in trusted-registries"),
    ]
