"""HG510 host-probes-and-lifecycle: the PSS baseline control of v1.34 and later."""
from __future__ import annotations

import pytest

from hullguard.config import Config
from hullguard.model import Applicability, Format

from conftest import findings_of, fixed_text, reported_of

K = Format.KUBERNETES


def pod(handlers: str, list_name: str = "containers") -> str:
    return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n" + f"  {list_name}:\n    - name: app\n      image: nginx\n" + handlers


LIVENESS = "      livenessProbe:\n        httpGet:\n          host: localhost\n          port: 8080\n"


def test_host_reported_at_its_value_with_an_unsafe_removal():
    text = pod(LIVENESS)
    [finding] = findings_of("HG510", text, kind=K)
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (10, 16, 25)
    assert finding.message == "container 'app' sends the kubelet's probes or hooks to another host (livenessProbe.httpGet.host: localhost); PSS baseline v1.34+ forbids them"
    assert [fix.applicability for fix in finding.fixes] == [Applicability.UNSAFE]
    assert fixed_text("HG510", text, kind=K) == pod("      livenessProbe:\n        httpGet:\n          port: 8080\n")
    assert fixed_text("HG510", text, kind=K, unsafe=False) is None


@pytest.mark.parametrize(
    "version, level, fires",
    [((1, 33), "baseline", False), ((1, 34), "baseline", True), (None, "baseline", True), ((1, 33), "restricted", False), (None, "restricted", True)],
)
def test_version_gate(version, level, fires):
    assert bool(findings_of("HG510", pod(LIVENESS), kind=K, config=Config(pss_level=level, pss_version=version))) is fires


@pytest.mark.parametrize("host", ["127.0.0.1", "'::1'", "10.0.0.7", "metadata.google.internal"])
def test_every_non_empty_host_fails(host):
    assert len(findings_of("HG510", pod(LIVENESS.replace("localhost", host)), kind=K)) == 1


def test_empty_host_exec_grpc_and_host_headers_pass():
    handlers = (
        "      readinessProbe:\n        httpGet: {host: '', port: 80, httpHeaders: [{name: Host, value: example.com}]}\n"
        "      livenessProbe:\n        exec: {command: [true]}\n"
        "      startupProbe:\n        grpc: {port: 9000}\n"
    )
    assert findings_of("HG510", pod(handlers), kind=K) == []


def test_every_probe_and_hook_kind_one_finding_per_container_listing_all():
    handlers = (
        "      readinessProbe:\n        tcpSocket: {host: a, port: 80}\n"
        "      startupProbe:\n        httpGet: {host: b, port: 80}\n"
        "      lifecycle:\n        postStart:\n          httpGet: {host: c, port: 80}\n        preStop:\n          tcpSocket: {host: d, port: 80}\n"
    )
    text = pod(handlers)
    [(line, column, _, _, message)] = reported_of("HG510", text, kind=K)
    assert (line, column) == (9, 26)
    assert message == (
        "container 'app' sends the kubelet's probes or hooks to another host (readinessProbe.tcpSocket.host: a, "
        "startupProbe.httpGet.host: b, lifecycle.postStart.httpGet.host: c, lifecycle.preStop.tcpSocket.host: d); PSS baseline v1.34+ forbids them"
    )
    assert fixed_text("HG510", text, kind=K) == pod(
        "      readinessProbe:\n        tcpSocket: {port: 80}\n"
        "      startupProbe:\n        httpGet: {port: 80}\n"
        "      lifecycle:\n        postStart:\n          httpGet: {port: 80}\n        preStop:\n          tcpSocket: {port: 80}\n"
    )


@pytest.mark.parametrize("list_name, label", [("initContainers", "init container 'app'"), ("ephemeralContainers", "ephemeral container 'app'")])
def test_init_and_ephemeral_containers(list_name, label):
    [finding] = findings_of("HG510", pod(LIVENESS, list_name), kind=K)
    assert finding.message.startswith(label + " sends")


def test_cronjob_depth_crlf_and_second_document():
    cronjob = (
        "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n"
        "          containers:\n            - name: j\n              image: busybox\n"
        "              livenessProbe:\n                tcpSocket:\n                  host: db\n                  port: 5432\n"
    )
    text = (pod("") + "---\n" + cronjob).replace("\n", "\r\n")
    assert [(line, column) for line, column, *_ in reported_of("HG510", text, kind=K)] == [(22, 24)]
    assert fixed_text("HG510", text, kind=K) == text.replace("                  host: db\r\n", "")


def test_no_fix_when_the_host_comes_from_a_merge():
    text = pod("      livenessProbe:\n        httpGet:\n          <<: {host: localhost}\n          port: 8080\n")
    [finding] = findings_of("HG510", text, kind=K)
    assert finding.fixes == []
