"""HG507 proc-mount: PSS procMount controls (with the v1.35 baseline relaxation for user
namespaces) and compose's systempaths=unconfined."""
from __future__ import annotations

import pytest

from hullguard.config import Config
from hullguard.model import Format

from conftest import findings_of, reported_of

K = Format.KUBERNETES
C = Format.COMPOSE


def pod(proc_mount: str, host_users: str | None = None, list_name: str = "containers") -> str:
    spec = f"  hostUsers: {host_users}\n" if host_users is not None else ""
    return (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n" + spec
        + f"  {list_name}:\n    - name: a\n      image: nginx\n      securityContext:\n        procMount: {proc_mount}\n"
    )


def found(text: str, level: str = "restricted", version=None) -> int:
    return len(findings_of("HG507", text, kind=K, config=Config(pss_level=level, pss_version=version)))


def test_unmasked_reported_at_the_value():
    assert reported_of("HG507", pod("Unmasked"), kind=K) == [(9, 19, 9, 27, "container 'a' unmasks /proc (procMount: Unmasked)")]


def test_any_value_other_than_default_fails():
    assert [m for *_, m in reported_of("HG507", pod("Masked"), kind=K)] == ["container 'a' sets a /proc mount type other than Default (procMount: Masked)"]
    assert found(pod("Default")) == 0
    assert found(pod("~")) == 0


@pytest.mark.parametrize("list_name", ["initContainers", "ephemeralContainers"])
def test_init_and_ephemeral_containers(list_name):
    assert found(pod("Unmasked", list_name=list_name)) == 1


def test_user_namespace_relaxes_only_baseline_from_v1_35():
    userns = pod("Unmasked", host_users="false")
    assert found(userns, "baseline", (1, 35)) == 0
    assert found(userns, "baseline") == 0  # latest
    assert found(userns, "baseline", (1, 34)) == 1
    assert found(userns, "restricted", (1, 35)) == 1
    assert found(userns, "restricted") == 1
    assert found(userns, "restricted", (1, 30)) == 1


@pytest.mark.parametrize("host_users", ["true", '"false"'])
def test_only_an_explicit_boolean_false_is_a_user_namespace(host_users):
    assert found(pod("Unmasked", host_users=host_users), "baseline", (1, 35)) == 1


def test_deployment_depth_and_second_document():
    deployment = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n"
        "      containers: [{name: b, image: nginx, securityContext: {procMount: Unmasked}}]\n"
    )
    text = pod("Default") + "---\n" + deployment
    assert reported_of("HG507", text, kind=K) == [(17, 72, 17, 80, "container 'b' unmasks /proc (procMount: Unmasked)")]


# --- compose ---------------------------------------------------------------------------------


def compose(option: str) -> str:
    return f"services:\n  builder:\n    image: moby/buildkit\n    security_opt:\n      - {option}\n"


def test_compose_systempaths_unconfined():
    assert reported_of("HG507", compose("systempaths=unconfined"), kind=C) == [
        (4, 20, 4, 30, "service 'builder' unmasks /proc and /sys (security_opt systempaths=unconfined)")
    ]


@pytest.mark.parametrize("option", ["systempaths:unconfined", "systempaths=Unconfined", "seccomp=unconfined"])
def test_compose_other_spellings_are_not_systempaths(option):
    assert findings_of("HG507", compose(option), kind=C) == []
