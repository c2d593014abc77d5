"""HG102 privileged: the container runs privileged (Pod Security Standards baseline control
``privileged``; compose ``privileged: true``)."""
from __future__ import annotations

from hullguard.compose import ComposeFile, Service
from hullguard.context import RuleContext
from hullguard.kubernetes import Container, KubernetesFile
from hullguard.model import Applicability, Fix, Format, Rule, RuleDocs, Severity
from hullguard.rules._compose import compose_true
from hullguard.yamledit import merge_into, remove_entry
from hullguard.yamlfile import bool_of, node_at


def check_kubernetes(manifest: KubernetesFile, context: RuleContext):
    """A baseline control: fires at both levels and every version."""
    for obj in manifest.workloads:
        for container in obj.pod.containers:
            node = node_at(container.security_context(), "privileged")
            if bool_of(node) is True:
                message = f"{container.label} runs privileged (securityContext.privileged: true)"
                yield RULE.finding(node.span, message, _kubernetes_fixes(manifest, container))


def _kubernetes_fixes(manifest: KubernetesFile, container: Container) -> list[Fix]:
    edits = merge_into(manifest.source, container.mapping, {"securityContext": {"privileged": False}})
    return [Fix("Set securityContext.privileged: false", Applicability.UNSAFE, tuple(edits))] if edits else []


def check_compose(compose: ComposeFile, context: RuleContext):
    for service in compose.services:
        node = service.mapping.get("privileged") if service.mapping is not None else None
        # compose reads a boolean, or a string as its interpolation does ("yes", "on", ...)
        if compose_true(node):
            yield RULE.finding(node.span, f"{service.label} runs privileged (privileged: {node.value})", _compose_fixes(compose, service))


def _compose_fixes(compose: ComposeFile, service: Service) -> list[Fix]:
    edit = remove_entry(compose.source, service.mapping, "privileged")
    return [Fix("Remove privileged: true", Applicability.UNSAFE, (edit,))] if edit is not None else []


RULE = Rule(
    code="HG102",
    name="privileged",
    severity=Severity.ERROR,
    summary="Container runs privileged",
    docs=RuleDocs(
        what="Reports containers that run in privileged mode. In Kubernetes manifests: "
        "`securityContext.privileged: true` on a container, init container or ephemeral "
        "container (the Pod Security Standards baseline control `privileged`, so it fires at "
        "both `pss-level`s and every `pss-version`; there is no pod-level field). In compose "
        "files: `privileged: true` on a service (`yes`, `on` and quoted forms too, as compose "
        "reads them; a `${VAR}` value is not reported). The finding points at the `true`.\n\n"
        "Dockerfiles have no such setting: privilege is granted when the container is run.",
        why="A privileged container gets every capability, every host device under `/dev`, no "
        "seccomp or AppArmor/SELinux confinement and a writable `/sys`: root in it is root on "
        "the host, and escaping takes a `mount` of the host's disk. It should be reserved for "
        "node agents that truly need it (CNI plugins, storage drivers), which then deserve a "
        "suppression comment saying so.",
        example="```yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n"
        "    - name: app\n      image: nginx:1.27\n      securityContext:\n        privileged: true   # HG102\n"
        "```\nFixed:\n```yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n"
        "    - name: app\n      image: nginx:1.27\n      securityContext:\n        privileged: false\n```\n"
        "Compose:\n```yaml\nservices:\n  web:\n    image: nginx:1.27\n    privileged: true   # HG102\n```\n"
        "Fixed (grant only what the service needs):\n```yaml\nservices:\n  web:\n    image: nginx:1.27\n"
        "    cap_add: [NET_BIND_SERVICE]\n```",
        fix="Unsafe: the container loses the devices and capabilities privileged mode gave it, "
        "which is the point, but a workload that used them stops working; grant the specific "
        "capability or device it needs instead. Kubernetes: sets `privileged: false`. Compose: "
        "removes the `privileged` entry (no fix when it is a service's only setting or the "
        "mapping is shared through an anchor).",
        peers="Pod Security Standards baseline control `privileged` (\"Privileged Containers\"); "
        "kube-linter `privileged-container`; checkov CKV_K8S_16; trivy KSV017.",
    ),
    checks={Format.KUBERNETES: check_kubernetes, Format.COMPOSE: check_compose},
    fix=Applicability.UNSAFE,
)
