"""HG106 host-namespaces: the PSS hostNamespaces control and compose's `host` namespace modes."""
from __future__ import annotations

import pytest

from hullguard.config import Config
from hullguard.model import Applicability, Format

from conftest import findings_of, fixed_text, reported_of, spans_of

CODE = "HG106"
K = Format.KUBERNETES
C = Format.COMPOSE


def pod(spec: str) -> str:
    return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: agent\nspec:\n" + spec + "  containers:\n    - name: app\n      image: example/agent:1.4\n"


# --- Kubernetes ------------------------------------------------------------------------------


def test_each_true_setting_is_reported_at_its_value():
    text = pod("  hostIPC: true\n  hostPID: true\n  hostNetwork: true\n")
    assert reported_of(CODE, text, kind=K) == [
        (5, 11, 5, 15, "Pod 'agent' shares the host's IPC namespace (hostIPC: true); PSS baseline does not allow it"),
        (6, 11, 6, 15, "Pod 'agent' shares the host's PID namespace (hostPID: true); PSS baseline does not allow it"),
        (7, 15, 7, 19, "Pod 'agent' shares the host's network namespace (hostNetwork: true); PSS baseline does not allow it"),
    ]


@pytest.mark.parametrize("value", ["false", '"true"', "'true'", "~", "1"])
def test_false_unset_and_non_booleans_pass(value):
    assert findings_of(CODE, pod(f"  hostNetwork: {value}\n"), kind=K) == []


def test_yaml_1_1_booleans_count_as_the_api_server_reads_them():
    assert spans_of(CODE, pod("  hostPID: yes\n  hostIPC: On\n"), kind=K) == [(5, 11, 5, 14), (6, 11, 6, 13)]


def test_host_users_and_share_process_namespace_are_not_part_of_the_control():
    assert findings_of(CODE, pod("  hostUsers: true\n  shareProcessNamespace: true\n"), kind=K) == []


@pytest.mark.parametrize("level", ["baseline", "restricted"])
def test_baseline_control_fires_at_both_levels(level):
    assert len(findings_of(CODE, pod("  hostNetwork: true\n"), kind=K, config=Config(pss_level=level))) == 1


def test_fix_sets_false_keeping_the_layout():
    [finding] = findings_of(CODE, pod("  hostNetwork: true   # for the metrics port\n"), kind=K)
    [fix] = finding.fixes
    assert (fix.title, fix.applicability) == ("Set hostNetwork: false", Applicability.UNSAFE)
    text = pod("  hostNetwork: true   # for the metrics port\n  hostPID: yes\n")
    assert fixed_text(CODE, text, kind=K) == pod("  hostNetwork: false   # for the metrics port\n  hostPID: false\n")
    assert fixed_text(CODE, text, kind=K, unsafe=False) is None


def test_workload_depths_deployment_and_cronjob():
    deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      hostPID: true\n"
    cronjob = (
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: job\nspec:\n  jobTemplate:\n    spec:\n"
        "      template:\n        spec:\n          hostIPC: true\n"
    )
    assert reported_of(CODE, deployment, kind=K) == [(7, 15, 7, 19, "Deployment 'web' shares the host's PID namespace (hostPID: true); PSS baseline does not allow it")]
    assert spans_of(CODE, cronjob, kind=K) == [(9, 19, 9, 23)]


def test_the_controllers_own_spec_is_not_a_pod_spec():
    text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  hostNetwork: true\n  template:\n    spec: {}\n"
    assert findings_of(CODE, text, kind=K) == []


def test_list_items_flow_style_and_second_document():
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n"
        "apiVersion: v1\nkind: List\nitems:\n"
        "  - {apiVersion: v1, kind: Pod, metadata: {name: a}, spec: {hostNetwork: true, containers: []}}\n"
    )
    [finding] = findings_of(CODE, text, kind=K)
    assert (finding.span.start.line, finding.span.start.column) == (7, 73)
    assert finding.message.startswith("Pod 'a' shares the host's network namespace")
    assert fixed_text(CODE, text, kind=K) == text.replace("hostNetwork: true", "hostNetwork: false")


def test_crlf_manifest_is_fixed_with_crlf():
    text = pod("  hostNetwork: true\n").replace("\n", "\r\n")
    assert spans_of(CODE, text, kind=K) == [(5, 15, 5, 19)]
    assert fixed_text(CODE, text, kind=K) == text.replace("true", "false")


# --- compose ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "setting, problem",
    [
        ("network_mode", "shares the host's network namespace"),
        ("pid", "shares the host's PID namespace"),
        ("ipc", "shares the host's IPC namespace"),
        ("uts", "shares the host's UTS namespace (hostname)"),
        ("cgroup", "shares the host's cgroup namespace"),
        ("userns_mode", "runs in the host's user namespace (no user-namespace remapping)"),
    ],
)
def test_compose_host_settings(setting, problem):
    text = f"services:\n  agent:\n    image: example/agent:1.4\n    {setting}: host\n"
    column = 4 + len(setting) + 2
    assert reported_of(CODE, text, kind=C) == [(3, column, 3, column + 4, f"service 'agent' {problem} ({setting}: host)")]
    assert fixed_text(CODE, text, kind=C) == "services:\n  agent:\n    image: example/agent:1.4\n"


@pytest.mark.parametrize("value", ['"service:db"', "container:web", "bridge", "private", "shareable", "Host", "${NET_MODE}", '"${NET_MODE:-host}"'])
def test_compose_other_modes_pass(value):
    assert findings_of(CODE, f"services:\n  app:\n    image: x:1\n    network_mode: {value}\n    ipc: {value}\n", kind=C) == []


def test_compose_quoted_value_and_one_finding_per_setting():
    text = 'services:\n  agent:\n    image: x:1\n    pid: "host"\n    ipc: \'host\'\n'
    assert spans_of(CODE, text, kind=C) == [(3, 9, 3, 15), (4, 9, 4, 15)]
    assert fixed_text(CODE, text, kind=C) == "services:\n  agent:\n    image: x:1\n"


def test_compose_setting_from_a_merge_is_reported_where_written_without_a_fix():
    text = "x-ns: &ns\n  pid: host\nservices:\n  a:\n    <<: *ns\n    image: x:1\n"
    [finding] = findings_of(CODE, text, kind=C)
    assert (finding.span.start.line, finding.span.start.column) == (1, 7)
    assert finding.message == "service 'a' shares the host's PID namespace (pid: host)"
    assert finding.fixes == []


def test_compose_flow_style_and_crlf():
    text = "services:\r\n  a: {image: 'x:1', network_mode: host}\r\n"
    assert spans_of(CODE, text, kind=C) == [(1, 34, 1, 38)]
    assert fixed_text(CODE, text, kind=C) == "services:\r\n  a: {image: 'x:1'}\r\n"


def test_compose_services_in_a_second_document():
    text = "services:\n  a:\n    image: x:1\n---\nservices:\n  b:\n    pid: host\n"
    assert [f.span.start.line for f in findings_of(CODE, text, kind=C)] == [6]
