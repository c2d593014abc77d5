"""HG401 sensitive-port-exposed: EXPOSE of SSH, Telnet, Docker daemon, RDP, VNC and configured ports."""
from __future__ import annotations

from dataclasses import replace

import pytest

from hullguard.config import Config
from hullguard.context import DEFAULT_SENSITIVE_PORTS
from hullguard.model import Format, Severity

from conftest import findings_of, reported_of, spans_of

CODE = "HG401"


def test_ssh_port_is_reported_at_the_port_word():
    (finding,) = findings_of(CODE, "FROM ubuntu:24.04\nEXPOSE 80 22\n")
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (1, 10, 12)
    assert finding.message == "EXPOSE 22 (SSH) exposes a remote-administration service"
    assert finding.severity is Severity.WARNING
    assert finding.fixes == []


@pytest.mark.parametrize(
    "port, message",
    [
        ("22/tcp", "EXPOSE 22/tcp (SSH) exposes a remote-administration service"),
        ("23/udp", "EXPOSE 23/udp (Telnet) exposes a remote-administration service"),
        ("2375", "EXPOSE 2375 (unencrypted Docker daemon API) exposes a remote-administration service"),
        ("2376/TCP", "EXPOSE 2376/TCP (Docker daemon API over TLS) exposes a remote-administration service"),
        ("3389", "EXPOSE 3389 (RDP) exposes a remote-administration service"),
        ("5900", "EXPOSE 5900 (VNC) exposes a remote-administration service"),
        ("5895-5905/tcp", "EXPOSE 5895-5905/tcp exposes remote-administration services: 5900 (VNC)"),
        ("2370-2380", "EXPOSE 2370-2380 exposes remote-administration services: 2375 (unencrypted Docker daemon API), 2376 (Docker daemon API over TLS)"),
    ],
)
def test_default_sensitive_ports(port, message):
    assert reported_of(CODE, f"FROM alpine:3.20\nEXPOSE {port}\n") == [(1, 7, 1, 7 + len(port), message)]


@pytest.mark.parametrize("ports", ["80 443/tcp 8080", "21 24 2374 2377", "8000-8100", "2377-3388", "5901", "22a", "$UNSET_PORT"])
def test_other_ports_are_not_reported(ports):
    assert findings_of(CODE, f"FROM alpine:3.20\nEXPOSE {ports}\n") == []


def test_variables_resolve_from_arg_and_env_defaults():
    text = "FROM alpine:3.20\nARG SSH_PORT=22\nENV VNC=${VNC_PORT:-5900}\nEXPOSE $SSH_PORT ${VNC}/tcp\n"
    assert reported_of(CODE, text) == [
        (3, 7, 3, 16, "EXPOSE $SSH_PORT (22, SSH) exposes a remote-administration service"),
        (3, 17, 3, 27, "EXPOSE ${VNC}/tcp (5900/tcp, VNC) exposes a remote-administration service"),
    ]


def test_arg_without_default_is_unknown():
    assert findings_of(CODE, "FROM alpine:3.20\nARG SSH_PORT\nEXPOSE $SSH_PORT\n") == []


def test_global_arg_is_visible_once_redeclared_in_the_stage():
    assert findings_of(CODE, "ARG PORT=22\nFROM alpine:3.20\nEXPOSE $PORT\n") == []
    assert len(findings_of(CODE, "ARG PORT=22\nFROM alpine:3.20\nARG PORT\nEXPOSE $PORT\n")) == 1


def test_env_is_inherited_through_from_stage_but_arg_is_not():
    base = "FROM alpine:3.20 AS base\nENV ADMIN_PORT=3389\nARG DEBUG_PORT=22\n"
    assert [f.span.start.line for f in findings_of(CODE, base + "FROM base\nEXPOSE $ADMIN_PORT $DEBUG_PORT\n")] == [4]


def test_variable_defined_after_the_expose_does_not_count():
    assert findings_of(CODE, "FROM alpine:3.20\nEXPOSE $P\nARG P=22\n") == []


def test_configured_ports_are_reported_without_a_service_name():
    config = replace(Config(), sensitive_ports=DEFAULT_SENSITIVE_PORTS | {6379})
    assert reported_of(CODE, "FROM redis:7\nEXPOSE 6379 6370-6380\n", config=config) == [
        (1, 7, 1, 11, "EXPOSE 6379 exposes a port configured as sensitive"),
        (1, 12, 1, 21, "EXPOSE 6370-6380 exposes ports configured as sensitive: 6379"),
    ]


def test_continued_lower_case_expose_in_a_crlf_file():
    text = "FROM alpine:3.20\r\nexpose 80 \\\r\n    22\r\n"
    assert spans_of(CODE, text) == [(2, 4, 2, 6)]


