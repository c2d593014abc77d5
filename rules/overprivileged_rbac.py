"""HG112 overprivileged-rbac: RBAC roles and bindings that grant cluster-wide power."""
from __future__ import annotations

from hullguard.context import RuleContext
from hullguard.kubernetes import KubeObject, KubernetesFile
from hullguard.model import Format, Rule, RuleDocs, Severity
from hullguard.yamldoc import YamlMapping, YamlScalar
from hullguard.yamlfile import items, mapping_at, text_of

RBAC_GROUP = "rbac.authorization.k8s.io"
ROLE_KINDS = frozenset({"Role", "ClusterRole"})
BINDING_KINDS = frozenset({"RoleBinding", "ClusterRoleBinding"})

READ_VERBS = ("get", "list", "watch", "*")
EXEC_VERBS = ("create", "get", "*")  # exec is a POST; older clients open it with a GET (websocket)
DANGEROUS_VERBS = {
    "escalate": "its holders can give roles permissions they do not have themselves",
    "bind": "its holders can bind roles with permissions they do not have themselves",
    "impersonate": "its holders can act as other users, groups or service accounts",
}


def _scalars(node) -> list[YamlScalar]:
    return [item for item in items(node) if isinstance(item, YamlScalar) and not item.is_null]


def _covers(resource: str, target: str) -> bool:
    """Whether a rule's resource names ``target`` (``pods/exec``) other than by ``*``: written
    as is, or as ``*/<subresource>``, the way the RBAC authorizer matches."""
    subresource = target.partition("/")[2]
    return resource == target or (subresource != "" and resource == f"*/{subresource}")


def check_kubernetes(manifest: KubernetesFile, context: RuleContext):
    for obj in manifest.objects:
        if obj.api_version.partition("/")[0] != RBAC_GROUP:
            continue
        if obj.kind in ROLE_KINDS:
            for rule in items(obj.mapping.get("rules")):
                if isinstance(rule, YamlMapping):
                    yield from _check_rule(obj, rule)
        elif obj.kind in BINDING_KINDS:
            yield from _check_binding(obj)


def _check_rule(obj: KubeObject, rule: YamlMapping):
    verbs, resources, groups = _scalars(rule.get("verbs")), _scalars(rule.get("resources")), _scalars(rule.get("apiGroups"))
    if not resources:
        return  # a rule for non-resource URLs (/metrics, /healthz), or none at all
    label = obj.label
    core = any(group.value in ("", "*") for group in groups)  # Secrets, pods and nodes are in the core group ("")
    for group in groups:
        if group.value == "*":
            yield RULE.finding(group.span, f"{label} allows every API group ('*'), including the ones CRDs add later")
    for resource in resources:
        if resource.value == "*":
            what = "Secrets and pods/exec included" if core else "including the ones added later"
            yield RULE.finding(resource.span, f"{label} allows every resource ('*') of its API groups, {what}")
    for verb in verbs:
        if verb.value == "*":
            yield RULE.finding(verb.span, f"{label} allows every verb ('*'), including delete, escalate, bind and impersonate")
        elif verb.value in DANGEROUS_VERBS:
            yield RULE.finding(verb.span, f"{label} allows '{verb.value}': {DANGEROUS_VERBS[verb.value]}")
    if not core:
        return
    named = bool(_scalars(rule.get("resourceNames")))

    def matching(wanted: tuple[str, ...]) -> str:
        return ", ".join(verb.value for verb in verbs if verb.value in wanted)

    for resource in resources:
        if resource.value == "secrets" and not named and matching(READ_VERBS):
            yield RULE.finding(resource.span, f"{label} can read Secrets ({matching(READ_VERBS)}), and with them every credential they hold")
        elif _covers(resource.value, "pods/exec") and matching(EXEC_VERBS):
            yield RULE.finding(resource.span, f"{label} can run commands in pods ({matching(EXEC_VERBS)} on {resource.value}), with their service accounts and data")
        elif _covers(resource.value, "nodes/proxy") and verbs:
            yield RULE.finding(resource.span, f"{label} can reach the kubelet API ({resource.value}), which runs commands in any pod on the node")


