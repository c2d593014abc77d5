"""HG501 no-resource-limits: a container has no memory limit."""
from __future__ import annotations

from hullguard.compose import ComposeFile, Service
from hullguard.context import RuleContext
from hullguard.kubernetes import Container, KubernetesFile
from hullguard.model import Applicability, Fix, Format, Rule, RuleDocs, Severity
from hullguard.yamledit import merge_into
from hullguard.yamlfile import mapping_at, node_at, text_of

K8S_PLACEHOLDER = "512Mi"
COMPOSE_PLACEHOLDER = "512m"


def check_kubernetes(manifest: KubernetesFile, context: RuleContext):
    for obj in manifest.workloads:
        pod = obj.pod
        if pod.spec is None or text_of(node_at(pod.spec, "resources", "limits", "memory")):
            continue  # a pod-level limit bounds every container
        for container in pod.containers:
            if container.list_name == "ephemeralContainers":
                continue  # the API forbids resources on them: they use what the pod has
            if text_of(node_at(container.mapping, "resources", "limits", "memory")):
                continue
            message = f"{container.label} has no memory limit (resources.limits.memory), so it can take all of the node's memory"
            yield RULE.finding(container.anchor, message, _kubernetes_skeleton(manifest, container))


def _kubernetes_skeleton(manifest: KubernetesFile, container: Container) -> list[Fix]:
    request = text_of(node_at(container.mapping, "resources", "requests", "memory"))
    edits = merge_into(manifest.source, container.mapping, {"resources": {"limits": {"memory": request or K8S_PLACEHOLDER}}})
    return [Fix(_title(request, K8S_PLACEHOLDER), Applicability.DISPLAY_ONLY, tuple(edits))] if edits else []


def check_compose(compose: ComposeFile, context: RuleContext):
    for service in compose.services:
        mapping = service.mapping
        if mapping is not None and mapping.get("extends") is not None:
            continue  # the limit may come from the extended service, which may be in another file
        if text_of(node_at(mapping, "mem_limit")) or text_of(node_at(mapping, "deploy", "resources", "limits", "memory")):
            continue
        message = f"{service.label} has no memory limit (mem_limit or deploy.resources.limits.memory), so it can take all of the host's memory"
        yield RULE.finding(service.anchor, message, _compose_skeleton(compose, service))


def _compose_skeleton(compose: ComposeFile, service: Service) -> list[Fix]:
    if service.mapping is None:
        return []
    mapping = service.mapping
    request = text_of(node_at(mapping, "mem_reservation")) or text_of(node_at(mapping, "deploy", "resources", "reservations", "memory"))
    value = request or COMPOSE_PLACEHOLDER
    # Beside the limits the service already declares under deploy (cpus), else mem_limit.
    limits = mapping_at(mapping, "deploy", "resources", "limits")
    edits = merge_into(compose.source, limits, {"memory": value}) if limits is not None else merge_into(compose.source, mapping, {"mem_limit": value})
    return [Fix(_title(request, COMPOSE_PLACEHOLDER), Applicability.DISPLAY_ONLY, tuple(edits))] if edits else []


def _title(request: str | None, placeholder: str) -> str:
    if request:
        return f"Add a memory limit equal to the memory request ({request}); raise it if the workload's peak is higher"
    return f"Add a memory limit ({placeholder} is a placeholder: size it from the workload's measured peak)"


RULE = Rule(
    code="HG501",
    name="no-resource-limits",
    severity=Severity.WARNING,
    summary="Container has no memory limit",
    docs=RuleDocs(
        what="Checks that every container has a memory limit. In Kubernetes manifests: "
        "`resources.limits.memory` on each container and init container, or a pod-level "
        "`spec.resources.limits.memory` (pod-level resources, Kubernetes 1.32+), which bounds them "
        "all; ephemeral containers are skipped, since the API does not let them declare resources. "
        "A memory *request* alone does not count. In compose files: `mem_limit` or "
        "`deploy.resources.limits.memory` on each service; a service that `extends` another is "
        "skipped (the limit may be inherited from a file not linted). One finding per container or "
        "service, at its name.\n\n"
        "CPU limits are deliberately not required. CPU is compressible: a container without a CPU "
        "limit is slowed down, never killed, when the node is busy, and its neighbours keep the "
        "share their CPU requests (or compose's equal `cpu_shares`) guarantee. A CPU limit instead "
        "throttles the container even when the node is idle, which shows up as latency spikes. "
        "Memory is not compressible: without a limit, one leaking container pushes the whole node "
        "into memory pressure and the kernel's OOM killer or the kubelet's eviction hits other "
        "workloads. A `LimitRange` that gives the namespace's containers a default limit is not "
        "seen by this rule; suppress it or turn it off where one is in place.",
        why="A memory limit confines a leak, a runaway cache or a memory-exhaustion attack to the "
        "container that has it: that container is OOM-killed and restarted, and the node and its "
        "other workloads keep running.",
        example="```yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n"
        "    spec:\n      containers:\n        - name: app   # HG501\n          image: nginx:1.27\n"
        "          resources:\n            requests:\n              cpu: 100m\n              memory: 128Mi\n```\n"
        "Fixed:\n```yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n"
        "    spec:\n      containers:\n        - name: app\n          image: nginx:1.27\n"
        "          resources:\n            requests:\n              cpu: 100m\n              memory: 128Mi\n"
        "            limits:\n              memory: 256Mi\n```\n"
        "Compose:\n```yaml\nservices:\n  web:   # HG501\n    image: nginx:1.27\n```\nFixed:\n"
        "```yaml\nservices:\n  web:\n    image: nginx:1.27\n    mem_limit: 256m\n```",
        fix="Display only: shows where the limit goes (`resources.limits.memory` in the container, "
        "`mem_limit` in the service, or `memory` beside the `deploy.resources.limits` it already "
        "has), with the memory request as the value when there is one, else a placeholder "
        "(512Mi / 512m). The right value is the workload's measured peak plus headroom; a wrong "
        "one gets the container OOM-killed, so it is never applied automatically.",
        peers="kube-linter unset-memory-requirements; checkov CKV_K8S_13; trivy KSV018. Not a Pod "
        "Security Standards control.",
    ),
    checks={Format.KUBERNETES: check_kubernetes, Format.COMPOSE: check_compose},
    fix=Applicability.DISPLAY_ONLY,
)