def test_every_stage_is_checked():
    text = "FROM alpine:3.20 AS debug\nEXPOSE 22\n\nFROM alpine:3.20\nEXPOSE 8080\n"
    assert [f.span.start.line for f in findings_of(CODE, text)] == [1]


# --- compose ---------------------------------------------------------------------------------

C = Format.COMPOSE
K = Format.KUBERNETES


def service(body: str) -> str:
    return f"services:\n  devbox:\n    image: example/devbox:1.0\n{body}"


def test_compose_published_container_port_is_reported_at_the_container_part():
    text = service('    ports:\n      - "2222:22"\n      - "22:8080"\n')
    assert reported_of(CODE, text, kind=C) == [(4, 14, 4, 16, "service 'devbox' publishes port 22 (SSH), a remote-administration service")]


@pytest.mark.parametrize(
    "entry, span, message",
    [
        ('"127.0.0.1:5900:5900/tcp"', (4, 24, 4, 32), "service 'devbox' publishes port 5900/tcp (VNC), a remote-administration service"),
        ("3389", (4, 8, 4, 12), "service 'devbox' publishes port 3389 (RDP), a remote-administration service"),
        ("22:22", (4, 11, 4, 13), "service 'devbox' publishes port 22 (SSH), a remote-administration service"),
        (
            '"2370-2380:2370-2380"',
            (4, 19, 4, 28),
            "service 'devbox' publishes ports 2370-2380, which include remote-administration services: 2375 (unencrypted Docker daemon API), 2376 (Docker daemon API over TLS)",
        ),
    ],
)
def test_compose_short_port_syntax(entry, span, message):
    assert reported_of(CODE, service(f"    ports:\n      - {entry}\n"), kind=C) == [(*span, message)]


def test_compose_long_syntax_target_and_expose():
    text = service("    ports:\n      - target: 23\n        published: 2323\n    expose:\n      - '5900'\n      - 3000\n")
    assert reported_of(CODE, text, kind=C) == [
        (4, 16, 4, 18, "service 'devbox' publishes port 23 (Telnet), a remote-administration service"),
        (7, 8, 7, 14, "service 'devbox' exposes port 5900 (VNC), a remote-administration service"),
    ]


def test_compose_variables_are_unknown():
    text = service('    ports:\n      - "${SSH_PORT}"\n      - "2222:${SSH_PORT:-22}"\n    expose: ["${VNC}"]\n')
    assert findings_of(CODE, text, kind=C) == []


def test_compose_configured_port_and_flow_style_crlf():
    config = replace(Config(), sensitive_ports=DEFAULT_SENSITIVE_PORTS | {6379})
    text = "services:\r\n  cache: {image: 'redis:7', expose: ['6379']}\r\n"
    assert reported_of(CODE, text, kind=C, config=config) == [(1, 37, 1, 43, "service 'cache' exposes port 6379, a port configured as sensitive")]


# --- Kubernetes ------------------------------------------------------------------------------


def test_kubernetes_container_port_in_every_container_list():
    text = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: bastion\nspec:\n  template:\n    spec:\n"
        "      initContainers:\n        - name: init\n          image: x:1\n          ports: [{containerPort: 5900}]\n"
        "      containers:\n        - name: sshd\n          image: x:1\n          ports:\n            - name: ssh\n"
        "              containerPort: 22\n              hostPort: 8080\n            - containerPort: 8080\n"
        "      ephemeralContainers:\n        - name: dbg\n          image: x:1\n          ports: [{containerPort: 3389}]\n"
    )
    assert reported_of(CODE, text, kind=K) == [
        (10, 34, 10, 38, "init container 'init' declares port 5900 (VNC), a remote-administration service"),
        (16, 29, 16, 31, "container 'sshd' declares port 22 (SSH), a remote-administration service"),
        (22, 34, 22, 38, "ephemeral container 'dbg' declares port 3389 (RDP), a remote-administration service"),
    ]


def test_kubernetes_host_port_and_string_ports_do_not_count():
    text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n      ports:\n        - {containerPort: 8080, hostPort: 22}\n        - {containerPort: '22'}\n"
    assert findings_of(CODE, text, kind=K) == []


def test_kubernetes_cronjob_in_a_second_document_with_configured_port():
    config = replace(Config(), sensitive_ports=DEFAULT_SENSITIVE_PORTS | {9000})
    text = (
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n---\n"
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\nspec:\n  jobTemplate:\n    spec:\n      template:\n"
        "        spec:\n          containers:\n            - name: job\n              ports: [{containerPort: 9000}]\n"
    )
    assert reported_of(CODE, text, kind=K, config=config) == [(16, 38, 16, 42, "container 'job' declares port 9000, a port configured as sensitive")]
