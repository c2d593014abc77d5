"""HG502 writable-root-filesystem: a container can write to its image's filesystem."""
from __future__ import annotations

from hullguard.compose import ComposeFile, Service
from hullguard.context import RuleContext
from hullguard.kubernetes import Container, KubernetesFile
from hullguard.model import Applicability, Fix, Format, Rule, RuleDocs, Severity
from hullguard.rules._compose import compose_true
from hullguard.rules._pod import is_windows
from hullguard.yamldoc import YamlScalar
from hullguard.yamledit import merge_into
from hullguard.yamlfile import bool_of, node_at, text_of

# The booleans compose accepts (after interpolation a value is a string, so strings count too).


def check_kubernetes(manifest: KubernetesFile, context: RuleContext):
    for obj in manifest.workloads:
        pod = obj.pod
        if pod.spec is None or is_windows(pod):
            continue  # Windows pods cannot set readOnlyRootFilesystem
        for container in pod.containers:
            node = node_at(container.security_context(), "readOnlyRootFilesystem")
            if bool_of(node) is True:
                continue
            span = node.span if isinstance(node, YamlScalar) and not node.is_null else container.anchor
            message = f"{container.label} has a writable root filesystem (securityContext.readOnlyRootFilesystem is not true)"
            yield RULE.finding(span, message, _kubernetes_fix(manifest, container))


def _kubernetes_fix(manifest: KubernetesFile, container: Container) -> list[Fix]:
    edits = merge_into(manifest.source, container.mapping, {"securityContext": {"readOnlyRootFilesystem": True}})
    return [Fix("Set securityContext.readOnlyRootFilesystem: true", Applicability.UNSAFE, tuple(edits))] if edits else []


def check_compose(compose: ComposeFile, context: RuleContext):
    for service in compose.services:
        mapping = service.mapping
        if mapping is not None and mapping.get("extends") is not None:
            continue  # read_only may come from the extended service, which may be in another file
        node = node_at(mapping, "read_only")
        value = text_of(node)
        if value is not None and ("$" in value or compose_true(node)):
            continue  # read-only, or set by a variable this rule cannot see
        span = node.span if value is not None else service.anchor
        message = f"{service.label} has a writable root filesystem (read_only is not true)"
        yield RULE.finding(span, message, _compose_fix(compose, service))


def _compose_fix(compose: ComposeFile, service: Service) -> list[Fix]:
    edits = merge_into(compose.source, service.mapping, {"read_only": True}) if service.mapping is not None else None
    return [Fix("Set read_only: true", Applicability.UNSAFE, tuple(edits))] if edits else []


RULE = Rule(
    code="HG502",
    name="writable-root-filesystem",
    severity=Severity.WARNING,
    summary="Container's root filesystem is writable",
    docs=RuleDocs(
        what="Checks that containers run with a read-only root filesystem. In Kubernetes "
        "manifests: `securityContext.readOnlyRootFilesystem: true` on every container, init "
        "container and ephemeral container (a container-only field: the pod's securityContext "
        "has none). Pods with `spec.os.name: windows` are skipped, since Windows does not support "
        "the field. In compose files: `read_only: true` on every service (`yes`/`on` and quoted "
        "forms too, as compose reads them; a `${VAR}` value is trusted); a service that "
        "`extends` another is skipped. The finding points at a value that is not true, else at "
        "the container's or service's name.\n\nNot a Pod Security Standards control.",
        why="With a writable root filesystem, an attacker who gets code execution can drop tools "
        "and payloads, replace the application's own binaries and scripts, or plant persistence "
        "that survives until the container is recreated. A read-only root makes the image the "
        "only code the container runs; the paths the application must write (`/tmp`, caches) "
        "become explicit volumes.",
        example="```yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n"
        "    - name: app   # HG502\n      image: nginx:1.27\n```\nFixed:\n```yaml\napiVersion: v1\n"
        "kind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: app\n      image: nginx:1.27\n"
        "      securityContext:\n        readOnlyRootFilesystem: true\n      volumeMounts:\n"
        "        - {name: tmp, mountPath: /tmp}\n        - {name: cache, mountPath: /var/cache/nginx}\n"
        "  volumes:\n    - {name: tmp, emptyDir: {}}\n    - {name: cache, emptyDir: {}}\n```\n"
        "Compose:\n```yaml\nservices:\n  web:   # HG502\n    image: nginx:1.27\n```\nFixed:\n"
        "```yaml\nservices:\n  web:\n    image: nginx:1.27\n    read_only: true\n    tmpfs:\n"
        "      - /tmp\n      - /var/cache/nginx\n```",
        fix="Unsafe: sets `readOnlyRootFilesystem: true` in the container's `securityContext` "
        "(creating it if needed) or `read_only: true` in the service. A program that writes "
        "outside its mounted volumes (temporary files, PID files, caches) then fails: add an "
        "`emptyDir` volume or a compose `tmpfs` entry for each such path.",
        peers="kube-linter no-read-only-root-fs; checkov CKV_K8S_22; trivy KSV014. Not a Pod "
        "Security Standards control.",
    ),
    checks={Format.KUBERNETES: check_kubernetes, Format.COMPOSE: check_compose},
    fix=Applicability.UNSAFE,
)
