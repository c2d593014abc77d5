"""HG112 overprivileged-rbac: wildcards, Secrets, exec, node proxy, escalation verbs and
cluster-admin bindings in RBAC objects."""
from __future__ import annotations

import pytest

from hullguard.model import Format, Severity

from conftest import findings_of, reported_of

CODE = "HG112"


def hg112(text: str):
    return reported_of(CODE, text, kind=Format.KUBERNETES)


def role(rules: str, kind: str = "ClusterRole", api_version: str = "rbac.authorization.k8s.io/v1") -> str:
    return f"apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: ops\nrules:\n{rules}"


def test_each_wildcard_is_its_own_finding_on_its_scalar():
    text = role('  - apiGroups: ["*"]\n    resources: ["*"]\n    verbs: ["*"]\n')
    assert hg112(text) == [
        (5, 16, 5, 19, "ClusterRole 'ops' allows every API group ('*'), including the ones CRDs add later"),
        (6, 16, 6, 19, "ClusterRole 'ops' allows every resource ('*') of its API groups, Secrets and pods/exec included"),
        (7, 12, 7, 15, "ClusterRole 'ops' allows every verb ('*'), including delete, escalate, bind and impersonate"),
    ]
    (finding, *_) = findings_of(CODE, text, kind=Format.KUBERNETES)
    assert finding.severity is Severity.ERROR and finding.fixes == []


def test_secrets_exec_and_node_proxy_in_block_style():
    text = role("  - apiGroups:\n      - \"\"\n    resources:\n      - secrets\n      - pods/exec\n      - nodes/proxy\n      - configmaps\n    verbs:\n      - get\n      - watch\n", kind="Role")
    assert hg112(text) == [
        (8, 8, 8, 15, "Role 'ops' can read Secrets (get, watch), and with them every credential they hold"),
        (9, 8, 9, 17, "Role 'ops' can run commands in pods (get on pods/exec), with their service accounts and data"),
        (10, 8, 10, 19, "Role 'ops' can reach the kubelet API (nodes/proxy), which runs commands in any pod on the node"),
    ]


@pytest.mark.parametrize(
    "resources, verbs, reported",
    [
        ("[secrets]", "[list]", True),
        ("[secrets]", "['*']", True),  # and the '*' itself
        ("[secrets]", "[create, update, delete]", False),  # writing is not reading
        ("[pods/exec]", "[create]", True),
        ("['*/exec']", "[create]", True),
        ("[pods/exec]", "[list]", False),
        ("[pods/*]", "[create]", False),  # RBAC does not match pods/exec with pods/*
        ("[pods/attach, pods/log]", "[get]", False),
        ("[nodes/proxy]", "[create]", True),
        ("['*/proxy']", "[get]", True),
        ("[nodes]", "[get, list]", False),
    ],
)
def test_core_resources_and_verbs(resources, verbs, reported):
    text = role(f"  - apiGroups: ['']\n    resources: {resources}\n    verbs: {verbs}\n")
    found = [message for *_, message in hg112(text) if "('*')" not in message]
    assert bool(found) is reported


def test_core_resources_only_in_the_core_group():
    assert hg112(role("  - apiGroups: [apps]\n    resources: [secrets, pods/exec]\n    verbs: [get, create]\n")) == []
    assert hg112(role("  - apiGroups: [metrics.k8s.io]\n    resources: ['*']\n    verbs: [get]\n")) == [
        (6, 16, 6, 19, "ClusterRole 'ops' allows every resource ('*') of its API groups, including the ones added later")
    ]
    wildcard_group = hg112(role("  - apiGroups: ['*']\n    resources: [secrets]\n    verbs: [get]\n"))
    assert [message.split(" (")[0] for *_, message in wildcard_group] == ["ClusterRole 'ops' allows every API group", "ClusterRole 'ops' can read Secrets"]


def test_named_secrets_are_accepted():
    assert hg112(role("  - apiGroups: ['']\n    resources: [secrets]\n    resourceNames: [registry-credentials]\n    verbs: [get]\n")) == []


def test_escalation_verbs():
    text = role("  - apiGroups: [rbac.authorization.k8s.io]\n    resources: [clusterroles, clusterrolebindings]\n    verbs: [get, escalate, bind]\n"
                "  - apiGroups: ['']\n    resources: [users, groups, serviceaccounts]\n    verbs: [impersonate]\n")
    assert hg112(text) == [
        (7, 17, 7, 25, "ClusterRole 'ops' allows 'escalate': its holders can give roles permissions they do not have themselves"),
        (7, 27, 7, 31, "ClusterRole 'ops' allows 'bind': its holders can bind roles with permissions they do not have themselves"),
        (10, 12, 10, 23, "ClusterRole 'ops' allows 'impersonate': its holders can act as other users, groups or service accounts"),
    ]


def test_non_resource_rules_and_other_api_groups_are_not_checked():
    assert hg112(role("  - nonResourceURLs: ['*']\n    verbs: ['*']\n")) == []
    assert hg112(role("  - apiGroups: ['*']\n    resources: ['*']\n    verbs: ['*']\n", kind="Role", api_version="iam.services.k8s.aws/v1alpha1")) == []


BINDING = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: {kind}
metadata:
  name: admins
{namespace}roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: {role_kind}
  name: {role}
subjects:
  - kind: Group
    name: admins
    apiGroup: rbac.authorization.k8s.io
"""


def test_cluster_admin_bindings():
    cluster = BINDING.format(kind="ClusterRoleBinding", namespace="", role_kind="ClusterRole", role="cluster-admin")
    assert hg112(cluster) == [(7, 8, 7, 21, "ClusterRoleBinding 'admins' grants cluster-admin to its subjects: full control of the whole cluster")]
    namespaced = BINDING.format(kind="RoleBinding", namespace="  namespace: shop\n", role_kind="ClusterRole", role="cluster-admin")
    assert hg112(namespaced) == [(8, 8, 8, 21, "RoleBinding 'admins' grants cluster-admin to its subjects: full control of namespace 'shop'")]
    unnamespaced = BINDING.format(kind="RoleBinding", namespace="", role_kind="ClusterRole", role="cluster-admin")
    assert hg112(unnamespaced)[0][4].endswith("full control of its namespace")


@pytest.mark.parametrize("role_kind, role_name", [("ClusterRole", "view"), ("ClusterRole", "admin-readonly"), ("Role", "cluster-admin")])
def test_other_bindings_are_accepted(role_kind, role_name):
    assert hg112(BINDING.format(kind="ClusterRoleBinding", namespace="", role_kind=role_kind, role=role_name)) == []


def test_flow_style_list_and_second_document():
    text = (
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ci}\n---\n"
        "apiVersion: v1\nkind: List\nitems:\n"
        "  - {apiVersion: rbac.authorization.k8s.io/v1, kind: Role, metadata: {name: r}, rules: [{apiGroups: [''], resources: [secrets], verbs: [list]}]}\n"
        "  - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRoleBinding, metadata: {name: b}, roleRef: {kind: ClusterRole, name: cluster-admin}}\n"
    )
    assert [(line, column, message.split(" ")[1]) for line, column, _, _, message in hg112(text)] == [(7, 118, "'r'"), (8, 129, "'b'")]


def test_crlf():
    text = role("  - apiGroups: ['']\r\n    resources: [secrets]\r\n    verbs: [get]\r\n").replace("\n", "\r\n").replace("\r\r\n", "\r\n")
    assert hg112(text) == [(6, 16, 6, 23, "ClusterRole 'ops' can read Secrets (get), and with them every credential they hold")]
