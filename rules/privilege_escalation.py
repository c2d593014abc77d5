"""HG103 privilege-escalation: a process in the container can gain privileges through setuid
binaries or file capabilities (Pod Security Standards restricted control
``allowPrivilegeEscalation``; compose ``security_opt: [no-new-privileges:true]``)."""
from __future__ import annotations

from hullguard.compose import ComposeFile, Service
from hullguard.context import RuleContext
from hullguard.kubernetes import Container, KubernetesFile, PodTemplate
from hullguard.model import Applicability, Fix, Format, Rule, RuleDocs, Severity
from hullguard.rules._harden import escalation_required, with_harden_fix
from hullguard.rules._pod import exempt_as_windows, is_windows
from hullguard.rules._security_opt import SecurityOpt, security_opts
from hullguard.yamldoc import YamlScalar
from hullguard.yamledit import merge_into, replace_scalar
from hullguard.yamlfile import bool_of, node_at

NO_NEW_PRIVILEGES = "no-new-privileges"
WANTED_OPTION = "no-new-privileges:true"
# Go's strconv.ParseBool, which the Docker daemon reads the option's value with.
GO_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
GO_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})


def check_kubernetes(manifest: KubernetesFile, context: RuleContext):
    """Restricted from v1.8: every container sets allowPrivilegeEscalation: false (a
    container-only field); from v1.25 pods with spec.os.name: windows are exempt."""
    if not (context.restricted and context.pss_at_least(1, 8)):
        return
    for obj in manifest.workloads:
        pod = obj.pod
        if pod.spec is None or exempt_as_windows(pod, context):
            continue
        for container in pod.containers:
            node = node_at(container.security_context(), "allowPrivilegeEscalation")
            value = bool_of(node)
            if value is False:
                continue
            if value is True:
                span, message = node.span, f"{container.label} allows privilege escalation (allowPrivilegeEscalation: true)"
            else:
                written = isinstance(node, YamlScalar) and not node.is_null  # a value that is not a boolean
                span = node.span if written else container.anchor
                message = f"{container.label} may escalate privileges (allowPrivilegeEscalation is not false)"
            yield RULE.finding(span, message, _kubernetes_fixes(manifest, pod, container))


def _kubernetes_fixes(manifest: KubernetesFile, pod: PodTemplate, container: Container) -> list[Fix]:
    """None where the API server would reject the result: a privileged container or one
    adding CAP_SYS_ADMIN, and Windows pods (the field is forbidden there)."""
    if escalation_required(container) or is_windows(pod):
        return []
    edits = merge_into(manifest.source, container.mapping, {"securityContext": {"allowPrivilegeEscalation": False}})
    fixes = [Fix("Set securityContext.allowPrivilegeEscalation: false", Applicability.UNSAFE, tuple(edits))] if edits else []
    return with_harden_fix(fixes, manifest.source, pod, container)


def check_compose(compose: ComposeFile, context: RuleContext):
    for service in compose.services:
        if service.mapping is None:
            continue
        options = security_opts(service)
        setting = _last_setting(options)
        if setting is not None:
            value = True if setting.value is None else True if setting.value in GO_TRUE else False if setting.value in GO_FALSE else None
            if value is False:
                yield RULE.finding(setting.value_span(), f"{service.label} allows privilege escalation (security_opt {setting.text})", _enable_fixes(setting))
            continue  # true; or a value docker refuses, which stops the container from being created
        if service.mapping.get("extends") is not None or any("$" in option.text for option in options):
            continue  # the option may come from the extended service or a variable
        message = f"{service.label} may gain privileges through setuid binaries (security_opt lacks {WANTED_OPTION})"
        yield RULE.finding(service.anchor, message, _add_fixes(compose, service))


def _last_setting(options: list[SecurityOpt]) -> SecurityOpt | None:
    """The no-new-privileges option in force: the daemon applies the options in order."""
    found = [option for option in options if option.key == NO_NEW_PRIVILEGES]
    return found[-1] if found else None


