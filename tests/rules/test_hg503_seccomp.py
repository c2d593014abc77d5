"""HG503 seccomp: the PSS seccomp controls, level by level and version by version, and
compose's seccomp:unconfined."""
from __future__ import annotations

import pytest

from hullguard.config import Config
from hullguard.model import Applicability, Format

from conftest import findings_of, fixed_text, reported_of

K = Format.KUBERNETES
C = Format.COMPOSE


def pss(level: str = "restricted", version: tuple[int, int] | None = None) -> Config:
    return Config(pss_level=level, pss_version=version)


def pod(spec: str, annotations: str = "") -> str:
    metadata = "metadata:\n  name: web\n" + (f"  annotations:\n{annotations}" if annotations else "")
    return "apiVersion: v1\nkind: Pod\n" + metadata + "spec:\n" + spec


CONTAINER = "  containers:\n    - name: app\n      image: nginx:1.27\n"
POD_RUNTIME_DEFAULT = "  securityContext:\n    seccompProfile:\n      type: RuntimeDefault\n"


def container_profile(kind: str) -> str:
    return CONTAINER + f"      securityContext:\n        seccompProfile:\n          type: {kind}\n"


# --- restricted (the default level) -------------------------------------------------------


def test_restricted_container_without_profile_is_reported_at_its_name_with_a_pod_level_fix():
    text = pod(CONTAINER)
    [finding] = findings_of("HG503", text, kind=K)
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (6, 12, 15)
    assert finding.message == "container 'app' runs without a seccomp profile: neither it nor the pod sets seccompProfile.type (RuntimeDefault or Localhost)"
    assert [(fix.title, fix.applicability) for fix in finding.fixes] == [
        ("Set seccompProfile.type: RuntimeDefault in the pod's securityContext", Applicability.UNSAFE),
        ("Harden container 'app' to Pod Security Standards restricted", Applicability.UNSAFE),
    ]
    assert fixed_text("HG503", text, kind=K) == pod(CONTAINER + POD_RUNTIME_DEFAULT)


def test_fix_merges_into_an_existing_pod_security_context():
    text = pod("  securityContext:\n    runAsNonRoot: true\n" + CONTAINER)
    assert fixed_text("HG503", text, kind=K) == pod(
        "  securityContext:\n    runAsNonRoot: true\n    seccompProfile:\n      type: RuntimeDefault\n" + CONTAINER
    )


def test_fix_is_not_offered_without_unsafe_fixes():
    assert fixed_text("HG503", pod(CONTAINER), kind=K, unsafe=False) is None


def test_pod_level_profile_is_inherited_by_every_container_kind():
    spec = POD_RUNTIME_DEFAULT + CONTAINER + "  initContainers:\n    - name: init\n      image: busybox\n  ephemeralContainers:\n    - name: dbg\n      image: busybox\n"
    assert findings_of("HG503", pod(spec), kind=K) == []


def test_every_container_with_its_own_valid_profile_passes_without_a_pod_profile():
    spec = container_profile("Localhost") + "    - name: side\n      image: envoy\n      securityContext: {seccompProfile: {type: RuntimeDefault}}\n"
    assert findings_of("HG503", pod(spec), kind=K) == []


def test_only_the_containers_without_a_profile_are_reported():
    spec = container_profile("RuntimeDefault") + "  initContainers:\n    - name: init\n      image: busybox\n  ephemeralContainers:\n    - name: dbg\n      image: busybox\n"
    messages = [message for *_, message in reported_of("HG503", pod(spec), kind=K)]
    assert [m.split(" runs")[0] for m in messages] == ["init container 'init'", "ephemeral container 'dbg'"]


def test_container_unconfined_fails_even_when_the_pod_is_valid():
    text = pod(POD_RUNTIME_DEFAULT + container_profile("Unconfined"))
    assert reported_of("HG503", text, kind=K) == [(13, 16, 13, 26, "container 'app' runs without seccomp (seccompProfile.type: Unconfined)")]
    assert findings_of("HG503", text, kind=K)[0].fixes == []  # an explicit choice: no fix, not even hardening


def test_pod_unconfined_is_reported_once_not_for_each_inheriting_container():
    text = pod("  securityContext:\n    seccompProfile:\n      type: Unconfined\n" + CONTAINER + "    - name: two\n      image: nginx\n")
    assert reported_of("HG503", text, kind=K) == [(7, 12, 7, 22, "pod securityContext of Pod 'web' runs without seccomp (seccompProfile.type: Unconfined)")]


