"""HG507 proc-mount: a container sees /proc unmasked (Pod Security Standards procMount
controls; compose ``security_opt: systempaths=unconfined``)."""
from __future__ import annotations

from hullguard.compose import ComposeFile
from hullguard.context import RuleContext
from hullguard.kubernetes import KubernetesFile
from hullguard.model import Format, Rule, RuleDocs, Severity
from hullguard.rules._security_opt import security_opts
from hullguard.yamlfile import bool_of, node_at, text_of


def check_kubernetes(manifest: KubernetesFile, context: RuleContext):
    # Baseline from v1.35 allows any procMount in a user namespace (hostUsers: false);
    # restricted from v1.35 replaces that check with one that never does.
    relaxed = not context.restricted and context.pss_at_least(1, 35)
    for obj in manifest.workloads:
        pod = obj.pod
        if pod.spec is None or relaxed and bool_of(pod.spec.get("hostUsers")) is False:
            continue
        for container in pod.containers:
            node = node_at(container.security_context(), "procMount")
            value = text_of(node)
            if value is None or value == "Default":
                continue
            problem = "unmasks /proc" if value == "Unmasked" else "sets a /proc mount type other than Default"
            yield RULE.finding(node.span, f"{container.label} {problem} (procMount: {value})")


def check_compose(compose: ComposeFile, context: RuleContext):
    for service in compose.services:
        for option in security_opts(service):
            if option.text == "systempaths=unconfined":  # compose knows this spelling only
                yield RULE.finding(option.value_span(), f"{service.label} unmasks /proc and /sys (security_opt {option.text})")


RULE = Rule(
    code="HG507",
    name="proc-mount",
    severity=Severity.ERROR,
    summary="Container sees /proc unmasked",
    docs=RuleDocs(
        what="Checks each container's `securityContext.procMount` (containers, init containers and "
        "ephemeral containers) as the Pod Security Standards procMount controls do: it must be "
        "unset or `Default`. From `pss-version` v1.35 the baseline level allows any value in a "
        "pod that runs in a user namespace (`spec.hostUsers: false`, written explicitly); the "
        "restricted level never does (at v1.35 and later its own procMount control replaces the "
        "baseline one, and before v1.35 the strict baseline rule applies to both levels).\n\n"
        "In compose files it reports `security_opt: [systempaths=unconfined]`, Docker's "
        "equivalent: it turns off the masked and read-only paths under `/proc` and `/sys` "
        "(compose recognises only this spelling, with `=`).",
        why="Container runtimes hide or make read-only the parts of `/proc` and `/sys` that expose "
        "the host (`/proc/kcore`, `/proc/sysrq-trigger`, `/proc/sys`, `/sys/firmware`, ...). "
        "`Unmasked` gives the container the raw view, from which host memory, keys and kernel "
        "settings are in reach; in a user namespace the kernel itself still guards them, which "
        "is why v1.35 relaxes the baseline level there.",
        example="```yaml\napiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: builder\nspec:\n  template:\n"
        "    spec:\n      containers:\n        - name: buildkit\n          image: moby/buildkit:v0.16.0\n"
        "          securityContext:\n            procMount: Unmasked   # HG507\n```\nFixed (baseline "
        "v1.35 and later; the restricted level forbids it even then):\n```yaml\napiVersion: apps/v1\n"
        "kind: DaemonSet\nmetadata:\n  name: builder\nspec:\n  template:\n    spec:\n      hostUsers: false\n"
        "      containers:\n        - name: buildkit\n          image: moby/buildkit:v0.16.0\n"
        "          securityContext:\n            procMount: Unmasked\n```\n"
        "Compose:\n```yaml\nservices:\n  builder:\n    image: moby/buildkit:v0.16.0\n    security_opt:\n"
        "      - systempaths=unconfined   # HG507\n```\nFixed: remove the option.",
        fix="None: an unmasked /proc is requested on purpose (nested container builds); remove it, "
        "or run the pod in a user namespace with `hostUsers: false`.",
        peers="Pod Security Standards baseline control `procMount` and restricted control "
        "`procMount_restricted` (\"/proc Mount Type\"); kube-linter unsafe-proc-mount; trivy KSV027.",
    ),
    checks={Format.KUBERNETES: check_kubernetes, Format.COMPOSE: check_compose},
)
