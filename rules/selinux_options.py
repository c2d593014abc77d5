"""HG505 selinux-options: a custom SELinux type, user or role (Pod Security Standards baseline
control seLinuxOptions; compose ``security_opt: label:disable`` and custom labels)."""
from __future__ import annotations

from hullguard.compose import ComposeFile
from hullguard.context import RuleContext
from hullguard.kubernetes import KubernetesFile
from hullguard.model import Format, Rule, RuleDocs, Severity
from hullguard.rules._security_opt import security_opts
from hullguard.yamldoc import YamlMapping
from hullguard.yamlfile import mapping_at, text_of

TYPES = ("container_t", "container_init_t", "container_kvm_t")
TYPES_1_31 = TYPES + ("container_engine_t",)  # added in PSS v1.31


def check_kubernetes(manifest: KubernetesFile, context: RuleContext):
    types = TYPES_1_31 if context.pss_at_least(1, 31) else TYPES
    for obj in manifest.workloads:
        pod = obj.pod
        if pod.spec is None:
            continue
        setters = [(f"pod securityContext of {obj.label}", pod.security_context())]
        setters += [(container.label, container.security_context()) for container in pod.containers]
        for who, security_context in setters:
            options = mapping_at(security_context, "seLinuxOptions")
            if options is not None:
                yield from _check_options(who, options, types)


def _check_options(who: str, options: YamlMapping, types: tuple[str, ...]):
    """One finding per setter, at its first bad value, naming every problem."""
    problems = []
    spans = []
    for field in ("type", "user", "role"):
        node = options.get(field)
        value = text_of(node)
        if not value or field == "type" and value in types:
            continue
        problems.append(f"{field} {value} ({_hint(field, types)})")
        spans.append(node.span)
    if problems:
        yield RULE.finding(spans[0], f"{who} sets SELinux {', '.join(problems)}")


def _hint(field: str, types: tuple[str, ...]) -> str:
    return f"allowed: {', '.join(types)}" if field == "type" else "must not be set"


def check_compose(compose: ComposeFile, context: RuleContext):
    types = TYPES_1_31  # compose has no policy version: the latest list
    for service in compose.services:
        for option in security_opts(service):
            if option.key != "label" or option.value is None:
                continue
            if option.value == "disable":
                yield RULE.finding(option.value_span(), f"{service.label} turns SELinux separation off (security_opt {option.text})")
                continue
            field, _, value = option.value.partition(":")
            if value and (field in ("user", "role") or field == "type" and value not in types):
                start = len(field) + 1
                message = f"{service.label} sets SELinux {field} {value} ({_hint(field, types)}; security_opt {option.text})"
                yield RULE.finding(option.value_span(start), message)


RULE = Rule(
    code="HG505",
    name="selinux-options",
    severity=Severity.ERROR,
    summary="Custom SELinux type, user or role",
    docs=RuleDocs(
        what="Checks `seLinuxOptions` as the Pod Security Standards baseline control does, at both "
        "levels, in the pod's and each container's `securityContext` (containers, init containers "
        "and ephemeral containers), each level on its own: `type` must be unset, empty or one of "
        "`container_t`, `container_init_t`, `container_kvm_t`, and from `pss-version` v1.31 also "
        "`container_engine_t`; `user` and `role` must be unset or empty; `level` (the MCS "
        "categories) is free. One finding per pod or container, at its first bad value, naming "
        "every problem.\n\n"
        "In compose files it reports `security_opt` entries `label:disable` / `label=disable` "
        "(SELinux separation off), `label=user:…` and `label=role:…`, and `label=type:…` with a "
        "type outside the list above (v1.31's, compose has no policy version); `label=level:…` "
        "is fine.",
        why="On SELinux hosts (RHEL, Fedora, CentOS Stream, OpenShift) the container type "
        "`container_t` is what keeps a process that escapes its namespaces away from the host's "
        "files and other containers. A type such as `spc_t` (\"super privileged container\") or "
        "`unconfined_t`, a custom user or role, or `label:disable` lifts that confinement.",
        example="```yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: agent\nspec:\n  securityContext:\n"
        "    seLinuxOptions:\n      type: spc_t   # HG505\n  containers:\n    - name: agent\n"
        "      image: example/agent:1.0\n      securityContext:\n        seLinuxOptions:\n"
        "          user: system_u   # HG505\n```\nFixed:\n```yaml\napiVersion: v1\nkind: Pod\nmetadata:\n"
        "  name: agent\nspec:\n  securityContext:\n    seLinuxOptions:\n      level: \"s0:c123,c456\"\n"
        "  containers:\n    - name: agent\n      image: example/agent:1.0\n```\n"
        "Compose:\n```yaml\nservices:\n  agent:\n    image: example/agent:1.0\n    security_opt:\n"
        "      - label:disable   # HG505\n```\nFixed: remove the option, or relabel the volumes the "
        "service needs with `:z`/`:Z`.",
        fix="None: the workload's SELinux needs decide; usually the custom label can simply be "
        "removed, or volumes relabelled instead.",
        peers="Pod Security Standards baseline control `seLinuxOptions` (\"SELinux\"); trivy KSV025.",
    ),
    checks={Format.KUBERNETES: check_kubernetes, Format.COMPOSE: check_compose},
)