def test_other_types_and_a_profile_without_type_fail():
    assert [m for *_, m in reported_of("HG503", pod(container_profile("Custom")), kind=K)] == [
        "container 'app' sets seccompProfile.type to 'Custom' (only RuntimeDefault and Localhost are allowed)"
    ]
    text = pod(CONTAINER + "      securityContext:\n        seccompProfile: {localhostProfile: x.json}\n")
    assert reported_of("HG503", text, kind=K) == [
        (9, 8, 9, 22, "container 'app' sets seccompProfile without a type (RuntimeDefault or Localhost is required)")
    ]


def test_windows_pods_are_exempt_from_v1_25_even_when_unconfined():
    text = pod("  os:\n    name: windows\n" + container_profile("Unconfined"))
    assert findings_of("HG503", text, kind=K) == []
    assert len(findings_of("HG503", text, kind=K, config=pss(version=(1, 24)))) == 1
    assert len(findings_of("HG503", pod("  os: {name: windows}\n" + CONTAINER), kind=K, config=pss(version=(1, 24)))) == 1
    # baseline knows nothing of Windows
    assert len(findings_of("HG503", text, kind=K, config=pss("baseline"))) == 1


def test_workload_depths_and_lists():
    deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: nginx\n"
    cronjob = (
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n"
        "          containers:\n            - name: job\n              image: busybox\n"
    )
    assert spans(deployment) == [(8, 16, 8, 19)]
    assert spans(cronjob) == [(10, 20, 10, 23)]
    listed = "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p}\n    spec:\n      containers: [{name: a, image: nginx}]\n"
    assert spans(listed) == [(7, 26, 7, 27)]
    assert fixed_text("HG503", listed, kind=K) == listed.replace("image: nginx}]\n", "image: nginx}]\n      securityContext:\n        seccompProfile:\n          type: RuntimeDefault\n")


def spans(text, **kwargs):
    return [(s.start.line, s.start.column, s.end.line, s.end.column) for s in (f.span for f in findings_of("HG503", text, kind=K, **kwargs))]


def test_flow_style_pod_gets_a_flow_fix():
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: nginx}]}\n"
    assert fixed_text("HG503", text, kind=K) == (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: nginx}], securityContext: {seccompProfile: {type: RuntimeDefault}}}\n"
    )


def test_multi_document_findings_point_into_the_right_document_and_crlf_is_kept():
    text = pod(POD_RUNTIME_DEFAULT + CONTAINER) + "---\n" + pod(CONTAINER)
    assert spans(text) == [(18, 12, 18, 15)]
    crlf = pod(CONTAINER).replace("\n", "\r\n")
    assert fixed_text("HG503", crlf, kind=K) == pod(CONTAINER + POD_RUNTIME_DEFAULT).replace("\n", "\r\n")


def test_fix_falls_back_to_the_container_when_the_pod_context_cannot_be_edited():
    text = pod("  securityContext: &shared {runAsNonRoot: true}\n" + CONTAINER)
    [finding] = findings_of("HG503", text, kind=K)
    assert [fix.title for fix in finding.fixes] == [
        "Set seccompProfile.type: RuntimeDefault in the securityContext of container 'app'",
        "Harden container 'app' to Pod Security Standards restricted",
    ]
    assert fixed_text("HG503", text, kind=K) == text + "      securityContext:\n        seccompProfile:\n          type: RuntimeDefault\n"


# --- baseline --------------------------------------------------------------------------------


def test_baseline_accepts_no_profile_and_rejects_unconfined_at_either_level():
    assert findings_of("HG503", pod(CONTAINER), kind=K, config=pss("baseline")) == []
    text = pod("  securityContext:\n    seccompProfile: {type: Unconfined}\n" + container_profile("Unconfined"))
    assert [m for *_, m in reported_of("HG503", text, kind=K, config=pss("baseline"))] == [
        "pod securityContext of Pod 'web' runs without seccomp (seccompProfile.type: Unconfined)",
        "container 'app' runs without seccomp (seccompProfile.type: Unconfined)",
    ]


ANNOTATION = "    seccomp.security.alpha.kubernetes.io/pod: {value}\n"


