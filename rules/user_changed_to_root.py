"""HG111 user-changed-to-root: a change makes a container that ran as a non-root user run as
root (``check --since`` only)."""
from __future__ import annotations

from hullguard.compose import ComposeFile, Service
from hullguard.context import RuleContext
from hullguard.dockerfile import Dockerfile, ImageRef
from hullguard.images import external_base, is_windows, runs_as_non_root_by_default
from hullguard.kubernetes import KubernetesFile
from hullguard.model import Format, Rule, RuleDocs, Severity
from hullguard.rules._build import build_of
from hullguard.rules._images import is_image_reference
from hullguard.rules._pod import effective
from hullguard.rules._pod import is_windows as is_windows_pod
from hullguard.rules._previous import paired_containers, paired_services, previous
from hullguard.rules._variables import variables_before
from hullguard.rules.run_as_root import ROOT, effective_user, runs_as_root
from hullguard.words import substitute
from hullguard.yamlfile import int_of, text_of


# --- Dockerfile: the final stage's user, as HG101 reads it ---------------------------------------


def _non_root(dockerfile: Dockerfile) -> str | None:
    """How the final stage is known to run as non-root (``USER app``, or a base image that
    does by default); None when it runs as root or that is not known."""
    stage = dockerfile.final_stage
    if is_windows(stage):
        return None
    user = effective_user(stage)
    if user is None:
        base = external_base(stage)
        if base is not None and runs_as_non_root_by_default(base):
            return f"the default user of '{base.name}:{base.tag}'" if base.tag else f"the default user of '{base.name}'"
        return None
    if not user.words:
        return None
    value, resolved = substitute(user.words[0].value, variables_before(dockerfile, user))
    if not resolved or ROOT.fullmatch(value.split(":", 1)[0]):
        return None
    return f"USER {value}"


def check_dockerfile(dockerfile: Dockerfile, context: RuleContext):
    old = previous(context, Dockerfile)
    if old is None:
        return
    root = runs_as_root(dockerfile, dockerfile.final_stage)
    was = _non_root(old) if root is not None else None
    if was is None:
        return
    now = f"USER {root.value}" if root.user is not None else "no USER, so the base image's root"
    yield RULE.finding(root.span, f"final stage changed from non-root ({was}) to root ({now})")


# --- compose ---------------------------------------------------------------------------------


def _user(service: Service) -> str | None:
    return text_of(service.mapping.get("user")) if service.mapping is not None else None


def _image_runs_as_non_root(service: Service) -> bool | None:
    """Whether the service's image is known to run as non-root by default; None when the
    image is not known (a variable, a build, none)."""
    text = text_of(service.mapping.get("image")) if service.mapping is not None else None
    if text is None or "$" in text or not is_image_reference(text) or build_of(service.mapping) is not None:
        return None
    return runs_as_non_root_by_default(ImageRef.parse(text))


def check_compose(compose: ComposeFile, context: RuleContext):
    old = previous(context, ComposeFile)
    if old is None:
        return
    for service, old_service in paired_services(compose, old):
        was = _user(old_service)
        if not was or "$" in was or ROOT.fullmatch(was.split(":", 1)[0]):
            continue  # unknown, or root already
        now = _user(service)
        if now:
            name = now.split(":", 1)[0]
            if "$" in now or not ROOT.fullmatch(name):
                continue
            node = service.mapping.get("user")
            yield RULE.finding(node.sub_span(0, len(name)) or node.span, f"{service.label} changed from non-root (user: {was}) to root (user: {now})")
        elif service.mapping is not None and service.mapping.get("extends") is None and _image_runs_as_non_root(service) is False:
            message = f"{service.label} changed from non-root (user: {was}) to its image's default user, root unless the image sets another (user: removed)"
            yield RULE.finding(service.anchor, message)


# --- Kubernetes: runAsUser in force, the container's own or the pod's -----------------------------


def check_kubernetes(manifest: KubernetesFile, context: RuleContext):
    old = previous(context, KubernetesFile)
    if old is None:
        return
    for obj, container, old_obj, old_container in paired_containers(manifest, old):
        if is_windows_pod(obj.pod):
            continue
        was = int_of(effective(old_obj.pod, old_container, "runAsUser").node)
        setting = effective(obj.pod, container, "runAsUser")
        if was is not None and was != 0 and int_of(setting.node) == 0:
            where = "" if setting.level == "container" else ", from the pod's securityContext"
            yield RULE.finding(setting.node.span, f"{container.label} changed from non-root (runAsUser: {was}) to root (runAsUser: 0{where})")


RULE = Rule(
    code="HG111",
    name="user-changed-to-root",
    severity=Severity.ERROR,
    summary="Change makes a non-root container run as root (--since only)",
    docs=RuleDocs(
        what="A regression rule: it runs only under `hullguard check --since REF` and compares "
        "the user a container runs as with the one at `REF`. It fires when that user was known "
        "to be non-root and now is root:\n\n"
        "- **Dockerfile**: the final stage's user, read as HG101 reads it (the last `USER` in "
        "force, through `FROM <stage>`; no `USER` is root unless the base image is known to run "
        "as non-root). Before, it was a `USER` other than root or uid 0, or a non-root base "
        "image's default; now it is root.\n"
        "- **Compose**: a service's `user:` was non-root and is now root or uid 0, or was "
        "removed while the service's `image:` is not one known to run as non-root.\n"
        "- **Kubernetes**: a container's `runAsUser` in force (its own, else the pod's) was a "
        "non-zero uid and is now 0 (Windows pods are skipped). A `runAsNonRoot: true` that was "
        "dropped is HG511's.\n\n"
        "Users that come from variables without a known value count as unknown, not as "
        "non-root. The message gives the old and the new user.",
        why="Going back to root undoes the most effective container hardening, usually to "
        "work around a permission error, in a line that is easy to wave through in review. "
        "Root in a container is root on the host's kernel once anything else goes wrong.",
        example="At `REF`:\n```dockerfile\nFROM python:3.12.4-slim\nUSER app\n```\nNow "
        "(`hullguard check --since REF`):\n```dockerfile\nFROM python:3.12.4-slim\n"
        "USER root   # HG111: final stage changed from non-root (USER app) to root (USER root)\n```\n"
        "Compose, at `REF` `user: \"1000\"`, now:\n```yaml\nservices:\n  web:\n"
        "    image: example/web:1.0\n    user: root   # HG111\n```\nKubernetes, at `REF` "
        "`runAsUser: 10001`, now:\n```yaml\n      containers:\n        - name: app\n"
        "          securityContext:\n            runAsUser: 0   # HG111\n```\n"
        "Fixed: fix the permission problem instead (own the files the process writes, use a "
        "port above 1024) and keep the non-root user.",
        fix="None automatic: going back to the old user may break what the change needed. "
        "HG101 offers fixes for running as root.",
        peers="No peer compares with an earlier version. Single-file checks: HG101; hadolint "
        "DL3002; checkov CKV_DOCKER_3, CKV_K8S_23; Pod Security Standards restricted "
        "`runAsNonRoot`/`runAsUser`.",
    ),
    checks={Format.DOCKERFILE: check_dockerfile, Format.COMPOSE: check_compose, Format.KUBERNETES: check_kubernetes},
    needs_previous=True,
)
