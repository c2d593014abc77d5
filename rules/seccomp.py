"""HG503 seccomp: a container runs without a seccomp filter (Pod Security Standards seccomp
controls; compose ``security_opt: seccomp:unconfined``)."""
from __future__ import annotations

from hullguard.compose import ComposeFile
from hullguard.context import RuleContext
from hullguard.kubernetes import Container, KubeObject, KubernetesFile
from hullguard.model import Applicability, Fix, Format, Rule, RuleDocs, Severity
from hullguard.rules._harden import with_harden_fix
from hullguard.rules._pod import exempt_as_windows
from hullguard.rules._profiles import profile_of
from hullguard.rules._security_opt import security_opts
from hullguard.yamldoc import YamlScalar
from hullguard.yamledit import merge_into
from hullguard.yamlfile import mapping_at, text_of

POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod"
CONTAINER_ANNOTATION = "container.seccomp.security.alpha.kubernetes.io/"
RUNTIME_DEFAULT = {"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}}


def check_kubernetes(manifest: KubernetesFile, context: RuleContext):
    for obj in manifest.workloads:
        if obj.pod.spec is None:
            continue
        if context.restricted and context.pss_at_least(1, 19):
            yield from _restricted(manifest, obj, context)  # replaces the baseline check
        elif context.pss_at_least(1, 19):
            yield from _baseline_fields(obj)
        else:
            yield from _baseline_annotations(obj)


def _baseline_fields(obj: KubeObject):
    """Baseline from v1.19: a profile that is set, at either level, is RuntimeDefault or Localhost."""
    pod = obj.pod
    profile = profile_of(pod.security_context(), "seccompProfile")
    if profile is not None and not profile.allowed:
        yield RULE.finding(profile.span, f"pod securityContext of {obj.label} {profile.problem('seccomp')}")
    for container in pod.containers:
        profile = profile_of(container.security_context(), "seccompProfile")
        if profile is not None and not profile.allowed:
            yield RULE.finding(profile.span, f"{container.label} {profile.problem('seccomp')}")


def _restricted(manifest: KubernetesFile, obj: KubeObject, context: RuleContext):
    """Restricted from v1.19: every container ends up with RuntimeDefault or Localhost, its own
    or the pod's; from v1.25 Windows pods (spec.os.name: windows) are exempt."""
    pod = obj.pod
    if exempt_as_windows(pod, context):
        return
    pod_profile = profile_of(pod.security_context(), "seccompProfile")
    if pod_profile is not None and not pod_profile.allowed:
        # The containers without a profile of their own inherit this one: reported here once.
        yield RULE.finding(pod_profile.span, f"pod securityContext of {obj.label} {pod_profile.problem('seccomp')}")
    for container in pod.containers:
        profile = profile_of(container.security_context(), "seccompProfile")
        if profile is not None:
            if not profile.allowed:
                yield RULE.finding(profile.span, f"{container.label} {profile.problem('seccomp')}")
        elif pod_profile is None:
            message = f"{container.label} runs without a seccomp profile: neither it nor the pod sets seccompProfile.type (RuntimeDefault or Localhost)"
            yield RULE.finding(container.anchor, message, _runtime_default(manifest, obj, container))


def _runtime_default(manifest: KubernetesFile, obj: KubeObject, container: Container) -> list[Fix]:
    """RuntimeDefault in the pod's securityContext (it covers every container), or in the
    container's when the pod's cannot be edited; then the "harden this container" fix."""
    edits = merge_into(manifest.source, obj.pod.spec, RUNTIME_DEFAULT)
    where = "the pod's securityContext"
    if not edits:
        edits = merge_into(manifest.source, container.mapping, RUNTIME_DEFAULT)
        where = f"the securityContext of {container.label}"
    fixes = [Fix(f"Set seccompProfile.type: RuntimeDefault in {where}", Applicability.UNSAFE, tuple(edits))] if edits else []
    return with_harden_fix(fixes, manifest.source, obj.pod, container)


def _baseline_annotations(obj: KubeObject):
    """Baseline before v1.19: the alpha annotations, for the pod and for each container by name."""
    annotations = mapping_at(obj.pod.metadata, "annotations")
    if annotations is None:
        return
    keys = [POD_ANNOTATION] + [CONTAINER_ANNOTATION + container.name for container in obj.pod.containers if container.name]
    for key in dict.fromkeys(keys):
        pair = annotations.get_pair(key)
        if pair is None:
            continue
        key_node, value_node = pair
        value = text_of(value_node) or ""
        if value in ("runtime/default", "docker/default") or value.startswith("localhost/"):
            continue
        written = isinstance(value_node, YamlScalar) and value_node.span.start != value_node.span.end
        span = value_node.span if written else key_node.span
        problem = "disables seccomp" if value == "unconfined" else f"is '{value}'" if value else "is empty"
        yield RULE.finding(span, f"annotation {key} of {obj.label} {problem} (allowed: runtime/default, docker/default, localhost/<profile>)")


def check_compose(compose: ComposeFile, context: RuleContext):
    for service in compose.services:
        for option in security_opts(service):
            if option.key == "seccomp" and option.value == "unconfined":
                yield RULE.finding(option.value_span(), f"{service.label} runs without seccomp (security_opt {option.text})")


RULE = Rule(
    code="HG503",
    name="seccomp",
    severity=Severity.ERROR,
    summary="Container runs without a seccomp filter",
    docs=RuleDocs(
        what="Checks the seccomp profile containers run with, as the Pod Security Standards "
        "seccomp controls do at the configured `pss-level` and `pss-version` (containers, init "
        "containers and ephemeral containers alike).\n\n"
        "- **Baseline** (v1.19 and later): a `seccompProfile` that is set, in the pod's or a "
        "container's `securityContext`, must have the type `RuntimeDefault` or `Localhost`; "
        "`Unconfined`, any other type and a profile without a type are reported. Before v1.19 the "
        "fields are ignored and the alpha annotations are checked instead: "
        "`seccomp.security.alpha.kubernetes.io/pod` and "
        "`container.seccomp.security.alpha.kubernetes.io/<container>` (for the pod's own "
        "containers only) must be `runtime/default`, `docker/default` or `localhost/<profile>`; "
        "an empty value is reported too.\n"
        "- **Restricted** (v1.19 and later, replacing the baseline check): every container must end "
        "up with `RuntimeDefault` or `Localhost`, its own or inherited from the pod. A container "
        "that sets none while the pod sets none is reported (\"runs without a seccomp profile\"); "
        "an explicit bad value is reported where it is written, and a bad pod-level value once, "
        "not again for each container that inherits it. From v1.25, pods with `spec.os.name: "
        "windows` are exempt, even from an explicit `Unconfined`, exactly as the admission "
        "controller does. At restricted before v1.19 the baseline annotation check applies.\n\n"
        "In compose files it reports `security_opt: [seccomp:unconfined]` (or "
        "`seccomp=unconfined`). A compose service with no seccomp option runs with Docker's "
        "default profile, which is fine.",
        why="seccomp filters the system calls a container may make. Docker and containerd's "
        "default profile blocks the calls most kernel exploits and container escapes rely on "
        "(`unshare`, `keyctl`, `bpf`, `mount`, ...). Kubernetes, unlike Docker, runs pods "
        "*Unconfined* unless a profile is set (or the kubelet's `SeccompDefault` is enabled), so "
        "a pod without `RuntimeDefault` has the whole kernel's system-call surface in reach.",
        example="```yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n"
        "    - name: app   # HG503 at restricted: no seccomp profile\n      image: nginx:1.27\n"
        "    - name: debug\n      image: busybox:1.36\n      securityContext:\n        seccompProfile:\n"
        "          type: Unconfined   # HG503 at baseline and restricted\n```\nFixed:\n"
        "```yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  securityContext:\n"
        "    seccompProfile:\n      type: RuntimeDefault\n  containers:\n    - name: app\n      image: nginx:1.27\n"
        "    - name: debug\n      image: busybox:1.36\n```\n"
        "Compose:\n```yaml\nservices:\n  web:\n    image: nginx:1.27\n    security_opt:\n"
        "      - seccomp:unconfined   # HG503\n```\nFixed: remove the option (Docker's default "
        "profile applies), or name a profile file: `seccomp=./profile.json`.",
        fix="Unsafe, offered only when no profile is set at all (the restricted level's \"runs "
        "without a seccomp profile\"): adds `seccompProfile: {type: RuntimeDefault}` to the pod's "
        "`securityContext`, which covers every container that sets no profile of its own (to the "
        "container's `securityContext` when the pod's cannot be edited safely); a second fix "
        "hardens the container to the whole restricted level at once (`runAsNonRoot`, "
        "`allowPrivilegeEscalation: false`, `capabilities.drop: [ALL]`, RuntimeDefault), when "
        "that would leave a pod that can start. A program that "
        "needs a system call the default profile blocks will then fail with EPERM. An explicit "
        "`Unconfined` is a deliberate choice and is left for you to change (to `RuntimeDefault` "
        "or a `Localhost` profile).",
        peers="Pod Security Standards baseline control `seccompProfile_baseline` and restricted "
        "control `seccompProfile_restricted` (\"Seccomp\"); checkov CKV_K8S_31; trivy KSV030.",
    ),
    checks={Format.KUBERNETES: check_kubernetes, Format.COMPOSE: check_compose},
    fix=Applicability.UNSAFE,
)
