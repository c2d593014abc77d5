"""HG403 host-port: the PSS hostPorts control, with the API server's hostNetwork defaulting."""
from __future__ import annotations

import pytest

from hullguard.config import Config
from hullguard.model import Applicability, Format

from conftest import findings_of, fixed_text, reported_of, spans_of

CODE = "HG403"
K = Format.KUBERNETES


def pod(spec: str, kind: str = "Pod") -> str:
    if kind == "Pod":
        return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n" + spec
    indented = "".join(f"    {line}\n" for line in spec.splitlines())
    return f"apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n{indented}"


PORTS = "  containers:\n    - name: web\n      image: nginx:1.27\n      ports:\n"


def test_host_port_is_reported_at_its_value_with_a_fix():
    text = pod(PORTS + "        - containerPort: 80\n          hostPort: 8080\n")
    [finding] = findings_of(CODE, text, kind=K)
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (10, 20, 24)
    assert finding.message == "container 'web' binds host port 8080 (hostPort); PSS baseline does not allow host ports"
    [fix] = finding.fixes
    assert (fix.title, fix.applicability) == ("Remove hostPort", Applicability.UNSAFE)
    assert fixed_text(CODE, text, kind=K) == pod(PORTS + "        - containerPort: 80\n")


def test_one_finding_per_port_and_flow_style_fix():
    text = pod(PORTS + "        - {containerPort: 80, hostPort: 80}\n        - hostPort: 443\n          containerPort: 443\n")
    assert spans_of(CODE, text, kind=K) == [(9, 40, 9, 42), (10, 20, 10, 23)]
    assert fixed_text(CODE, text, kind=K) == pod(PORTS + "        - {containerPort: 80}\n        - containerPort: 443\n")


@pytest.mark.parametrize("value", ["0", '"8080"', "~"])
def test_zero_unset_and_non_numbers_pass(value):
    assert findings_of(CODE, pod(PORTS + f"        - containerPort: 80\n          hostPort: {value}\n"), kind=K) == []


def test_every_container_list():
    spec = (
        "  initContainers:\n    - name: init\n      image: x:1\n      ports: [{containerPort: 1, hostPort: 1}]\n"
        "  containers:\n    - name: app\n      image: x:1\n"
        "  ephemeralContainers:\n    - name: dbg\n      image: x:1\n      ports: [{containerPort: 2, hostPort: 2}]\n"
    )
    assert [f.message.split(" binds")[0] for f in findings_of(CODE, pod(spec), kind=K)] == ["init container 'init'", "ephemeral container 'dbg'"]


def test_host_network_pod_defaults_host_ports_to_container_ports():
    spec = "  hostNetwork: true\n" + PORTS + "        - containerPort: 53\n        - containerPort: 9153\n          hostPort: 0\n        - containerPort: 8080\n          hostPort: 8080\n"
    findings = findings_of(CODE, pod(spec), kind=K)
    assert [(f.span.start.line, f.span.start.column) for f in findings] == [(10, 25), (11, 25), (14, 20)]
    assert findings[0].message == "container 'web' binds host port 53: with hostNetwork: true, hostPort defaults to containerPort; PSS baseline does not allow host ports"
    assert all(f.fixes == [] for f in findings)  # removing hostPort would not unbind the port


def test_host_network_defaulting_skips_ephemeral_containers():
    spec = "  hostNetwork: true\n  containers: []\n  ephemeralContainers:\n    - name: dbg\n      image: x:1\n      ports: [{containerPort: 53}]\n"
    assert findings_of(CODE, pod(spec), kind=K) == []


@pytest.mark.parametrize("kind", ["Deployment", "DaemonSet"])
def test_pod_templates_are_not_defaulted(kind):
    spec = "hostNetwork: true\ncontainers:\n  - name: web\n    image: x:1\n    ports:\n      - containerPort: 53\n"
    assert findings_of(CODE, pod(spec, kind), kind=K) == []


def test_cronjob_depth_and_both_levels():
    text = (
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\nspec:\n  jobTemplate:\n    spec:\n      template:\n"
        "        spec:\n          containers:\n            - name: job\n              image: x:1\n"
        "              ports: [{containerPort: 9000, hostPort: 9000}]\n"
    )
    for level in ("baseline", "restricted"):
        assert spans_of(CODE, text, kind=K, config=Config(pss_level=level)) == [(12, 54, 12, 58)]


def test_second_document_and_crlf():
    first = "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports: [{port: 80}]\n---\n"
    text = (first + pod(PORTS + "        - containerPort: 80\n          hostPort: 80\n")).replace("\n", "\r\n")
    assert reported_of(CODE, text, kind=K)[0][:2] == (17, 20)
    assert fixed_text(CODE, text, kind=K) == (first + pod(PORTS + "        - containerPort: 80\n")).replace("\n", "\r\n")
