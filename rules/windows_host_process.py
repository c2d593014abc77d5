"""HG110 windows-host-process: a Windows HostProcess pod or container (Pod Security Standards
control windowsHostProcess)."""
from __future__ import annotations

from hullguard.context import RuleContext
from hullguard.kubernetes import KubernetesFile
from hullguard.model import Applicability, Fix, Format, Rule, RuleDocs, Severity
from hullguard.yamldoc import YamlMapping, YamlScalar
from hullguard.yamledit import replace_scalar
from hullguard.yamlfile import bool_of, node_at


def _host_process(security_context: YamlMapping | None) -> YamlScalar | None:
    """The ``windowsOptions.hostProcess`` value when it is ``true``."""
    value = node_at(security_context, "windowsOptions", "hostProcess")
    return value if bool_of(value) is True else None


def _fixes(value: YamlScalar) -> list[Fix]:
    edit = replace_scalar(value, "false")
    return [Fix("Set windowsOptions.hostProcess: false", Applicability.UNSAFE, (edit,))] if edit else []


def check_kubernetes(manifest: KubernetesFile, context: RuleContext):
    # Each level is judged on its own, as the admission controller does: a pod-level true fails
    # even if a container sets false (which the API server refuses anyway), and vice versa.
    for obj in manifest.workloads:
        if obj.pod.spec is None:
            continue
        value = _host_process(obj.pod.security_context())
        if value is not None:
            message = f"pod securityContext of {obj.label} makes every container a Windows HostProcess container (windowsOptions.hostProcess: {value.value}); PSS baseline does not allow it"
            yield RULE.finding(value.span, message, _fixes(value))
        for container in obj.pod.containers:
            value = _host_process(container.security_context())
            if value is not None:
                message = f"{container.label} runs as a Windows HostProcess container (windowsOptions.hostProcess: {value.value}); PSS baseline does not allow it"
                yield RULE.finding(value.span, message, _fixes(value))


RULE = Rule(
    code="HG110",
    name="windows-host-process",
    severity=Severity.ERROR,
    summary="Windows HostProcess container",
    docs=RuleDocs(
        what="The Pod Security Standards control *windowsHostProcess* (baseline, so it applies at "
        "both levels and every version): `securityContext.windowsOptions.hostProcess: true` in "
        "the pod's `securityContext` or in any container's (init and ephemeral containers "
        "included). Each level is judged on its own, as the admission controller does: a "
        "container's `false` does not excuse the pod's `true`. `false`, unset, and a quoted "
        "`\"true\"` (a string, which the API server rejects) pass. `spec.os` is not read.",
        why="A HostProcess container is not isolated at all: it runs directly on the Windows "
        "node as a process of the host, with the host's network, file system and, typically, "
        "the `NT AUTHORITY\\SYSTEM` account. It is the Windows equivalent of a privileged "
        "container with every host namespace shared, meant only for node administration "
        "daemons (CNI, storage and log agents).",
        example="```yaml\napiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: win-agent\nspec:\n"
        "  template:\n    spec:\n      securityContext:\n        windowsOptions:\n"
        "          hostProcess: true   # HG110\n          runAsUserName: \"NT AUTHORITY\\\\SYSTEM\"\n"
        "      hostNetwork: true\n      containers:\n        - name: agent\n"
        "          image: example/win-agent:1.0\n```\nFixed (a regular Windows container):\n```yaml\n"
        "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: win-agent\nspec:\n  template:\n"
        "    spec:\n      securityContext:\n        windowsOptions:\n          hostProcess: false\n"
        "          runAsUserName: ContainerUser\n      containers:\n        - name: agent\n"
        "          image: example/win-agent:1.0\n```",
        fix="Unsafe: sets `hostProcess` to `false`, keeping the file's layout. A workload built "
        "as a HostProcess container (it expects the host's file system and network, and a "
        "host account in `runAsUserName`) will not work as a regular container without "
        "changes; for a genuine node agent, suppress the finding with a reason and run it in "
        "a namespace whose Pod Security level is privileged.",
        peers="Pod Security Standards baseline control windowsHostProcess (HostProcess); "
        "trivy KSV103.",
    ),
    checks={Format.KUBERNETES: check_kubernetes},
    fix=Applicability.UNSAFE,
)