def _enable_fixes(option: SecurityOpt) -> list[Fix]:
    edit = replace_scalar(option.node, f"{option.key}{option.separator}true")
    return [Fix(f"Set {option.key}{option.separator}true", Applicability.UNSAFE, (edit,))] if edit is not None else []


def _add_fixes(compose: ComposeFile, service: Service) -> list[Fix]:
    edits = merge_into(compose.source, service.mapping, {"security_opt": [WANTED_OPTION]})
    return [Fix(f"Add {WANTED_OPTION} to security_opt", Applicability.UNSAFE, tuple(edits))] if edits else []


RULE = Rule(
    code="HG103",
    name="privilege-escalation",
    severity=Severity.WARNING,
    summary="Container allows privilege escalation",
    docs=RuleDocs(
        what="Checks that a container's processes cannot gain privileges their parent did not "
        "have (through setuid/setgid binaries or file capabilities), which Linux enforces with the "
        "`no_new_privs` flag.\n\n"
        "In Kubernetes manifests it is the Pod Security Standards restricted control "
        "`allowPrivilegeEscalation` (silent at `pss-level = baseline`, and before v1.8): every "
        "container, init container and ephemeral container must set "
        "`securityContext.allowPrivilegeEscalation: false` explicitly (there is no pod-level "
        "field, and unset counts as allowed). From v1.25, pods with `spec.os.name: windows` are "
        "exempt. The finding points at a `true` (or other value), else at the container's name.\n\n"
        "In compose files: a service's `security_opt` must hold `no-new-privileges:true` "
        "(`no-new-privileges`, `no-new-privileges=true` and the other spellings of true the "
        "Docker daemon accepts count too). An explicit `no-new-privileges:false` is reported at "
        "the `false`; a missing option at the service's name. A service that `extends` another, "
        "or whose `security_opt` holds a `${VAR}`, is not reported when the option is missing.\n\n"
        "Dockerfiles have no such setting.",
        why="With `no_new_privs` unset, an attacker who gets code execution as an unprivileged "
        "user can become root through any setuid-root program in the image (`su`, `sudo`, "
        "`passwd`, `mount`, a vulnerable custom binary) or a binary with file capabilities. "
        "Setting it closes that path without changing what the process itself may do.",
        example="```yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n"
        "    - name: app   # HG103\n      image: nginx:1.27\n```\nFixed:\n```yaml\napiVersion: v1\n"
        "kind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: app\n      image: nginx:1.27\n"
        "      securityContext:\n        allowPrivilegeEscalation: false\n```\n"
        "Compose:\n```yaml\nservices:\n  web:   # HG103\n    image: nginx:1.27\n```\nFixed:\n"
        "```yaml\nservices:\n  web:\n    image: nginx:1.27\n    security_opt:\n      - no-new-privileges:true\n```",
        fix="Unsafe, although most workloads are unaffected: a program that relies on a setuid "
        "binary or on file capabilities (`sudo` or `su` at run time, `ping` in older images, a "
        "process that gains `cap_net_bind_service` from its executable's file capabilities) "
        "stops working, and so may SELinux domain transitions. Kubernetes: sets "
        "`allowPrivilegeEscalation: false` in the container's `securityContext`. Not offered for a "
        "privileged container, one that adds `CAP_SYS_ADMIN` (the API server rejects both "
        "combinations) or a Windows pod (the field is forbidden there). A second fix, \"Harden "
        "container … to Pod Security Standards restricted\", merges all the restricted "
        "container settings at once (see HG101). Compose: appends `no-new-privileges:true` to "
        "`security_opt` (adding the list if needed), or turns an explicit `false` into `true`.",
        peers="Pod Security Standards restricted control `allowPrivilegeEscalation` (\"Privilege "
        "Escalation\"); kube-linter `privilege-escalation-container`; checkov CKV_K8S_20; trivy "
        "KSV001.",
    ),
    checks={Format.KUBERNETES: check_kubernetes, Format.COMPOSE: check_compose},
    fix=Applicability.UNSAFE,
)
