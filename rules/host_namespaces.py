"""HG106 host-namespaces: the container shares a namespace with the host (Pod Security
Standards control hostNamespaces; compose ``network_mode``/``pid``/``ipc``/``uts``/
``userns_mode``/``cgroup: host``)."""
from __future__ import annotations

from hullguard.compose import ComposeFile
from hullguard.context import RuleContext
from hullguard.kubernetes import KubernetesFile
from hullguard.model import Applicability, Fix, Format, Rule, RuleDocs, Severity
from hullguard.yamldoc import YamlScalar
from hullguard.yamledit import remove_entry, replace_scalar
from hullguard.yamlfile import bool_of

# Pod spec fields, in the admission controller's order, and what sharing each one means.
POD_FIELDS = {
    "hostNetwork": "network namespace",
    "hostPID": "PID namespace",
    "hostIPC": "IPC namespace",
}
# Compose service settings whose value `host` shares a namespace with the host.
COMPOSE_SETTINGS = {
    "network_mode": "shares the host's network namespace",
    "pid": "shares the host's PID namespace",
    "ipc": "shares the host's IPC namespace",
    "uts": "shares the host's UTS namespace (hostname)",
    "cgroup": "shares the host's cgroup namespace",
    "userns_mode": "runs in the host's user namespace (no user-namespace remapping)",
}


def check_kubernetes(manifest: KubernetesFile, context: RuleContext):
    for obj in manifest.workloads:
        spec = obj.pod.spec
        if spec is None:
            continue
        for key, namespace in POD_FIELDS.items():
            value = spec.get(key)
            if bool_of(value) is not True:
                continue
            edit = replace_scalar(value, "false")
            fixes = [Fix(f"Set {key}: false", Applicability.UNSAFE, (edit,))] if edit else []
            yield RULE.finding(value.span, f"{obj.label} shares the host's {namespace} ({key}: {value.value}); PSS baseline does not allow it", fixes)


def check_compose(compose: ComposeFile, context: RuleContext):
    for service in compose.services:
        if service.mapping is None:
            continue
        for key, problem in COMPOSE_SETTINGS.items():
            value = service.mapping.get(key)
            if not (isinstance(value, YamlScalar) and value.value == "host"):
                continue
            edit = remove_entry(compose.source, service.mapping, key)
            fixes = [Fix(f"Remove {key}: host", Applicability.UNSAFE, (edit,))] if edit else []
            yield RULE.finding(value.span, f"{service.label} {problem} ({key}: host)", fixes)


RULE = Rule(
    code="HG106",
    name="host-namespaces",
    severity=Severity.ERROR,
    summary="Container shares the host's namespaces",
    docs=RuleDocs(
        what="Checks whether a container shares one of the host's namespaces, one finding per "
        "setting, at its value.\n\n"
        "- **Kubernetes**: the Pod Security Standards control *hostNamespaces* (baseline, so it "
        "applies at both levels and every version): `hostNetwork`, `hostPID` or `hostIPC` set to "
        "`true` in a pod spec (a Pod, or the pod template of a Deployment, StatefulSet, DaemonSet, "
        "ReplicaSet, ReplicationController, Job, CronJob or PodTemplate). `false` and unset pass. "
        "A quoted `\"true\"` is a string, which the API server rejects, so it is not reported. "
        "`hostUsers` is not part of the control and is not read.\n"
        "- **Compose**: `network_mode: host`, `pid: host`, `ipc: host`, `uts: host`, "
        "`cgroup: host` and `userns_mode: host`. Other values (`service:db`, `container:x`, "
        "`private`, `shareable`) are not the host's and pass; a value from a variable "
        "(`${NET_MODE}`) is unknown and not reported.",
        why="Namespaces are what make a container's view of the system its own. Sharing the "
        "host's network namespace lets the container bind any host port, reach services "
        "listening on the host's loopback (the kubelet, the Docker API on 127.0.0.1, cloud "
        "metadata proxies) and sniff host traffic; the PID namespace lets it see, signal and, "
        "with ptrace, inject code into every host process and read their environment; the IPC "
        "namespace exposes the host's shared memory; the UTS namespace lets it change the host's "
        "hostname; the cgroup namespace shows the host's cgroup tree. `userns_mode: host` turns "
        "off Docker's user-namespace remapping for the container, so its root is the host's "
        "root again.",
        example="```yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: agent\nspec:\n"
        "  hostNetwork: true   # HG106\n  hostPID: true       # HG106\n  containers:\n"
        "    - name: agent\n      image: example/agent:1.4\n```\nFixed:\n```yaml\napiVersion: v1\n"
        "kind: Pod\nmetadata:\n  name: agent\nspec:\n  hostNetwork: false\n  hostPID: false\n"
        "  containers:\n    - name: agent\n      image: example/agent:1.4\n```\nCompose:\n"
        "```yaml\nservices:\n  agent:\n    image: example/agent:1.4\n    network_mode: host   # HG106\n"
        "    pid: host            # HG106\n```\nFixed:\n```yaml\nservices:\n  agent:\n"
        "    image: example/agent:1.4\n    ports:\n      - \"127.0.0.1:8080:8080\"\n```",
        fix="Unsafe (the workload loses what it used the host's namespace for: a node agent may "
        "stop working). Kubernetes: sets the field to `false` (the default), keeping the "
        "file's layout; compose: removes the setting, so the service gets its own namespace "
        "(for `network_mode: host`, publish the ports it needs with `ports:` instead). No fix "
        "is offered for a compose setting that comes from a `<<` merge or is a service's only "
        "one.",
        peers="Pod Security Standards baseline control hostNamespaces (HostNetwork, HostPID, "
        "HostIPC); kube-linter host-network, host-pid, host-ipc; checkov CKV_K8S_17 (hostPID), "
        "CKV_K8S_18 (hostIPC), CKV_K8S_19 (hostNetwork); trivy KSV008 (hostIPC), KSV009 "
        "(hostNetwork), KSV010 (hostPID).",
    ),
    checks={Format.COMPOSE: check_compose, Format.KUBERNETES: check_kubernetes},
    fix=Applicability.UNSAFE,
)