def _check_binding(obj: KubeObject):
    role = mapping_at(obj.mapping, "roleRef")
    name = role.get("name") if role else None
    if not isinstance(name, YamlScalar) or name.value != "cluster-admin" or text_of(role.get("kind")) != "ClusterRole":
        return
    if obj.kind == "ClusterRoleBinding":
        scope = "the whole cluster"
    else:
        scope = f"namespace '{obj.namespace}'" if obj.namespace else "its namespace"
    yield RULE.finding(name.span, f"{obj.label} grants cluster-admin to its subjects: full control of {scope}")


RULE = Rule(
    code="HG112",
    name="overprivileged-rbac",
    severity=Severity.ERROR,
    summary="RBAC role or binding grants excessive permissions",
    docs=RuleDocs(
        what="Checks the rules of every Role and ClusterRole (`rbac.authorization.k8s.io`) and "
        "reports each value that grants too much: a wildcard `*` in `apiGroups`, `resources` or "
        "`verbs`; the verbs `escalate`, `bind` and `impersonate`; read access (`get`, `list`, "
        "`watch` or `*`) to `secrets`, unless the rule is limited to named Secrets with "
        "`resourceNames`; `pods/exec` (or `*/exec`) with `create`, `get` or `*`; and `nodes/proxy` "
        "(or `*/proxy`) with any verb. Secrets, pods and nodes count only when the rule's "
        "`apiGroups` holds the core group `\"\"` or `*`. Rules for non-resource URLs (`/metrics`) "
        "are not checked. It also reports every RoleBinding and ClusterRoleBinding whose "
        "`roleRef` is the ClusterRole `cluster-admin`, on the role's name. Each finding names "
        "what the value allows.",
        why="RBAC is what limits a stolen token. Wildcards grant today's resources and every "
        "one added later (CRDs included). Reading Secrets reveals every credential stored in "
        "them, service account tokens of other workloads among them. `pods/exec` and "
        "`nodes/proxy` run commands in other pods. `escalate` and `bind` let the holder "
        "grant themselves any permission, `impersonate` lets them act as anyone, and "
        "`cluster-admin` is all of it. A workload or person holding such a role turns any "
        "compromise into a cluster compromise.",
        example="```yaml\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: deployer\n"
        "rules:\n  - apiGroups: [\"*\"]          # HG112\n    resources: [\"*\"]          # HG112\n"
        "    verbs: [\"*\"]              # HG112\n---\napiVersion: rbac.authorization.k8s.io/v1\n"
        "kind: ClusterRoleBinding\nmetadata:\n  name: ci\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n"
        "  kind: ClusterRole\n  name: cluster-admin          # HG112\nsubjects:\n"
        "  - kind: ServiceAccount\n    name: ci\n    namespace: ci\n```\n"
        "Fixed:\n```yaml\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: deployer\n"
        "  namespace: shop\nrules:\n  - apiGroups: [apps]\n    resources: [deployments]\n"
        "    verbs: [get, list, watch, patch]\n```",
        fix="None: which permissions a subject needs is a design decision. List the API groups, "
        "resources and verbs it uses (`kubectl auth can-i --list`, audit logs), prefer a Role "
        "in one namespace to a ClusterRole, and name Secrets with `resourceNames`.",
        peers="kube-linter wildcard-in-rules, access-to-secrets and cluster-admin-role-binding; "
        "checkov CKV_K8S_49 (wildcards), CKV_K8S_157 (bind) and CKV_K8S_158 (escalate); trivy "
        "KSV041 (Secrets), KSV044 (wildcard verb and resource), KSV047 (nodes/proxy), KSV053 "
        "(pods/exec) and KSV111 (cluster-admin).",
    ),
    checks={Format.KUBERNETES: check_kubernetes},
)
