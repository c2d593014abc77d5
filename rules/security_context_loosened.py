"""HG511 security-context-loosened: a change moves a hardening setting of a container away
from its hardened value (``check --since`` only): Kubernetes securityContext fields, and
their compose counterparts."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from hullguard.compose import ComposeFile, Service
from hullguard.context import RuleContext
from hullguard.kubernetes import Container, KubernetesFile, PodTemplate
from hullguard.model import Format, Rule, RuleDocs, Severity
from hullguard.rules._pod import effective
from hullguard.rules._previous import paired_containers, paired_services, previous
from hullguard.rules._security_opt import SecurityOpt, security_opts
from hullguard.rules.privilege_escalation import GO_TRUE, NO_NEW_PRIVILEGES
from hullguard.text import Span
from hullguard.yamldoc import YamlMapping, YamlNode, YamlScalar, YamlSequence
from hullguard.yamlfile import bool_of, items, node_at, text_of

CONFINED_PROFILES = ("RuntimeDefault", "Localhost")
UNCONFINED_OPTIONS = {("seccomp", "unconfined"), ("apparmor", "unconfined"), ("label", "disable"), ("systempaths", "unconfined")}


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str
    span: Span

    def __str__(self) -> str:
        return f"{self.field} from {self.old} to {self.new}"


def _shown(node: YamlNode | None) -> str:
    if node is None or (isinstance(node, YamlScalar) and node.is_null):
        return "unset"
    if isinstance(node, YamlSequence):
        return "[" + ", ".join(text_of(item) or "?" for item in node.items) + "]"
    if isinstance(node, YamlMapping):
        return "{…}"
    return node.value


def _names(node: YamlNode | None) -> list[tuple[str, YamlNode]]:
    """The strings of a sequence (capabilities), upper-cased as Docker and Kubernetes read
    them for comparison, with their nodes."""
    return [(text.upper(), item) for item in items(node) if (text := text_of(item)) is not None]


def _report(label: str, what: str, changes: list[Change]):
    if changes:
        yield RULE.finding(changes[0].span, f"{label} loosened {what}: " + "; ".join(map(str, changes)))


# --- Kubernetes --------------------------------------------------------------------------------

Lookup = Callable[[PodTemplate, Container], YamlNode | None]


def _setting(key: str, *inner: str) -> Lookup:
    """The value in force of ``securityContext.<key>[.<inner>…]`` (inherited from the pod for
    the keys that are)."""
    return lambda pod, container: node_at(effective(pod, container, key).node, *inner) if inner else effective(pod, container, key).node


# (field, how to read it, whether a value is hardened)
KUBERNETES_FIELDS: tuple[tuple[str, Lookup, Callable[[YamlNode | None], bool]], ...] = (
    ("privileged", _setting("privileged"), lambda node: bool_of(node) is not True),
    ("allowPrivilegeEscalation", _setting("allowPrivilegeEscalation"), lambda node: bool_of(node) is False),
    ("readOnlyRootFilesystem", _setting("readOnlyRootFilesystem"), lambda node: bool_of(node) is True),
    ("runAsNonRoot", _setting("runAsNonRoot"), lambda node: bool_of(node) is True),
    ("procMount", _setting("procMount"), lambda node: text_of(node) in (None, "Default")),
    ("seccompProfile.type", _setting("seccompProfile", "type"), lambda node: text_of(node) in CONFINED_PROFILES),
    ("appArmorProfile.type", _setting("appArmorProfile", "type"), lambda node: text_of(node) in CONFINED_PROFILES),
    ("capabilities.drop", _setting("capabilities", "drop"), lambda node: "ALL" in {name for name, _ in _names(node)}),
)


def check_kubernetes(manifest: KubernetesFile, context: RuleContext):
    old = previous(context, KubernetesFile)
    if old is None:
        return
    for obj, container, old_obj, old_container in paired_containers(manifest, old):
        changes = []
        for field, lookup, hardened in KUBERNETES_FIELDS:
            was, now = lookup(old_obj.pod, old_container), lookup(obj.pod, container)
            if hardened(was) and not hardened(now):
                changes.append(Change(field, _shown(was), _shown(now), now.span if now is not None else container.anchor))
        added = _setting("capabilities", "add")
        changes.extend(_gained("capabilities.add", added(old_obj.pod, old_container), added(obj.pod, container)))
        yield from _report(container.label, "its securityContext", changes)


def _gained(field: str, was: YamlNode | None, now: YamlNode | None) -> list[Change]:
    """A capability list that gained names."""
    before = {name for name, _ in _names(was)}
    new = [node for name, node in _names(now) if name not in before]
    return [Change(field, _shown(was), _shown(now), new[0].span)] if new else []


# --- compose -------------------------------------------------------------------------------


COMPOSE_FIELDS: tuple[tuple[str, Callable[[YamlNode | None], bool]], ...] = (
    ("privileged", lambda node: bool_of(node) is not True),
    ("read_only", lambda node: bool_of(node) is True),
    ("cap_drop", lambda node: "ALL" in {name for name, _ in _names(node)}),
)


def _no_new_privileges(options: list[SecurityOpt]) -> bool:
    """Whether the no-new-privileges option in force (the last) is on."""
    setting = next((option for option in reversed(options) if option.key == NO_NEW_PRIVILEGES), None)
    return setting is not None and (setting.value is None or setting.value in GO_TRUE)


def _unconfined(options: list[SecurityOpt]) -> list[SecurityOpt]:
    return [option for option in options if (option.key, (option.value or "").lower()) in UNCONFINED_OPTIONS]


def _security_opt_change(service: Service, old_service: Service) -> list[Change]:
    was, now = security_opts(old_service), security_opts(service)
    before = {(option.key, (option.value or "").lower()) for option in _unconfined(was)}
    gained = [option for option in _unconfined(now) if (option.key, (option.value or "").lower()) not in before]
    dropped = _no_new_privileges(was) and not _no_new_privileges(now)
    if not gained and not dropped:
        return []
    span = gained[0].node.span if gained else next((o.node.span for o in reversed(now) if o.key == NO_NEW_PRIVILEGES), service.anchor)
    return [Change("security_opt", _options_shown(was), _options_shown(now), span)]


def _options_shown(options: list[SecurityOpt]) -> str:
    return "[" + ", ".join(option.text for option in options) + "]"


def check_compose(compose: ComposeFile, context: RuleContext):
    old = previous(context, ComposeFile)
    if old is None:
        return
    for service, old_service in paired_services(compose, old):
        if service.mapping is None or old_service.mapping is None:
            continue
        changes = []
        for field, hardened in COMPOSE_FIELDS:
            was, now = old_service.mapping.get(field), service.mapping.get(field)
            if hardened(was) and not hardened(now):
                changes.append(Change(field, _shown(was), _shown(now), now.span if now is not None else service.anchor))
        changes.extend(_gained("cap_add", old_service.mapping.get("cap_add"), service.mapping.get("cap_add")))
        changes.extend(_security_opt_change(service, old_service))
        yield from _report(service.label, "its security settings", changes)


RULE = Rule(
    code="HG511",
    name="security-context-loosened",
    severity=Severity.WARNING,
    summary="Change moves a container's hardening setting away from its hardened value (--since only)",
    docs=RuleDocs(
        what="A regression rule: it runs only under `hullguard check --since REF` and compares "
        "each container's hardening settings with the same container's at `REF` (a compose "
        "service by name; a Kubernetes container by its object's kind, namespace and name and "
        "its own name). It fires when a setting that had its hardened value no longer has it, "
        "once per container, listing every such setting with its old and new value:\n\n"
        "- **Kubernetes** (the value in force: the container's own, else the pod's for "
        "`runAsNonRoot`, `seccompProfile` and `appArmorProfile`): `privileged` no longer "
        "false or unset; `allowPrivilegeEscalation` no longer false; `readOnlyRootFilesystem` "
        "or `runAsNonRoot` no longer true; `procMount` no longer `Default`; `seccompProfile` or "
        "`appArmorProfile` type no longer `RuntimeDefault` or `Localhost`; `capabilities.drop` "
        "no longer holding `ALL`; `capabilities.add` gaining a capability.\n"
        "- **Compose**: `privileged` no longer false or unset; `read_only` no longer true; "
        "`cap_drop` no longer holding `ALL`; `cap_add` gaining a capability; `security_opt` "
        "losing `no-new-privileges:true` or gaining `seccomp:unconfined`, "
        "`apparmor:unconfined`, `label:disable` or `systempaths=unconfined`.\n\n"
        "Dockerfiles have no such settings (the user is HG111's). A setting that was never "
        "hardened is not reported here; the single-file rules (HG102-HG105, HG502-HG507) "
        "report it.",
        why="Hardening settings tend to be loosened one at a time to make something work: a "
        "tool that needs to write to `/`, a debugger that needs `SYS_PTRACE`. Each such change "
        "is small in a diff and silently widens what an attacker inside the container can do. "
        "Reporting it when it happens puts the trade-off in front of the reviewer.",
        example="At `REF`:\n```yaml\n      containers:\n        - name: app\n"
        "          securityContext:\n            allowPrivilegeEscalation: false\n"
        "            readOnlyRootFilesystem: true\n```\nNow (`hullguard check --since REF`):\n"
        "```yaml\n      containers:\n        - name: app   # HG511: readOnlyRootFilesystem from true to unset\n"
        "          securityContext:\n            allowPrivilegeEscalation: true   # HG511\n```\n"
        "Compose, at `REF` `read_only: true` and `cap_drop: [ALL]`, now:\n```yaml\nservices:\n"
        "  web:\n    image: example/web:1.0\n    read_only: false   # HG511\n    cap_drop: [ALL]\n"
        "    cap_add: [SYS_PTRACE]\n```\nFixed: restore the hardened value and give the "
        "workload what it needs in a narrower way (a writable `emptyDir`/`tmpfs` for the one "
        "path it writes).",
        fix="None automatic: the change was presumably made for a reason; the single-file "
        "rules offer fixes for the settings themselves.",
        peers="No peer compares with an earlier version. The settings themselves: HG102 "
        "(privileged), HG103 (allowPrivilegeEscalation), HG104/HG105 (capabilities), HG502 "
        "(readOnlyRootFilesystem), HG503/HG504 (seccomp, AppArmor), HG507 (procMount); Pod "
        "Security Standards baseline and restricted controls.",
    ),
    checks={Format.COMPOSE: check_compose, Format.KUBERNETES: check_kubernetes},
    needs_previous=True,
)