@pytest.mark.parametrize("level", ["baseline", "restricted"])
def test_before_v1_19_only_annotations_count(level):
    config = pss(level, (1, 18))
    unconfined = pod(CONTAINER, ANNOTATION.format(value="unconfined"))
    assert reported_of("HG503", unconfined, kind=K, config=config) == [
        (5, 46, 5, 56, "annotation seccomp.security.alpha.kubernetes.io/pod of Pod 'web' disables seccomp (allowed: runtime/default, docker/default, localhost/<profile>)")
    ]
    empty = pod(CONTAINER, ANNOTATION.format(value='""'))
    assert [m for *_, m in reported_of("HG503", empty, kind=K, config=config)] == [
        "annotation seccomp.security.alpha.kubernetes.io/pod of Pod 'web' is empty (allowed: runtime/default, docker/default, localhost/<profile>)"
    ]
    # fields are ignored before v1.19, and nothing is required
    assert findings_of("HG503", pod(container_profile("Unconfined")), kind=K, config=config) == []
    for good in ("runtime/default", "docker/default", "localhost/my.json"):
        assert findings_of("HG503", pod(CONTAINER, ANNOTATION.format(value=good)), kind=K, config=config) == []


def test_container_annotations_count_only_for_the_pods_containers():
    annotations = (
        "    container.seccomp.security.alpha.kubernetes.io/app: unconfined\n"
        "    container.seccomp.security.alpha.kubernetes.io/ghost: unconfined\n"
    )
    reported = reported_of("HG503", pod(CONTAINER, annotations), kind=K, config=pss("baseline", (1, 18)))
    assert [line for line, *_ in reported] == [5]


def test_from_v1_19_annotations_are_ignored():
    assert findings_of("HG503", pod(CONTAINER, ANNOTATION.format(value="unconfined")), kind=K, config=pss("baseline", (1, 19))) == []


def test_annotation_on_a_controllers_own_metadata_is_not_read():
    text = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: unconfined\n"
        "spec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: nginx\n"
    )
    assert findings_of("HG503", text, kind=K, config=pss("baseline", (1, 18))) == []


# --- compose ---------------------------------------------------------------------------------


@pytest.mark.parametrize("option", ["seccomp:unconfined", "seccomp=unconfined", '"seccomp=unconfined"'])
def test_compose_unconfined_is_reported_at_the_value(option):
    text = f"services:\n  web:\n    image: nginx\n    security_opt:\n      - {option}\n"
    [(line, start, _, end, message)] = reported_of("HG503", text, kind=C)
    assert text.splitlines()[line][start:end] == "unconfined"
    assert message == f"service 'web' runs without seccomp (security_opt {option.strip(chr(34))})"


@pytest.mark.parametrize("option", ["seccomp=profile.json", "seccomp:${SECCOMP}", "seccomp=Unconfined", "no-new-privileges"])
def test_compose_profiles_and_other_options_pass(option):
    assert findings_of("HG503", f"services:\n  web:\n    image: nginx\n    security_opt: [{option}]\n", kind=C) == []


def test_compose_service_without_security_opt_passes():
    assert findings_of("HG503", "services:\n  web:\n    image: nginx\n  bare:\n", kind=C) == []


def test_a_null_container_profile_is_unset_and_inherits_the_pods():
    text = pod(POD_RUNTIME_DEFAULT + CONTAINER + "      securityContext:\n        seccompProfile:\n")
    assert findings_of("HG503", text, kind=K) == []
    assert len(findings_of("HG503", pod(CONTAINER + "      securityContext:\n        seccompProfile: ~\n"), kind=K)) == 1


def test_no_hardening_fix_where_it_would_break_the_pod():
    privileged = pod(CONTAINER + "      securityContext: {privileged: true}\n")
    [finding] = findings_of("HG503", privileged, kind=K)
    assert [fix.title for fix in finding.fixes] == ["Set seccompProfile.type: RuntimeDefault in the pod's securityContext"]


def test_empty_annotation_points_at_its_quotes_and_a_valueless_one_at_its_key():
    config = pss("baseline", (1, 18))
    assert [(line, start, end) for line, start, _, end, _ in reported_of("HG503", pod(CONTAINER, ANNOTATION.format(value='""')), kind=K, config=config)] == [(5, 46, 48)]
    assert [(line, start, end) for line, start, _, end, _ in reported_of("HG503", pod(CONTAINER, "    seccomp.security.alpha.kubernetes.io/pod:\n"), kind=K, config=config)] == [(5, 4, 44)]
