"""HG505 selinux-options: the PSS seLinuxOptions control (types by version, user, role) and
compose's label options."""
from __future__ import annotations

import pytest

from hullguard.config import Config
from hullguard.model import Format

from conftest import findings_of, reported_of

K = Format.KUBERNETES
C = Format.COMPOSE
TYPES = "container_t, container_init_t, container_kvm_t, container_engine_t"


def pod(spec: str) -> str:
    return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n" + spec


def container(options: str, name: str = "app", list_name: str = "containers") -> str:
    return f"  {list_name}:\n    - name: {name}\n      image: nginx\n      securityContext:\n        seLinuxOptions: {options}\n"


def test_bad_type_reported_at_the_type_value():
    text = pod(container("{type: spc_t}"))
    assert reported_of("HG505", text, kind=K) == [(9, 31, 9, 36, f"container 'app' sets SELinux type spc_t (allowed: {TYPES})")]


def test_user_and_role_are_forbidden_one_finding_per_setter_at_the_first_bad_value():
    text = pod("  securityContext:\n    seLinuxOptions:\n      user: system_u\n      role: system_r\n      level: s0\n" + container("{type: container_t}"))
    assert reported_of("HG505", text, kind=K) == [
        (7, 12, 7, 20, "pod securityContext of Pod 'p' sets SELinux user system_u (must not be set), role system_r (must not be set)")
    ]


def test_everything_wrong_at_once():
    [message] = [m for *_, m in reported_of("HG505", pod(container("{role: r, user: u, type: unconfined_t}")), kind=K)]
    assert message == f"container 'app' sets SELinux type unconfined_t (allowed: {TYPES}), user u (must not be set), role r (must not be set)"


@pytest.mark.parametrize("options", ["{level: 's0:c1,c2'}", "{type: container_init_t}", "{type: '', user: '', role: ''}", "{type: container_kvm_t, level: s0}", "~"])
def test_allowed_options_pass(options):
    assert findings_of("HG505", pod(container(options)), kind=K) == []


def test_container_engine_t_is_allowed_from_v1_31():
    text = pod(container("{type: container_engine_t}"))
    assert findings_of("HG505", text, kind=K) == []
    assert findings_of("HG505", text, kind=K, config=Config(pss_version=(1, 31))) == []
    [finding] = findings_of("HG505", text, kind=K, config=Config(pss_level="baseline", pss_version=(1, 30)))
    assert finding.message == "container 'app' sets SELinux type container_engine_t (allowed: container_t, container_init_t, container_kvm_t)"


def test_pod_and_container_levels_are_judged_separately():
    text = pod("  securityContext: {seLinuxOptions: {type: spc_t}}\n" + container("{type: container_t}"))
    assert [m for *_, m in reported_of("HG505", text, kind=K)] == [f"pod securityContext of Pod 'p' sets SELinux type spc_t (allowed: {TYPES})"]


def test_init_and_ephemeral_containers_in_a_deployment():
    spec = container("{user: u}", "init", "initContainers") + container("{user: u}", "dbg", "ephemeralContainers")
    deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n" + "".join("    " + line + "\n" for line in spec.splitlines())
    assert [(line, m.split(" sets")[0]) for line, _, _, _, m in reported_of("HG505", deployment, kind=K)] == [
        (11, "init container 'init'"),
        (16, "ephemeral container 'dbg'"),
    ]


# --- compose ---------------------------------------------------------------------------------


def compose(option: str) -> str:
    return f"services:\n  web:\n    image: nginx\n    security_opt:\n      - {option}\n"


@pytest.mark.parametrize("option", ["label:disable", "label=disable"])
def test_compose_label_disable(option):
    assert reported_of("HG505", compose(option), kind=C) == [(4, 14, 4, 21, f"service 'web' turns SELinux separation off (security_opt {option})")]


@pytest.mark.parametrize(
    "option, value, message",
    [
        ("label=user:system_u", "system_u", "service 'web' sets SELinux user system_u (must not be set; security_opt label=user:system_u)"),
        ("label:role:system_r", "system_r", "service 'web' sets SELinux role system_r (must not be set; security_opt label:role:system_r)"),
        ("label=type:spc_t", "spc_t", f"service 'web' sets SELinux type spc_t (allowed: {TYPES}; security_opt label=type:spc_t)"),
    ],
)
def test_compose_custom_labels_reported_at_the_value(option, value, message):
    [(line, start, _, end, found)] = reported_of("HG505", compose(option), kind=C)
    assert compose(option).splitlines()[line][start:end] == value
    assert found == message


@pytest.mark.parametrize("option", ["label=level:s0:c100,c200", "label=type:container_engine_t", "label:type:container_t", "label=user:", "seccomp=unconfined"])
def test_compose_allowed_labels(option):
    assert findings_of("HG505", compose(option), kind=C) == []
