"""HG304 service-account-token-automounted: pods get a Kubernetes API token they may not need."""
from __future__ import annotations

from hullguard.context import RuleContext
from hullguard.kubernetes import KubeObject, KubernetesFile
from hullguard.model import Applicability, Fix, Format, Rule, RuleDocs, Severity
from hullguard.yamldoc import YamlMapping
from hullguard.yamledit import merge_into
from hullguard.yamlfile import bool_of, text_of

SETTING = "automountServiceAccountToken"


def _account_name(spec: YamlMapping) -> str:
    """The pod's service account: ``serviceAccountName``, else the deprecated
    ``serviceAccount``, else ``default``."""
    return text_of(spec.get("serviceAccountName")) or text_of(spec.get("serviceAccount")) or "default"


def _same_namespace(first: str | None, second: str | None) -> bool:
    """Objects without ``metadata.namespace`` go to the namespace they are applied to, which
    is usually the one the others of the file name."""
    return first is None or second is None or first == second


def _account_opts_out(manifest: KubernetesFile, workload: KubeObject, name: str) -> bool:
    """Whether a ServiceAccount of that name in the same file sets the setting to false."""
    return any(
        obj.kind == "ServiceAccount"
        and obj.name == name
        and _same_namespace(obj.namespace, workload.namespace)
        and bool_of(obj.mapping.get(SETTING)) is False
        for obj in manifest.objects
    )


def check_kubernetes(manifest: KubernetesFile, context: RuleContext):
    for workload in manifest.workloads:
        spec = workload.pod.spec
        if spec is None:
            continue
        own = spec.get(SETTING)
        if bool_of(own) is False:
            continue
        account = _account_name(spec)
        if bool_of(own) is True:
            span = own.span
            reason = f"{SETTING} is true"
        elif _account_opts_out(manifest, workload, account):
            continue
        else:
            span = workload.anchor
            reason = f"neither the pod spec nor the service account sets {SETTING}: false"
        message = f"the API token of service account '{account}' is mounted into {workload.label} ({reason})"
        yield RULE.finding(span, message, _fixes(manifest, spec))


def _fixes(manifest: KubernetesFile, spec: YamlMapping) -> list[Fix]:
    edits = merge_into(manifest.source, spec, {SETTING: False})
    if not edits:
        return []
    return [Fix(f"Set {SETTING}: false in the pod spec", Applicability.UNSAFE, tuple(edits))]


RULE = Rule(
    code="HG304",
    name="service-account-token-automounted",
    severity=Severity.WARNING,
    summary="Pods get a service account token they may not need",
    docs=RuleDocs(
        what="Checks every workload (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, "
        "ReplicationController, Job, CronJob, PodTemplate, and the items of a `List`) and fires "
        "when its pods get a token for the Kubernetes API mounted: the pod spec does not set "
        "`automountServiceAccountToken: false`, and the service account it runs as "
        "(`serviceAccountName`, else `default`) does not set it either. A ServiceAccount is "
        "seen when it is in the same file (same namespace, or either without one); one defined "
        "in another file is not, so such a workload is reported unless its pod spec sets the "
        "value. An explicit `automountServiceAccountToken: true` in the pod spec is reported "
        "on that `true` (the pod's value wins over the service account's).",
        why="By default every pod gets a token of its service account at "
        "`/var/run/secrets/kubernetes.io/serviceaccount`. Most applications never call the "
        "Kubernetes API, but anyone who gets code execution in the container or can read its "
        "files (a vulnerable dependency, a path traversal) can use the token with every "
        "permission the service account has. Even with few permissions, it lets an attacker "
        "explore the cluster from inside; with careless RBAC bindings it can take it over.",
        example="```yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web   # HG304\n"
        "spec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27.3\n```\n"
        "Fixed:\n```yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
        "spec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27.3\n"
        "      automountServiceAccountToken: false\n```\n"
        "Or on the service account, for every pod that uses it:\n```yaml\napiVersion: v1\n"
        "kind: ServiceAccount\nmetadata:\n  name: web\nautomountServiceAccountToken: false\n```",
        fix="Unsafe: sets `automountServiceAccountToken: false` in the pod spec (replacing a "
        "`true`). An application that calls the Kubernetes API (operators, controllers, "
        "anything using a Kubernetes client library or in-cluster config) stops working; keep "
        "the token for those, with a dedicated service account bound to a minimal role, and "
        "suppress the finding there.",
        peers="checkov CKV_K8S_38.",
    ),
    checks={Format.KUBERNETES: check_kubernetes},
    whole_stream=True,  # a ServiceAccount in another document may opt out
    fix=Applicability.UNSAFE,
)
