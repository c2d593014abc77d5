"""HG403 host-port: a container binds a port of the node (Pod Security Standards control
hostPorts)."""
from __future__ import annotations

from hullguard.context import RuleContext
from hullguard.kubernetes import KubernetesFile
from hullguard.model import Applicability, Fix, Format, Rule, RuleDocs, Severity
from hullguard.yamldoc import YamlMapping
from hullguard.yamledit import remove_entry
from hullguard.yamlfile import bool_of, int_of, items


def check_kubernetes(manifest: KubernetesFile, context: RuleContext):
    for obj in manifest.workloads:
        spec = obj.pod.spec
        if spec is None:
            continue
        # The API server defaults an unset (or 0) hostPort to containerPort in a host-network Pod
        # (containers and init containers; not in pod templates since Kubernetes 1.28), and the
        # admission controller sees the defaulted Pod.
        defaulted = obj.kind == "Pod" and bool_of(spec.get("hostNetwork")) is True
        for container in obj.pod.containers:
            container_defaulted = defaulted and container.list_name != "ephemeralContainers"
            for port in items(container.mapping.get("ports")):
                if not isinstance(port, YamlMapping):
                    continue
                host_port = port.get("hostPort")
                number = int_of(host_port)
                if number:
                    # In a host-network Pod the port stays bound without hostPort: no fix there.
                    edit = None if container_defaulted else remove_entry(manifest.source, port, "hostPort")
                    fixes = [Fix("Remove hostPort", Applicability.UNSAFE, (edit,))] if edit else []
                    message = f"{container.label} binds host port {number} (hostPort); PSS baseline does not allow host ports"
                    yield RULE.finding(host_port.span, message, fixes)
                elif container_defaulted and (host_port is None or number == 0):  # 0 is unset to the API
                    container_port = port.get("containerPort")
                    number = int_of(container_port)
                    if number:
                        message = f"{container.label} binds host port {number}: with hostNetwork: true, hostPort defaults to containerPort; PSS baseline does not allow host ports"
                        yield RULE.finding(container_port.span, message)

RULE = Rule(
    code="HG403",
    name="host-port",
    severity=Severity.WARNING,
    summary="Container binds a host port",
    docs=RuleDocs(
        what="The Pod Security Standards control *hostPorts* (baseline, so it applies at both "
        "levels and every version): a `ports[].hostPort` other than `0` in any container, init "
        "container or ephemeral container. There is no list of allowed ports: every non-zero "
        "host port is reported, at its value, one finding per port. As the API server does "
        "before the admission controller sees it, a Pod (not a pod template: Kubernetes 1.28 "
        "stopped defaulting those) with `hostNetwork: true` gets each unset or `0` `hostPort` of "
        "its containers and init containers set to the `containerPort`, so those ports are "
        "reported too, at the `containerPort` (the host network itself is HG106's finding).",
        why="A host port binds the port on the node's own network interfaces and forwards it "
        "into the pod, bypassing the Service and NetworkPolicy model: it exposes the pod to "
        "whatever can reach the node, ties the pod to nodes where the port is free (one replica "
        "per node), and lets a workload squat a port other node services expect.",
        example="```yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
        "  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n"
        "          ports:\n            - containerPort: 80\n              hostPort: 80   # HG403\n```\n"
        "Fixed (reach it through a Service):\n```yaml\napiVersion: apps/v1\nkind: Deployment\n"
        "metadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n"
        "          image: nginx:1.27\n          ports:\n            - containerPort: 80\n```",
        fix="Unsafe: removes the `hostPort` entry, so the port is no longer reachable on the "
        "node's address; expose it with a Service (NodePort or LoadBalancer if it must be "
        "reachable from outside). No fix in a Pod with `hostNetwork: true`, where the port stays "
        "bound on the node without `hostPort` (HG106's fix removes the cause).",
        peers="Pod Security Standards baseline control hostPorts (Host Ports); trivy KSV024.",
    ),
    checks={Format.KUBERNETES: check_kubernetes},
    fix=Applicability.UNSAFE,
)
