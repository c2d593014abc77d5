"""HG105 dangerous-capability-added: the container adds a capability beyond the default set
(Pod Security Standards controls ``capabilities_baseline`` and the ``add`` half of
``capabilities_restricted``; compose ``cap_add``)."""
from __future__ import annotations

from hullguard.compose import ComposeFile
from hullguard.context import RuleContext
from hullguard.kubernetes import KubernetesFile
from hullguard.model import Format, Rule, RuleDocs, Severity
from hullguard.rules._pod import exempt_as_windows
from hullguard.yamlfile import items, node_at, text_of

# The capabilities the baseline level lets a container add: the container runtimes' default
# set without NET_RAW. Compared exactly, as admission does (no CAP_ prefix, case-sensitive).
BASELINE_CAPABILITIES = frozenset({
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
    "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
})
RESTRICTED_CAPABILITIES = frozenset({"NET_BIND_SERVICE"})


def check_kubernetes(manifest: KubernetesFile, context: RuleContext):
    """Baseline: each added capability is in the baseline list. Restricted from v1.22: only
    NET_BIND_SERVICE, and this replaces the baseline check; from v1.25 pods with
    spec.os.name: windows are exempt (and, the baseline check being replaced, pass)."""
    restricted = context.restricted and context.pss_at_least(1, 22)
    allowed = RESTRICTED_CAPABILITIES if restricted else BASELINE_CAPABILITIES
    for obj in manifest.workloads:
        pod = obj.pod
        if restricted and exempt_as_windows(pod, context):
            continue
        for container in pod.containers:
            for item in items(node_at(container.security_context(), "capabilities", "add")):
                name = text_of(item)
                if name is None or name in allowed:
                    continue
                if restricted:
                    message = f"{container.label} adds capability {name}; PSS restricted allows adding only NET_BIND_SERVICE"
                else:
                    message = f"{container.label} adds capability {name}, which is outside the PSS baseline allow-list"
                yield RULE.finding(item.span, message)


def check_compose(compose: ComposeFile, context: RuleContext):
    for service in compose.services:
        for item in items(service.mapping.get("cap_add") if service.mapping is not None else None):
            written = text_of(item)
            if written is None or "$" in written:
                continue
            name = written.upper().removeprefix("CAP_")  # docker's reading: upper-cased, prefix optional
            if name == "ALL":
                yield RULE.finding(item.span, f"{service.label} adds all capabilities (cap_add: {written})")
            elif name not in BASELINE_CAPABILITIES:
                yield RULE.finding(item.span, f"{service.label} adds capability {written}, which is outside the baseline allow-list")


RULE = Rule(
    code="HG105",
    name="dangerous-capability-added",
    severity=Severity.ERROR,
    summary="Container adds a dangerous capability",
    docs=RuleDocs(
        what="Reports each capability a container adds beyond the Pod Security Standards "
        "baseline allow-list: `AUDIT_WRITE`, `CHOWN`, `DAC_OVERRIDE`, `FOWNER`, `FSETID`, `KILL`, "
        "`MKNOD`, `NET_BIND_SERVICE`, `SETFCAP`, `SETGID`, `SETPCAP`, `SETUID`, `SYS_CHROOT` (the "
        "container runtimes' default set, without `NET_RAW`). The finding points at the "
        "capability.\n\n"
        "In Kubernetes manifests, `securityContext.capabilities.add` of every container, init "
        "container and ephemeral container, as admission reads it:\n\n"
        "- **Baseline** (control `capabilities_baseline`): names are compared exactly, so "
        "`CAP_CHOWN`, `chown` and `ALL` are reported as well as `SYS_ADMIN` or `NET_RAW`.\n"
        "- **Restricted** from v1.22 (the `add` half of `capabilities_restricted`, which replaces "
        "the baseline check): only `NET_BIND_SERVICE` may be added; `CHOWN` is reported too. "
        "From v1.25, pods with `spec.os.name: windows` are exempt (the API server forbids "
        "capabilities there anyway). At restricted before v1.22 the baseline list applies.\n\n"
        "In compose files, each `cap_add` entry outside the same list, and `ALL`. Docker "
        "upper-cases names and accepts them with or without `CAP_`, so `cap_sys_admin` is "
        "`SYS_ADMIN`. A `${VAR}` entry is not reported.\n\n"
        "Dockerfiles have no such setting.",
        why="Capabilities split root's power into pieces, and some pieces are nearly the whole: "
        "`SYS_ADMIN` allows `mount` and most container escapes, `SYS_PTRACE` reads other "
        "processes' memory, `SYS_MODULE` loads kernel modules, `NET_ADMIN` reconfigures the "
        "network, `NET_RAW` forges packets, `DAC_READ_SEARCH` opens host files by handle "
        "(the \"shocker\" escape). Adding one should be a reviewed exception.",
        example="```yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n"
        "    - name: app\n      image: example/web:1.0\n      securityContext:\n        capabilities:\n"
        "          drop: [ALL]\n          add:\n            - NET_BIND_SERVICE\n            - SYS_ADMIN   # HG105\n"
        "```\nFixed:\n```yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n"
        "    - name: app\n      image: example/web:1.0\n      securityContext:\n        capabilities:\n"
        "          drop: [ALL]\n          add: [NET_BIND_SERVICE]\n```\n"
        "Compose:\n```yaml\nservices:\n  vpn:\n    image: example/vpn:1.0\n    cap_add:\n"
        "      - NET_ADMIN   # HG105\n```\nFixed: run the part that needs `NET_ADMIN` elsewhere (on the "
        "host, or in a dedicated, reviewed service with a suppression comment saying why).",
        fix="None: removing a capability the workload asked for breaks it, and which one it "
        "really needs is a decision for its owner. Remove the entry, or suppress the finding "
        "with the reason where the capability is required (a VPN's `NET_ADMIN`, a debugger's "
        "`SYS_PTRACE`).",
        peers="Pod Security Standards baseline control `capabilities_baseline` (\"Capabilities\") "
        "and the `add` half of the restricted control `capabilities_restricted` (v1.22+; its "
        "`drop` half is HG104); trivy KSV022.",
    ),
    checks={Format.KUBERNETES: check_kubernetes, Format.COMPOSE: check_compose},
)
