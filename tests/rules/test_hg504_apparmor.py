"""HG504 apparmor: the PSS appArmorProfile control (field and annotations) and compose's
apparmor:unconfined."""
from __future__ import annotations

import pytest

from hullguard.config import Config
from hullguard.model import Format

from conftest import findings_of, reported_of

K = Format.KUBERNETES
C = Format.COMPOSE
ALLOWED = "(allowed: runtime/default, localhost/<profile>)"


def deployment(spec: str, annotations: str = "") -> str:
    template = "  template:\n" + (f"    metadata:\n      annotations:\n{annotations}" if annotations else "") + "    spec:\n" + spec
    return "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n" + template


CONTAINERS = "      containers:\n        - name: app\n          image: nginx:1.27\n"


def messages(text: str, **kwargs) -> list[str]:
    return [message for *_, message in reported_of("HG504", text, kind=K, **kwargs)]


def test_unconfined_field_at_pod_and_container_level_each_reported_at_the_type():
    spec = (
        "      securityContext:\n        appArmorProfile:\n          type: Unconfined\n"
        + CONTAINERS
        + "          securityContext:\n            appArmorProfile: {type: Unconfined}\n"
    )
    assert reported_of("HG504", deployment(spec), kind=K) == [
        (9, 16, 9, 26, "pod securityContext of Deployment 'web' runs without AppArmor (appArmorProfile.type: Unconfined)"),
        (14, 36, 14, 46, "container 'app' runs without AppArmor (appArmorProfile.type: Unconfined)"),
    ]


def test_levels_are_judged_separately_a_valid_pod_does_not_excuse_the_container():
    spec = "      securityContext: {appArmorProfile: {type: RuntimeDefault}}\n" + CONTAINERS + "          securityContext: {appArmorProfile: {type: Unconfined}}\n"
    assert messages(deployment(spec)) == ["container 'app' runs without AppArmor (appArmorProfile.type: Unconfined)"]


@pytest.mark.parametrize("profile", ["{type: RuntimeDefault}", "{type: Localhost, localhostProfile: k8s-nginx}", "~"])
def test_allowed_and_absent_profiles_pass(profile):
    spec = CONTAINERS + f"          securityContext:\n            appArmorProfile: {profile}\n"
    assert findings_of("HG504", deployment(spec), kind=K) == []


def test_other_types_and_missing_type_fail():
    spec = (
        CONTAINERS.replace("app", "a")
        + "          securityContext: {appArmorProfile: {type: Custom}}\n"
        + "        - name: b\n          image: nginx\n          securityContext: {appArmorProfile: {}}\n"
    )
    assert messages(deployment(spec)) == [
        "container 'a' sets appArmorProfile.type to 'Custom' (only RuntimeDefault and Localhost are allowed)",
        "container 'b' sets appArmorProfile without a type (RuntimeDefault or Localhost is required)",
    ]


def test_init_and_ephemeral_containers_are_checked():
    spec = (
        CONTAINERS
        + "      initContainers:\n        - name: init\n          image: busybox\n          securityContext: {appArmorProfile: {type: Unconfined}}\n"
        + "      ephemeralContainers:\n        - name: dbg\n          image: busybox\n          securityContext: {appArmorProfile: {type: Unconfined}}\n"
    )
    assert [m.split(" runs")[0] for m in messages(deployment(spec))] == ["init container 'init'", "ephemeral container 'dbg'"]


def test_annotation_unconfined_is_reported_at_its_value_even_for_an_unknown_container():
    annotations = "        container.apparmor.security.beta.kubernetes.io/nonexistent: unconfined\n"
    assert reported_of("HG504", deployment(CONTAINERS, annotations), kind=K) == [
        (8, 68, 8, 78, f"annotation container.apparmor.security.beta.kubernetes.io/nonexistent of Deployment 'web' runs container 'nonexistent' without AppArmor {ALLOWED}")
    ]


@pytest.mark.parametrize("value, bad", [("runtime/default", False), ("localhost/foo", False), ('""', False), ("docker/default", True), ("Unconfined", True)])
def test_annotation_values(value, bad):
    annotations = f"        container.apparmor.security.beta.kubernetes.io/app: {value}\n"
    found = messages(deployment(CONTAINERS, annotations))
    assert found == ([f"annotation container.apparmor.security.beta.kubernetes.io/app of Deployment 'web' gives container 'app' the profile '{value}' {ALLOWED}"] if bad else [])


def test_annotation_on_the_deployments_own_metadata_is_not_checked():
    text = deployment(CONTAINERS).replace("  name: web\n", "  name: web\n  annotations:\n    container.apparmor.security.beta.kubernetes.io/app: unconfined\n", 1)
    assert findings_of("HG504", text, kind=K) == []


@pytest.mark.parametrize("config", [Config(pss_level="baseline", pss_version=(1, 0)), Config(pss_level="restricted")])
def test_field_check_applies_at_every_version_and_both_levels(config):
    spec = "      securityContext: {appArmorProfile: {type: Unconfined}}\n" + CONTAINERS
    assert len(findings_of("HG504", deployment(spec), kind=K, config=config)) == 1


def test_pod_and_cronjob_depths_and_multi_document():
    pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    container.apparmor.security.beta.kubernetes.io/a: unconfined\nspec:\n  containers: [{name: a, image: nginx}]\n"
    cronjob = (
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\nspec:\n  jobTemplate:\n    spec:\n      template:\n"
        "        spec:\n          securityContext: {appArmorProfile: {type: Unconfined}}\n          containers: [{name: j, image: busybox}]\n"
    )
    assert [(line, column) for line, column, *_ in reported_of("HG504", pod + "---\n" + cronjob, kind=K)] == [(5, 54), (18, 52)]


# --- compose ---------------------------------------------------------------------------------


@pytest.mark.parametrize("option", ["apparmor:unconfined", "apparmor=unconfined"])
def test_compose_unconfined(option):
    text = f"services:\n  web:\n    image: nginx\n    security_opt:\n      - {option}\n"
    assert reported_of("HG504", text, kind=C) == [(4, 17, 4, 27, f"service 'web' runs without AppArmor (security_opt {option})")]


def test_compose_crlf_and_named_profile():
    text = "services:\r\n  web:\r\n    image: nginx\r\n    security_opt: [apparmor=docker-default, 'apparmor:unconfined']\r\n"
    assert reported_of("HG504", text, kind=C) == [(3, 54, 3, 64, "service 'web' runs without AppArmor (security_opt apparmor:unconfined)")]
