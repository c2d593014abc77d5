"""HG102 privileged: the PSS baseline control privileged, and compose's privileged: true."""
from __future__ import annotations

import pytest

from hullguard.config import Config
from hullguard.model import Applicability, Format

from conftest import findings_of, fixed_text, reported_of, spanned

CODE = "HG102"
K = Format.KUBERNETES
C = Format.COMPOSE


def pod(spec: str) -> str:
    return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n" + spec


def container(name: str, security_context: str, key: str = "containers") -> str:
    return f"  {key}:\n    - name: {name}\n      image: busybox:1.36\n      securityContext:\n{security_context}"


PRIVILEGED = container("app", "        privileged: true\n")


def test_privileged_container_points_at_true_with_a_fix_setting_false():
    text = pod(PRIVILEGED)
    assert reported_of(CODE, text, kind=K) == [(9, 20, 9, 24, "container 'app' runs privileged (securityContext.privileged: true)")]
    (finding,) = findings_of(CODE, text, kind=K)
    assert [(fix.title, fix.applicability) for fix in finding.fixes] == [("Set securityContext.privileged: false", Applicability.UNSAFE)]
    assert fixed_text(CODE, text, kind=K) == pod(container("app", "        privileged: false\n"))
    assert fixed_text(CODE, text, kind=K, unsafe=False) is None


@pytest.mark.parametrize("key, label", [("initContainers", "init container 'app'"), ("ephemeralContainers", "ephemeral container 'app'")])
def test_every_container_list_is_checked(key, label):
    (finding,) = findings_of(CODE, pod(container("app", "        privileged: true\n", key)), kind=K)
    assert finding.message == f"{label} runs privileged (securityContext.privileged: true)"


@pytest.mark.parametrize("level", ["baseline", "restricted"])
@pytest.mark.parametrize("version", [(1, 0), None])
def test_baseline_control_fires_at_both_levels_and_every_version(level, version):
    assert len(findings_of(CODE, pod(PRIVILEGED), kind=K, config=Config(pss_level=level, pss_version=version))) == 1


@pytest.mark.parametrize("value", ["false", '"true"', "~", ""])
def test_false_unset_and_non_boolean_values_pass(value):
    assert findings_of(CODE, pod(container("app", f"        privileged: {value}\n")), kind=K) == []


def test_yaml_1_1_yes_is_true_as_kubectl_reads_it():
    assert len(findings_of(CODE, pod(container("app", "        privileged: yes\n")), kind=K)) == 1


def test_pod_level_has_no_such_field():
    assert findings_of(CODE, pod("  securityContext:\n    privileged: true\n  containers:\n    - name: app\n      image: x\n"), kind=K) == []


def test_flow_style_cronjob_and_second_document():
    cronjob = (
        "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: job}\nspec:\n  jobTemplate:\n    spec:\n      template:\n"
        "        spec:\n          containers: [{name: c, image: x, securityContext: {privileged: true}}]\n"
    )
    (finding,) = findings_of(CODE, "---\n" + pod("  containers: []\n") + "---\n" + cronjob, kind=K)
    assert (finding.span.start.line, spanned("---\n" + pod("  containers: []\n") + "---\n" + cronjob, finding)) == (16, "true")
    assert fixed_text(CODE, cronjob, kind=K).endswith("securityContext: {privileged: false}}]\n")


def test_crlf():
    text = pod(PRIVILEGED).replace("\n", "\r\n")
    assert fixed_text(CODE, text, kind=K) == pod(container("app", "        privileged: false\n")).replace("\n", "\r\n")


# --- compose -----------------------------------------------------------------------------------


def test_compose_privileged_true_points_at_the_value_and_the_fix_removes_it():
    text = "services:\n  agent:\n    image: example/agent:1.0\n    privileged: true\n    restart: always\n"
    assert reported_of(CODE, text, kind=C) == [(3, 16, 3, 20, "service 'agent' runs privileged (privileged: true)")]
    assert fixed_text(CODE, text, kind=C) == "services:\n  agent:\n    image: example/agent:1.0\n    restart: always\n"


@pytest.mark.parametrize("value, reported", [("yes", True), ('"on"', True), ("'True'", True), ("y", True), ("false", False), ('"no"', False), ("${PRIV}", False), ("1", False)])
def test_compose_reads_booleans_as_compose_does(value, reported):
    text = f"services:\n  agent:\n    image: x\n    privileged: {value}\n"
    assert bool(findings_of(CODE, text, kind=C)) is reported


def test_compose_flow_mapping_fix_and_no_fix_for_an_only_setting():
    text = "services:\n  agent: {image: x, privileged: true}\n"
    assert fixed_text(CODE, text, kind=C) == "services:\n  agent: {image: x}\n"
    (finding,) = findings_of(CODE, "services:\n  agent:\n    privileged: true\n", kind=C)
    assert finding.fixes == []  # removing the only key would leave the service null

