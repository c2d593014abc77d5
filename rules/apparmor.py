"""HG504 apparmor: a container runs without AppArmor confinement (Pod Security Standards
baseline control appArmorProfile; compose ``security_opt: apparmor:unconfined``)."""
from __future__ import annotations

from hullguard.compose import ComposeFile
from hullguard.context import RuleContext
from hullguard.kubernetes import KubernetesFile
from hullguard.model import Format, Rule, RuleDocs, Severity
from hullguard.rules._profiles import profile_of
from hullguard.rules._security_opt import security_opts
from hullguard.yamldoc import YamlScalar
from hullguard.yamlfile import mapping_at, text_of

ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/"


def check_kubernetes(manifest: KubernetesFile, context: RuleContext):
    for obj in manifest.workloads:
        pod = obj.pod
        if pod.spec is not None:
            profile = profile_of(pod.security_context(), "appArmorProfile")
            if profile is not None and not profile.allowed:
                yield RULE.finding(profile.span, f"pod securityContext of {obj.label} {profile.problem('AppArmor')}")
            for container in pod.containers:
                profile = profile_of(container.security_context(), "appArmorProfile")
                if profile is not None and not profile.allowed:
                    yield RULE.finding(profile.span, f"{container.label} {profile.problem('AppArmor')}")
        yield from _annotations(obj)


def _annotations(obj):
    """Every annotation of the pod template with the prefix, whether or not it names one of
    the pod's containers (the admission controller checks them all)."""
    annotations = mapping_at(obj.pod.metadata, "annotations")
    for key_node, value_node in annotations.effective_pairs() if annotations else ():
        key = text_of(key_node)
        if key is None or not key.startswith(ANNOTATION_PREFIX):
            continue
        value = text_of(value_node) or ""
        if value in ("", "runtime/default") or value.startswith("localhost/"):
            continue
        span = value_node.span if isinstance(value_node, YamlScalar) else key_node.span
        target = f"container '{key[len(ANNOTATION_PREFIX):]}'"
        problem = f"runs {target} without AppArmor" if value == "unconfined" else f"gives {target} the profile '{value}'"
        yield RULE.finding(span, f"annotation {key} of {obj.label} {problem} (allowed: runtime/default, localhost/<profile>)")


def check_compose(compose: ComposeFile, context: RuleContext):
    for service in compose.services:
        for option in security_opts(service):
            if option.key == "apparmor" and option.value == "unconfined":
                yield RULE.finding(option.value_span(), f"{service.label} runs without AppArmor (security_opt {option.text})")


RULE = Rule(
    code="HG504",
    name="apparmor",
    severity=Severity.ERROR,
    summary="Container runs without AppArmor confinement",
    docs=RuleDocs(
        what="Checks AppArmor settings as the Pod Security Standards baseline control does, at "
        "both levels and every version. An `appArmorProfile` set in the pod's or a container's "
        "`securityContext` (containers, init containers and ephemeral containers) must have the "
        "type `RuntimeDefault` or `Localhost`: `Unconfined`, any other type and a profile without "
        "a type are reported, each level on its own. Every pod-template annotation "
        "`container.apparmor.security.beta.kubernetes.io/<name>` must be empty, `runtime/default` "
        "or `localhost/<profile>`, even when no container has that name (the admission controller "
        "checks them all). Annotations on a controller's own `metadata` (not its pod template's) "
        "are not read by Kubernetes and are not checked.\n\n"
        "In compose files it reports `security_opt: [apparmor:unconfined]` (or "
        "`apparmor=unconfined`).",
        why="On hosts with AppArmor (Ubuntu, Debian, SUSE), the runtime's default profile denies "
        "containers writes to `/proc` and `/sys` files, mounts, and other operations that escapes "
        "use. `Unconfined` removes that layer for the container.",
        example="```yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n"
        "    metadata:\n      annotations:\n        container.apparmor.security.beta.kubernetes.io/app: unconfined   # HG504\n"
        "    spec:\n      containers:\n        - name: app\n          image: nginx:1.27\n"
        "          securityContext:\n            appArmorProfile:\n              type: Unconfined   # HG504\n```\n"
        "Fixed:\n```yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n"
        "    spec:\n      containers:\n        - name: app\n          image: nginx:1.27\n"
        "          securityContext:\n            appArmorProfile:\n              type: RuntimeDefault\n```\n"
        "Compose:\n```yaml\nservices:\n  web:\n    image: nginx:1.27\n    security_opt:\n"
        "      - apparmor:unconfined   # HG504\n```\nFixed: remove the option, or name a loaded "
        "profile: `apparmor=my-profile`.",
        fix="None: an unconfined profile is a deliberate choice; replace it with `RuntimeDefault` "
        "or a `Localhost` profile written for the workload.",
        peers="Pod Security Standards baseline control `appArmorProfile` (\"AppArmor\"); trivy KSV002.",
    ),
    checks={Format.KUBERNETES: check_kubernetes, Format.COMPOSE: check_compose},
)
