"""HG506 unsafe-sysctls: a pod sets a sysctl outside the safe set (Pod Security Standards
baseline control sysctls)."""
from __future__ import annotations

from hullguard.context import RuleContext
from hullguard.kubernetes import KubernetesFile
from hullguard.model import Format, Rule, RuleDocs, Severity
from hullguard.yamldoc import YamlMapping, YamlScalar
from hullguard.yamlfile import items, node_at, text_of

# The safe set grows with the policy version: (first version, names it adds).
SAFE_SYSCTLS: tuple[tuple[tuple[int, int], tuple[str, ...]], ...] = (
    ((1, 0), ("kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
              "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start")),
    ((1, 27), ("net.ipv4.ip_local_reserved_ports",)),
    ((1, 29), ("net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
               "net.ipv4.tcp_keepalive_probes")),
    ((1, 32), ("net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem")),
    ((1, 37), ("net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat")),
)


def safe_sysctls(context: RuleContext) -> frozenset[str]:
    return frozenset(name for version, names in SAFE_SYSCTLS if context.pss_at_least(*version) for name in names)


def check_kubernetes(manifest: KubernetesFile, context: RuleContext):
    safe = safe_sysctls(context)
    version = "latest" if context.pss_version is None else f"v{context.pss_version[0]}.{context.pss_version[1]}"
    for obj in manifest.workloads:
        for sysctl in items(node_at(obj.pod.spec, "securityContext", "sysctls")):
            name_node = sysctl.get("name") if isinstance(sysctl, YamlMapping) else None
            name = text_of(name_node)
            if name is None or name in safe:
                continue
            message = f"{obj.label} sets sysctl {name}, which is not in the PSS baseline safe set ({version})"
            yield RULE.finding(name_node.span if isinstance(name_node, YamlScalar) else sysctl.span, message)


RULE = Rule(
    code="HG506",
    name="unsafe-sysctls",
    severity=Severity.ERROR,
    summary="Pod sets a sysctl outside the safe set",
    docs=RuleDocs(
        what="Checks the names in the pod's `securityContext.sysctls` against the Pod Security "
        "Standards baseline safe set of the configured `pss-version` (both levels). The comparison "
        "is exact: the slash form `net/ipv4/tcp_syncookies`, which the API accepts, is reported. "
        "Values are not checked. The set grows by version:\n\n"
        "- v1.0: `kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`, "
        "`net.ipv4.tcp_syncookies`, `net.ipv4.ping_group_range`, "
        "`net.ipv4.ip_unprivileged_port_start`;\n"
        "- v1.27: `net.ipv4.ip_local_reserved_ports`;\n"
        "- v1.29: `net.ipv4.tcp_keepalive_time`, `net.ipv4.tcp_fin_timeout`, "
        "`net.ipv4.tcp_keepalive_intvl`, `net.ipv4.tcp_keepalive_probes`;\n"
        "- v1.32: `net.ipv4.tcp_rmem`, `net.ipv4.tcp_wmem`;\n"
        "- v1.37: `net.ipv4.tcp_slow_start_after_idle`, `net.ipv4.tcp_notsent_lowat`.\n\n"
        "`latest` includes them all. Compose files are not checked: Docker accepts only sysctls "
        "that are namespaced (`kernel.msg*`, `kernel.sem`, `kernel.shm*`, `fs.mqueue.*`, and "
        "`net.*` outside the host network), so a compose `sysctls` entry changes the container's "
        "own namespaces, never the host's; Kubernetes' safe set is narrower because its pods share "
        "nodes with other tenants' pods, which a compose host does not promise.",
        why="Sysctls outside the safe set either are not namespaced (they change the node's kernel "
        "for every pod on it) or let a pod take kernel memory or tune the network stack beyond its "
        "share; the kubelet also refuses them unless an administrator allows them with "
        "`--allowed-unsafe-sysctls`.",
        example="```yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: db\nspec:\n  securityContext:\n"
        "    sysctls:\n      - name: kernel.msgmax   # HG506\n        value: \"65536\"\n"
        "      - name: net.ipv4.tcp_keepalive_time\n        value: \"600\"\n  containers:\n"
        "    - name: db\n      image: postgres:16\n```\nFixed:\n```yaml\napiVersion: v1\nkind: Pod\n"
        "metadata:\n  name: db\nspec:\n  securityContext:\n    sysctls:\n"
        "      - name: net.ipv4.tcp_keepalive_time\n        value: \"600\"\n  containers:\n"
        "    - name: db\n      image: postgres:16\n```",
        fix="None: whether the workload can do without the sysctl (or belongs on dedicated, "
        "privileged-level nodes) is the operator's decision.",
        peers="Pod Security Standards baseline control `sysctls` (\"Sysctls\"); kube-linter "
        "unsafe-sysctls; trivy KSV026.",
    ),
    checks={Format.KUBERNETES: check_kubernetes},
)
