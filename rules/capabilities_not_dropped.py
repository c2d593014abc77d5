"""HG104 capabilities-not-dropped: the container keeps the runtime's default capabilities
(Pod Security Standards restricted control ``capabilities_restricted``, its ``drop`` half;
compose ``cap_drop: [ALL]``)."""
from __future__ import annotations

from hullguard.compose import ComposeFile, Service
from hullguard.context import RuleContext
from hullguard.kubernetes import Container, KubernetesFile, PodTemplate
from hullguard.model import Applicability, Fix, Format, Rule, RuleDocs, Severity
from hullguard.rules._harden import with_harden_fix
from hullguard.rules._pod import exempt_as_windows, is_windows
from hullguard.yamldoc import YamlMapping, YamlScalar
from hullguard.yamledit import merge_into
from hullguard.yamlfile import items, node_at, text_of

ALL = "ALL"


def check_kubernetes(manifest: KubernetesFile, context: RuleContext):
    """Restricted from v1.22: every container's capabilities.drop contains ALL (exactly: the
    names are case-sensitive); from v1.25 pods with spec.os.name: windows are exempt."""
    if not (context.restricted and context.pss_at_least(1, 22)):
        return
    for obj in manifest.workloads:
        pod = obj.pod
        if pod.spec is None or exempt_as_windows(pod, context):
            continue
        for container in pod.containers:
            capabilities = node_at(container.security_context(), "capabilities")
            pair = capabilities.get_pair("drop") if isinstance(capabilities, YamlMapping) else None
            drop = [text_of(item) for item in items(pair[1])] if pair is not None else []
            if ALL in drop:
                continue
            message = f"{container.label} does not drop all capabilities (capabilities.drop lacks ALL)"
            lower = next((item for item in items(pair[1]) if (text_of(item) or "").upper() == ALL), None) if pair else None
            if lower is not None:
                span, message = lower.span, f"{container.label} does not drop all capabilities (capabilities.drop has '{text_of(lower)}'; the name is case-sensitive: ALL)"
            elif pair is not None and not (isinstance(pair[1], YamlScalar) and pair[1].is_null):
                span = pair[0].span  # a drop list without ALL
            else:
                span = container.anchor
            yield RULE.finding(span, message, _kubernetes_fixes(manifest, pod, container))


def _kubernetes_fixes(manifest: KubernetesFile, pod: PodTemplate, container: Container) -> list[Fix]:
    if is_windows(pod):
        return []  # the API server forbids capabilities in Windows pods
    edits = merge_into(manifest.source, container.mapping, {"securityContext": {"capabilities": {"drop": [ALL]}}})
    fixes = [Fix("Drop ALL capabilities (securityContext.capabilities.drop)", Applicability.UNSAFE, tuple(edits))] if edits else []
    return with_harden_fix(fixes, manifest.source, pod, container)


def check_compose(compose: ComposeFile, context: RuleContext):
    for service in compose.services:
        mapping = service.mapping
        if mapping is None:
            continue
        pair = mapping.get_pair("cap_drop")
        values = [text_of(item) for item in items(pair[1])] if pair is not None else []
        # docker upper-cases capability names, so `all` drops all too
        if any(value is not None and ("$" in value or value.upper() == ALL) for value in values):
            continue  # dropped, or a variable this rule cannot see
        if pair is None or (isinstance(pair[1], YamlScalar) and pair[1].is_null):
            if mapping.get("extends") is not None:
                continue  # cap_drop may come from the extended service
            span = service.anchor
        else:
            span = pair[0].span
        message = f"{service.label} does not drop all capabilities (cap_drop lacks ALL)"
        yield RULE.finding(span, message, _compose_fixes(compose, service))


def _compose_fixes(compose: ComposeFile, service: Service) -> list[Fix]:
    edits = merge_into(compose.source, service.mapping, {"cap_drop": [ALL]})
    return [Fix("Drop ALL capabilities (cap_drop)", Applicability.UNSAFE, tuple(edits))] if edits else []


RULE = Rule(
    code="HG104",
    name="capabilities-not-dropped",
    severity=Severity.WARNING,
    summary="Container does not drop all capabilities",
    docs=RuleDocs(
        what="Checks that containers drop every Linux capability, so that they run with only the "
        "ones they add back.\n\n"
        "In Kubernetes manifests it is the `drop` half of the Pod Security Standards restricted "
        "control `capabilities_restricted` (silent at `pss-level = baseline`, and before v1.22): "
        "every container, init container and ephemeral container must list `ALL` in "
        "`securityContext.capabilities.drop`, spelled exactly so (`all` does not count for "
        "admission). Other entries beside it are fine; an `add` list is HG105's concern. From "
        "v1.25, pods with `spec.os.name: windows` are exempt. The finding points at a "
        "lower-case `all`, else at the `drop` key, else at the container's name.\n\n"
        "In compose files: `cap_drop` must contain `ALL` (any case: Docker upper-cases "
        "capability names). A service that `extends` another is not reported when `cap_drop` is "
        "missing, and neither is a list holding a `${VAR}`.\n\n"
        "Dockerfiles have no such setting.",
        why="Docker and containerd give every container a default set of capabilities: "
        "`NET_RAW` (forged packets, ARP spoofing on the node's network), `CHOWN`, `DAC_OVERRIDE`, "
        "`FOWNER`, `SETUID`/`SETGID`, `MKNOD`, `SYS_CHROOT` and more. Few applications need any of "
        "them; each is kernel attack surface and a step an attacker can use after getting code "
        "execution. Dropping all and adding back the one or two needed (typically "
        "`NET_BIND_SERVICE`) is least privilege.",
        example="```yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n"
        "    - name: app\n      image: nginx:1.27\n      securityContext:\n        capabilities:\n"
        "          drop: [NET_RAW]   # HG104: not ALL\n          add: [NET_BIND_SERVICE]\n```\nFixed:\n"
        "```yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n"
        "    - name: app\n      image: nginx:1.27\n      securityContext:\n        capabilities:\n"
        "          drop: [NET_RAW, ALL]\n          add: [NET_BIND_SERVICE]\n```\n"
        "Compose:\n```yaml\nservices:\n  web:   # HG104\n    image: nginx:1.27\n```\nFixed:\n"
        "```yaml\nservices:\n  web:\n    image: nginx:1.27\n    cap_drop: [ALL]\n    cap_add: [NET_BIND_SERVICE, CHOWN, SETUID, SETGID]\n```",
        fix="Unsafe: a program that uses one of the default capabilities (binding a port below "
        "1024 as root, `chown`, switching user, raw sockets for `ping`) fails until it is added "
        "back with `capabilities.add` / `cap_add`. Kubernetes: adds `ALL` to "
        "`securityContext.capabilities.drop`, creating what is missing and keeping an `add` list "
        "(not offered for Windows pods, where capabilities are forbidden); a second fix, "
        "\"Harden container … to Pod Security Standards restricted\", merges all the restricted "
        "container settings at once (see HG101). Compose: adds `ALL` to `cap_drop`, or adds "
        "`cap_drop: [ALL]`.",
        peers="Pod Security Standards restricted control `capabilities_restricted` "
        "(\"Capabilities\", v1.22+; its `add` half is HG105); trivy KSV003.",
    ),
    checks={Format.KUBERNETES: check_kubernetes, Format.COMPOSE: check_compose},
    fix=Applicability.UNSAFE,
)
