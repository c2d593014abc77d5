"""HG110 windows-host-process: the PSS windowsHostProcess control, pod and container levels."""
from __future__ import annotations

import pytest

from hullguard.config import Config
from hullguard.model import Applicability, Format

from conftest import findings_of, fixed_text, reported_of, spans_of

CODE = "HG110"
K = Format.KUBERNETES


def pod(spec: str) -> str:
    return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: win\nspec:\n" + spec


APP = "  containers:\n    - name: app\n      image: example/win:1.0\n"
POD_HOST_PROCESS = "  securityContext:\n    windowsOptions:\n      hostProcess: true\n      runAsUserName: \"NT AUTHORITY\\\\SYSTEM\"\n"


def test_pod_level_is_reported_once_at_its_value_with_a_fix():
    text = pod(POD_HOST_PROCESS + APP)
    [finding] = findings_of(CODE, text, kind=K)
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (7, 19, 23)
    assert finding.message == "pod securityContext of Pod 'win' makes every container a Windows HostProcess container (windowsOptions.hostProcess: true); PSS baseline does not allow it"
    [fix] = finding.fixes
    assert (fix.title, fix.applicability) == ("Set windowsOptions.hostProcess: false", Applicability.UNSAFE)
    assert fixed_text(CODE, text, kind=K) == pod(POD_HOST_PROCESS.replace("true", "false") + APP)


def test_each_level_is_judged_on_its_own():
    container_false = APP + "      securityContext:\n        windowsOptions: {hostProcess: false}\n"
    assert spans_of(CODE, pod(POD_HOST_PROCESS + container_false), kind=K) == [(7, 19, 7, 23)]
    container_true = APP + "      securityContext:\n        windowsOptions: {hostProcess: true}\n"
    assert reported_of(CODE, pod(container_true), kind=K) == [
        (9, 38, 9, 42, "container 'app' runs as a Windows HostProcess container (windowsOptions.hostProcess: true); PSS baseline does not allow it")
    ]


def test_init_and_ephemeral_containers():
    spec = (
        APP + "  initContainers:\n    - name: setup\n      image: x:1\n      securityContext:\n        windowsOptions:\n          hostProcess: true\n"
        "  ephemeralContainers:\n    - name: debug\n      image: x:1\n      securityContext: {windowsOptions: {hostProcess: yes}}\n"
    )
    assert [f.message.split(" runs")[0] for f in findings_of(CODE, pod(spec), kind=K)] == ["init container 'setup'", "ephemeral container 'debug'"]
    assert fixed_text(CODE, pod(spec), kind=K) == pod(spec.replace("hostProcess: true", "hostProcess: false").replace("hostProcess: yes", "hostProcess: false"))


@pytest.mark.parametrize("value", ["false", '"true"', "~"])
def test_false_strings_and_nulls_pass(value):
    assert findings_of(CODE, pod(f"  securityContext:\n    windowsOptions:\n      hostProcess: {value}\n" + APP), kind=K) == []


@pytest.mark.parametrize("level", ["baseline", "restricted"])
def test_baseline_control_fires_at_both_levels_whatever_the_os(level):
    spec = "  os: {name: linux}\n" + POD_HOST_PROCESS + APP
    assert len(findings_of(CODE, pod(spec), kind=K, config=Config(pss_level=level, pss_version=(1, 0)))) == 1


def test_deployment_and_cronjob_depths_in_one_stream():
    deployment = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n"
        "      securityContext: {windowsOptions: {hostProcess: true}}\n"
    )
    cronjob = (
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\nspec:\n  jobTemplate:\n    spec:\n      template:\n"
        "        spec:\n          containers:\n            - name: job\n              securityContext:\n"
        "                windowsOptions:\n                  hostProcess: true\n"
    )
    findings = findings_of(CODE, deployment + "---\n" + cronjob, kind=K)
    assert [(f.span.start.line, f.message.split(" (")[0]) for f in findings] == [
        (7, "pod securityContext of Deployment 'd' makes every container a Windows HostProcess container"),
        (22, "container 'job' runs as a Windows HostProcess container"),
    ]
