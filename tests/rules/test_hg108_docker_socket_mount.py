"""HG108 docker-socket-mount: container-runtime sockets mounted from the host."""
from __future__ import annotations

import pytest

from hullguard.model import Format

from conftest import findings_of, reported_of, spans_of

CODE = "HG108"
K = Format.KUBERNETES
C = Format.COMPOSE


def compose(volumes: str) -> str:
    return f"services:\n  ci:\n    image: example/runner:17\n    volumes:\n{volumes}"


def test_compose_short_syntax_read_only_too():
    assert reported_of(CODE, compose("      - /var/run/docker.sock:/var/run/docker.sock:ro\n"), kind=C) == [
        (4, 8, 4, 28, "service 'ci' mounts the Docker daemon socket (/var/run/docker.sock), which gives it control of the host")
    ]


@pytest.mark.parametrize(
    "source, what",
    [
        ("/run/docker.sock", "Docker daemon socket"),
        ("/run/user/1000/docker.sock", "rootless Docker daemon socket"),
        ("/run/containerd/containerd.sock", "containerd socket"),
        ("/var/run/crio/crio.sock", "CRI-O socket"),
        ("/run/podman/podman.sock", "Podman socket"),
        ("/var/run/cri-dockerd.sock", "cri-dockerd socket"),
        ("//var/run/./docker.sock", "Docker daemon socket"),
    ],
)
def test_compose_runtime_sockets(source, what):
    [finding] = findings_of(CODE, compose(f'      - "{source}:/sock"\n'), kind=C)
    assert finding.message == f"service 'ci' mounts the {what} ({source}), which gives it control of the host"
    assert (finding.span.start.column, finding.span.end.column) == (9, 9 + len(source))


def test_compose_long_syntax_bind_and_windows_named_pipe():
    entries = (
        "      - type: bind\n        source: /var/run/docker.sock\n        target: /var/run/docker.sock\n"
        "      - type: npipe\n        source: \\\\.\\pipe\\docker_engine\n        target: \\\\.\\pipe\\docker_engine\n"
    )
    assert [(line, message.split(" (")[0]) for line, _, _, _, message in reported_of(CODE, compose(entries), kind=C)] == [
        (5, "service 'ci' mounts the Docker daemon socket"),
        (8, "service 'ci' mounts the Docker daemon named pipe"),
    ]


@pytest.mark.parametrize(
    "entry",
    [
        "docker.sock:/var/run/docker.sock",  # a named volume
        "./docker.sock:/var/run/docker.sock",
        "${DOCKER_SOCK:-/var/run/docker.sock}:/var/run/docker.sock",  # unknown
        "/var/run:/host/run",  # a folder holding sockets: HG107's
        "/var/run/docker.sock.bak:/x",
    ],
)
def test_compose_mounts_that_pass(entry):
    assert findings_of(CODE, compose(f"      - '{entry}'\n"), kind=C) == []


def test_compose_long_syntax_volume_type_is_a_named_volume():
    entries = "      - type: volume\n        source: /var/run/docker.sock\n        target: /x\n"
    assert findings_of(CODE, compose(entries), kind=C) == []


def test_kubernetes_host_path_of_a_socket_in_a_cronjob():
    text = (
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: build\nspec:\n  jobTemplate:\n    spec:\n"
        "      template:\n        spec:\n          volumes:\n            - name: docker\n              hostPath:\n"
        "                path: /var/run/docker.sock\n                type: Socket\n"
    )
    assert reported_of(CODE, text, kind=K) == [
        (12, 22, 12, 42, "volume 'docker' of CronJob 'build' mounts the Docker daemon socket (/var/run/docker.sock), which gives the pod control of the node")
    ]


def test_kubernetes_other_host_paths_and_flow_style():
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: []\n"
        "  volumes: [{name: logs, hostPath: {path: /var/log}}, {name: crio, hostPath: {path: /run/crio/crio.sock}}]\n"
    )
    assert spans_of(CODE, text, kind=K) == [(5, 84, 5, 103)]


def test_dockerfiles_are_not_checked():
    assert findings_of(CODE, "FROM alpine:3.20\nVOLUME /var/run/docker.sock\n") == []
