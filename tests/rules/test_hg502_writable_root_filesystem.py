"""HG502 writable-root-filesystem: readOnlyRootFilesystem / read_only, with an unsafe fix."""
from __future__ import annotations

import pytest

from hullguard.model import Applicability, Format

from conftest import findings_of, fixed_text, reported_of

K = Format.KUBERNETES
C = Format.COMPOSE
MESSAGE = "{} has a writable root filesystem (securityContext.readOnlyRootFilesystem is not true)"


def pod(containers: str, spec_extra: str = "") -> str:
    return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n" + spec_extra + containers


APP = "  containers:\n    - name: app\n      image: nginx\n"


def test_missing_setting_reported_at_the_container_name_and_fixed():
    text = pod(APP)
    assert reported_of("HG502", text, kind=K) == [(6, 12, 6, 15, MESSAGE.format("container 'app'"))]
    [finding] = findings_of("HG502", text, kind=K)
    assert [(fix.title, fix.applicability) for fix in finding.fixes] == [("Set securityContext.readOnlyRootFilesystem: true", Applicability.UNSAFE)]
    assert fixed_text("HG502", text, kind=K) == text + "      securityContext:\n        readOnlyRootFilesystem: true\n"
    assert fixed_text("HG502", text, kind=K, unsafe=False) is None


@pytest.mark.parametrize("value", ["false", '"true"', "~"])
def test_values_other_than_true_are_reported_and_replaced(value):
    text = pod(APP + f"      securityContext:\n        runAsNonRoot: true\n        readOnlyRootFilesystem: {value}\n")
    [(line, column, _, end, _)] = reported_of("HG502", text, kind=K)
    assert (line, column) == ((6, 12) if value == "~" else (10, 32))
    assert fixed_text("HG502", text, kind=K) == text.replace(f"readOnlyRootFilesystem: {value}", "readOnlyRootFilesystem: true")


def test_pod_level_setting_does_not_exist_and_does_not_count():
    text = pod(APP, "  securityContext:\n    readOnlyRootFilesystem: true\n")
    assert len(findings_of("HG502", text, kind=K)) == 1


def test_init_and_ephemeral_containers_and_flow_style():
    text = pod(
        "  initContainers: [{name: init, image: busybox, securityContext: {runAsNonRoot: true}}]\n"
        "  ephemeralContainers:\n    - {name: dbg, image: busybox}\n"
        + APP + "      securityContext: {readOnlyRootFilesystem: yes}\n"
    )
    assert [m for *_, m in reported_of("HG502", text, kind=K)] == [MESSAGE.format("init container 'init'"), MESSAGE.format("ephemeral container 'dbg'")]
    assert fixed_text("HG502", text, kind=K) == text.replace("{runAsNonRoot: true}", "{runAsNonRoot: true, readOnlyRootFilesystem: true}").replace(
        "{name: dbg, image: busybox}", "{name: dbg, image: busybox, securityContext: {readOnlyRootFilesystem: true}}"
    )


def test_windows_pods_are_skipped():
    assert findings_of("HG502", pod(APP, "  os: {name: windows}\n"), kind=K) == []
    assert len(findings_of("HG502", pod(APP, "  os: {name: linux}\n"), kind=K)) == 1


def test_deployment_cronjob_and_second_document_with_crlf():
    deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx\n"
    cronjob = (
        "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n"
        "          containers:\n            - name: job\n              image: busybox\n              securityContext:\n                readOnlyRootFilesystem: true\n"
    )
    text = (deployment + "---\n" + cronjob).replace("\n", "\r\n")
    assert [(line, column) for line, column, *_ in reported_of("HG502", text, kind=K)] == [(7, 16)]
    assert fixed_text("HG502", text, kind=K) == (
        deployment + "          securityContext:\n            readOnlyRootFilesystem: true\n---\n" + cronjob
    ).replace("\n", "\r\n")


# --- compose ---------------------------------------------------------------------------------


def test_compose_missing_read_only_reported_at_the_service_and_fixed():
    text = "services:\n  web:\n    image: nginx\n"
    assert reported_of("HG502", text, kind=C) == [(1, 2, 1, 5, "service 'web' has a writable root filesystem (read_only is not true)")]
    assert fixed_text("HG502", text, kind=C) == text + "    read_only: true\n"


@pytest.mark.parametrize("value", ["false", "'false'", "no"])
def test_compose_false_values_reported_at_the_value(value):
    text = f"services:\n  web:\n    image: nginx\n    read_only: {value}\n"
    assert [(line, column) for line, column, *_ in reported_of("HG502", text, kind=C)] == [(3, 15)]
    assert fixed_text("HG502", text, kind=C) == text.replace(f"read_only: {value}", "read_only: true")


@pytest.mark.parametrize("value", ["true", "True", '"true"', "yes", "on", "${READ_ONLY}", "$RO"])
def test_compose_true_values_and_variables_pass(value):
    assert findings_of("HG502", f"services:\n  web:\n    image: nginx\n    read_only: {value}\n", kind=C) == []


def test_compose_extends_skipped_and_service_without_settings_has_no_fix():
    text = "services:\n  base:\n    image: nginx\n    read_only: true\n  child:\n    extends: base\n  bare:\n"
    [finding] = findings_of("HG502", text, kind=C)
    assert (finding.span.start.line, finding.fixes) == (6, [])


def test_suppression_comment_on_the_container():
    text = pod("  containers:\n    # hullguard: ignore[HG502]\n    - name: app\n      image: nginx\n    - name: other\n      image: nginx\n")
    assert [m for *_, m in reported_of("HG502", text, kind=K)] == [MESSAGE.format("container 'other'")]
