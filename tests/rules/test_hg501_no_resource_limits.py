"""HG501 no-resource-limits: memory limits on containers and compose services; the skeleton
fix is display-only."""
from __future__ import annotations

import pytest

from hullguard.documents import load_document
from hullguard.edits import apply_edits
from hullguard.model import Applicability, Format

from conftest import findings_of, fixed_text, reported_of

K = Format.KUBERNETES
C = Format.COMPOSE


def deployment(containers: str, pod_extra: str = "") -> str:
    return "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n" + pod_extra + containers


APP = "      containers:\n        - name: app\n          image: nginx:1.27\n"


def shown(text: str, kind: Format, finding) -> str:
    """The text the display-only fix shows."""
    [fix] = finding.fixes
    assert fix.applicability is Applicability.DISPLAY_ONLY
    return apply_edits(load_document("x.yaml", text, kind).source, list(fix.edits))


def test_container_without_limit_reported_at_its_name_with_a_placeholder_skeleton():
    text = deployment(APP)
    [finding] = findings_of("HG501", text, kind=K)
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (8, 16, 19)
    assert finding.message == "container 'app' has no memory limit (resources.limits.memory), so it can take all of the node's memory"
    assert finding.fixes[0].title == "Add a memory limit (512Mi is a placeholder: size it from the workload's measured peak)"
    assert shown(text, K, finding) == text + "          resources:\n            limits:\n              memory: 512Mi\n"
    assert fixed_text("HG501", text, kind=K) is None  # display-only: never applied


def test_skeleton_uses_the_memory_request_and_joins_existing_limits():
    text = deployment(APP + "          resources:\n            requests: {memory: 128Mi}\n            limits: {cpu: 500m}\n")
    [finding] = findings_of("HG501", text, kind=K)
    assert finding.fixes[0].title == "Add a memory limit equal to the memory request (128Mi); raise it if the workload's peak is higher"
    assert shown(text, K, finding) == text.replace("{cpu: 500m}", "{cpu: 500m, memory: 128Mi}")


def test_cpu_limit_is_not_required_and_requests_do_not_count():
    assert findings_of("HG501", deployment(APP + "          resources: {limits: {memory: 256Mi}}\n"), kind=K) == []
    assert len(findings_of("HG501", deployment(APP + "          resources: {requests: {memory: 256Mi}, limits: {cpu: '1', memory: ~}}\n"), kind=K)) == 1


def test_init_containers_count_ephemeral_containers_are_skipped():
    containers = APP + "      initContainers:\n        - name: init\n          image: busybox\n      ephemeralContainers:\n        - name: dbg\n          image: busybox\n"
    assert [m.split(" has")[0] for *_, m in reported_of("HG501", deployment(containers), kind=K)] == ["container 'app'", "init container 'init'"]


def test_pod_level_limit_covers_every_container():
    assert findings_of("HG501", deployment(APP, "      resources:\n        limits:\n          memory: 1Gi\n"), kind=K) == []
    assert len(findings_of("HG501", deployment(APP, "      resources:\n        limits:\n          cpu: '2'\n"), kind=K)) == 1


def test_pod_cronjob_list_and_second_document():
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: nginx, resources: {limits: {memory: 64Mi}}}]\n"
    cronjob = (
        "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n"
        "          containers: [{name: j, image: busybox}]\n"
    )
    listed = "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: l}\n    spec: {containers: [{name: x, image: nginx}]}\n"
    text = pod + "---\n" + cronjob + "---\n" + listed
    assert [(line, column) for line, column, *_ in reported_of("HG501", text, kind=K)] == [(14, 30), (22, 31)]


# --- compose ---------------------------------------------------------------------------------


def test_compose_service_without_limit_gets_a_mem_limit_skeleton():
    text = "services:\n  web:\n    image: nginx\n"
    [finding] = findings_of("HG501", text, kind=C)
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (1, 2, 5)
    assert finding.message == "service 'web' has no memory limit (mem_limit or deploy.resources.limits.memory), so it can take all of the host's memory"
    assert shown(text, C, finding) == text + "    mem_limit: 512m\n"


def test_compose_skeleton_goes_beside_existing_deploy_limits_and_uses_the_reservation():
    text = "services:\n  web:\n    image: nginx\n    deploy:\n      resources:\n        limits:\n          cpus: '0.5'\n        reservations:\n          memory: 64M\n"
    [finding] = findings_of("HG501", text, kind=C)
    assert shown(text, C, finding) == text.replace("          cpus: '0.5'\n", "          cpus: '0.5'\n          memory: 64M\n")


@pytest.mark.parametrize(
    "settings",
    [
        "    mem_limit: 256m\n",
        "    mem_limit: ${WEB_MEMORY}\n",
        "    deploy: {resources: {limits: {memory: 512M}}}\n",
        "    extends: {file: base.yaml, service: web}\n",
    ],
)
def test_compose_limits_and_extends_pass(settings):
    assert findings_of("HG501", "services:\n  web:\n    image: nginx\n" + settings, kind=C) == []


def test_compose_service_without_settings_has_no_skeleton_and_crlf():
    text = "services:\r\n  bare:\r\n  web:\r\n    image: nginx\r\n"
    findings = findings_of("HG501", text, kind=C)
    assert [(f.span.start.line, f.fixes == []) for f in findings] == [(1, True), (2, False)]
