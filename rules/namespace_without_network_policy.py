"""HG404 namespace-without-network-policy: a workload no NetworkPolicy selects."""
from __future__ import annotations

from hullguard.context import RuleContext
from hullguard.kubernetes import KubernetesFile
from hullguard.model import Format, Rule, RuleDocs, Severity
from hullguard.project import ProjectIndex, labels_of


def check_kubernetes(manifest: KubernetesFile, context: RuleContext):
    workloads = [obj for obj in manifest.workloads if obj.kind != "PodTemplate"]
    if not workloads:
        return
    path = str(context.path) if context.path else None
    project = context.project or ProjectIndex()  # without a run's index: this file and its folder
    project.add_file(path or "-", manifest)
    policies = project.policies_near(path)
    for workload in workloads:
        namespace = workload.namespace
        in_namespace = [policy for policy in policies if policy.namespace == namespace]
        labels = labels_of(workload.pod.metadata.get("labels") if workload.pod.metadata else None)
        selecting = [policy for policy in in_namespace if policy.selects(labels)]
        context.dependencies.update(policy.path for policy in in_namespace if policy.path not in (path, "-"))
        if selecting:
            continue
        where = f"namespace '{namespace}'" if namespace else "its namespace"
        if in_namespace:
            message = f"{workload.label} is not selected by any of the {len(in_namespace)} NetworkPolicies in {where}, so all traffic to and from its pods is allowed"
        else:
            message = f"{workload.label}: no NetworkPolicy in {where} selects its pods, so all traffic to and from them is allowed"
        yield RULE.finding(workload.anchor, message)


RULE = Rule(
    code="HG404",
    name="namespace-without-network-policy",
    severity=Severity.WARNING,
    summary="Workload not isolated by any NetworkPolicy",
    docs=RuleDocs(
        what="Checks that every workload (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, "
        "ReplicationController, Job, CronJob) is selected by at least one NetworkPolicy of its "
        "namespace, matching the policy's `podSelector` (`matchLabels` and `matchExpressions`; "
        "an empty selector selects every pod) against the pod template's labels. The policies "
        "come from every Kubernetes file of the run and from the YAML files in the linted file's "
        "own folder, so a pre-commit run that stages only a Deployment still sees the policy "
        "beside it. A manifest without `metadata.namespace` is matched with policies that have "
        "none either (both go to the namespace they are applied to).",
        why="Without a NetworkPolicy selecting a pod, Kubernetes allows all traffic to and from "
        "it: one compromised pod can reach every other pod, the cloud metadata endpoint and the "
        "API server. A default-deny policy per namespace, then explicit allows, limits what an "
        "attacker can reach after a breach.",
        example="```yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web   # HG404\n  namespace: shop\n"
        "spec:\n  template:\n    metadata:\n      labels: {app: web}\n```\nFixed (in any file of the run, or beside it):\n"
        "```yaml\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\n  namespace: shop\n"
        "spec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n```",
        fix="None: which traffic to allow is the application's decision.",
        peers="kube-linter non-isolated-pod.",
    ),
    checks={Format.KUBERNETES: check_kubernetes},
    whole_stream=True,  # NetworkPolicies in other documents and files
)
