"""HG101 run-as-root: the container's process runs as root."""
from __future__ import annotations

import re
from dataclasses import dataclass

from hullguard.compose import ComposeFile, Service
from hullguard.context import RuleContext
from hullguard.dockerfile import Dockerfile, ImageRef, Instruction, Stage
from hullguard.edits import ends_with_continuation, insert_line_after
from hullguard.images import FALLBACK_UID, external_base, is_windows, non_root_user_for, runs_as_non_root_by_default
from hullguard.kubernetes import Container, KubeObject, KubernetesFile
from hullguard.model import Applicability, Fix, Format, Rule, RuleDocs, Severity
from hullguard.rules._build import build_of, built_dockerfile
from hullguard.rules._harden import runs_as_uid_zero, with_harden_fix
from hullguard.rules._images import is_image_reference
from hullguard.rules._variables import variables_before
from hullguard.text import Span
from hullguard.words import substitute
from hullguard.yamldoc import YamlScalar
from hullguard.yamledit import merge_into
from hullguard.yamlfile import bool_of, int_of, node_at, text_of

ROOT = re.compile(r"root|0+")  # a name, or a uid that parses to 0 (`00` too)


@dataclass(frozen=True)
class RootUser:
    """Why a Dockerfile stage runs as root."""

    stage: Stage
    user: Instruction | None  # the USER in force; None when no USER is set
    value: str | None  # that USER's value, variables substituted
    span: Span  # the root name in USER, else the stage's base image

    @property
    def line(self) -> int:
        """The line to cite: the USER, else the stage's FROM."""
        return (self.user or self.stage.from_instruction).start_line

    @property
    def description(self) -> str:
        return f"ends with USER {self.value}" if self.user is not None else "sets no USER"


def _chain(stage: Stage) -> list[Stage]:
    """``stage``, then the stages it builds on through ``FROM <stage>``, nearest first."""
    chain = [stage]
    seen = {stage.index}
    while chain[-1].base_stage is not None and chain[-1].base_stage.index not in seen:
        chain.append(chain[-1].base_stage)
        seen.add(chain[-1].index)
    return chain


def effective_user(stage: Stage) -> Instruction | None:
    """The USER instruction in force at the end of ``stage``; ``FROM <stage>`` inherits it."""
    return next((s.user_instructions()[-1] for s in _chain(stage) if s.user_instructions()), None)


def runs_as_root(dockerfile: Dockerfile, stage: Stage, *, build_args: bool = False) -> RootUser | None:
    """Why a container of ``stage`` runs as root; None when it runs as non-root or that is not
    known: a Windows stage, a base image or USER whose variables have no value, or, with
    ``build_args`` (the build passes arguments, which may override any ARG), a base image or
    USER written with a variable at all."""
    if is_windows(stage):
        return None  # no root or uid 0 there; USER takes Windows account names
    user = effective_user(stage)
    if user is None:
        external = _chain(stage)[-1]
        base = external.image
        if base is None or (build_args and "$" in external.image_word.raw):
            return None  # base image unresolvable (an ARG without default): its user is unknown
        if runs_as_non_root_by_default(base):
            return None
        return RootUser(stage, None, None, stage.image_span)
    words = user.words
    if not words or (build_args and "$" in words[0].raw):
        return None
    word = words[0]
    value, resolved = substitute(word.value, variables_before(dockerfile, user))
    name = value.split(":", 1)[0]
    if not resolved or not ROOT.fullmatch(name):
        return None
    span = user.span(word.start, word.start + len(word.raw.split(":", 1)[0])) if word.raw == word.value else user.span(word.start, word.end)
    return RootUser(stage, user, value, span)


def check_dockerfile(dockerfile: Dockerfile, context: RuleContext):
    root = runs_as_root(dockerfile, dockerfile.final_stage)
    if root is None:
        return
    if root.user is None:
        yield RULE.finding(root.span, "final stage sets no USER, so the container runs as root", _fixes(dockerfile))
    else:
        yield RULE.finding(root.span, f"final stage runs as root (USER {root.value})", _fixes(dockerfile))


def _fixes(dockerfile: Dockerfile) -> list[Fix]:
    final = dockerfile.final_stage
    account = non_root_user_for(external_base(final))
    last = final.instructions[-1]
    if ends_with_continuation(dockerfile.source.line(last.end_line), dockerfile.escape):
        return []  # a dangling continuation: BuildKit would join the new line onto the last instruction
    indent = re.match(r"[ \t]*", dockerfile.source.line(last.start_line)).group(0)
    lines = []
    if account.create_command:
        lines.append(f"{indent}RUN {account.create_command}")
    lines.append(f"{indent}USER {account.user}")
    edit = insert_line_after(dockerfile.source, last.end_line, "\n".join(lines))
    return [Fix(f"Run as non-root user '{account.user}' (append USER to the final stage)", Applicability.UNSAFE, (edit,))]


# --- compose ---------------------------------------------------------------------------------


def check_compose(compose: ComposeFile, context: RuleContext):
    for service in compose.services:
        mapping = service.mapping
        if mapping is None:
            continue
        node = mapping.get("user")
        value = text_of(node)
        if value:
            if "$" in value:
                continue  # interpolated: unknown here
            name = value.split(":", 1)[0]
            if ROOT.fullmatch(name):
                span = node.sub_span(0, len(name)) or node.span
                yield RULE.finding(span, f"{service.label} runs as root (user: {value})", _compose_fixes(compose, service))
            continue
        if mapping.get("extends") is not None:
            continue  # the user may come from the extended service, which may be in another file
        build = build_of(mapping)
        if build is not None:
            built = built_dockerfile(build, context)
            root = runs_as_root(built.dockerfile, built.stage, build_args=built.has_args) if built is not None else None
            if root is not None:
                which = f"its Dockerfile's target stage '{built.target}'" if built.target is not None else "its Dockerfile"
                message = f"{service.label} runs as root: {which} ({built.location(root.line)}) {root.description}"
                yield RULE.finding(service.anchor, message)  # the fix belongs in the Dockerfile (HG101 there)
            continue
        image = _image(service)
        if image is None or runs_as_non_root_by_default(image):
            continue
        written = text_of(mapping.get("image"))
        message = f"{service.label} sets no user, so it runs as root unless its image '{written}' sets a non-root USER"
        yield RULE.finding(service.anchor, message, _compose_fixes(compose, service))


def _image(service: Service) -> ImageRef | None:
    """The service's image, None when it names none or a variable hides it."""
    text = text_of(service.mapping.get("image"))
    if text is None or "$" in text or not is_image_reference(text):
        return None
    return ImageRef.parse(text)


def _compose_fixes(compose: ComposeFile, service: Service) -> list[Fix]:
    """``user:`` set (or changed) to an account the image has: its own non-root account when
    it is known to ship one (``node``, distroless ``nonroot``), else a numeric uid:gid, which
    needs no account in the image."""
    image = _image(service) if build_of(service.mapping) is None else None
    account = non_root_user_for(image)
    user = account.user if account.create_command is None else FALLBACK_UID
    edits = merge_into(compose.source, service.mapping, {"user": user})
    return [Fix(f"Run as non-root user '{user}' (set user)", Applicability.UNSAFE, tuple(edits))] if edits else []


# --- Kubernetes: the PSS restricted controls runAsNonRoot and runAsUser ----------------------


def check_kubernetes(manifest: KubernetesFile, context: RuleContext):
    if not context.restricted:
        return  # both controls belong to the restricted level
    for obj in manifest.workloads:
        pod = obj.pod
        if pod.spec is None:
            continue
        if context.pss_at_least(1, 35) and bool_of(pod.spec.get("hostUsers")) is False:
            continue  # from v1.35 a pod in a user namespace passes both controls
        yield from _run_as_non_root(manifest, obj)
        if context.pss_at_least(1, 23):
            yield from _run_as_user(obj)


def _run_as_non_root(manifest: KubernetesFile, obj: KubeObject):
    """Every container must end up with runAsNonRoot: true (its own value wins, else the pod's),
    and the pod must not set false even when every container overrides it."""
    pod = obj.pod
    pod_node = node_at(pod.security_context(), "runAsNonRoot")
    pod_value = bool_of(pod_node)
    if pod_value is False:
        message = f"pod securityContext of {obj.label} sets runAsNonRoot: false, so its containers may run as root"
        yield RULE.finding(pod_node.span, message, _pod_non_root_fixes(manifest, obj))
    for container in pod.containers:
        node = node_at(container.security_context(), "runAsNonRoot")
        value = bool_of(node)
        if value is True or (value is None and pod_value is not None):
            continue  # true, or unset under a pod value: true passes, false is reported above
        if value is False:
            span, message = node.span, f"{container.label} sets runAsNonRoot: false, so it may run as root"
        else:
            written = isinstance(node, YamlScalar) and not node.is_null  # a value that is not a boolean
            span = node.span if written else container.anchor
            message = f"{container.label} may run as root (runAsNonRoot is not true in its securityContext or the pod's)"
        fixes = [] if runs_as_uid_zero(pod, container) else _container_non_root_fixes(manifest, container)
        yield RULE.finding(span, message, with_harden_fix(fixes, manifest.source, pod, container))


def _container_non_root_fixes(manifest: KubernetesFile, container: Container) -> list[Fix]:
    edits = merge_into(manifest.source, container.mapping, {"securityContext": {"runAsNonRoot": True}})
    return [Fix(f"Set runAsNonRoot: true in the securityContext of {container.label}", Applicability.UNSAFE, tuple(edits))] if edits else []


def _pod_non_root_fixes(manifest: KubernetesFile, obj: KubeObject) -> list[Fix]:
    """runAsNonRoot: true at the pod level, unless a uid 0 anywhere in the pod would then keep a
    container from starting."""
    pod = obj.pod
    if int_of(node_at(pod.security_context(), "runAsUser")) == 0 or any(
        int_of(node_at(container.security_context(), "runAsUser")) == 0 for container in pod.containers
    ):
        return []
    edits = merge_into(manifest.source, pod.spec, {"securityContext": {"runAsNonRoot": True}})
    return [Fix("Set runAsNonRoot: true in the pod's securityContext", Applicability.UNSAFE, tuple(edits))] if edits else []


def _run_as_user(obj: KubeObject):
    """runAsUser 0 fails at either level, the pod's even where every container overrides it."""
    pod = obj.pod
    node = node_at(pod.security_context(), "runAsUser")
    if int_of(node) == 0:
        yield RULE.finding(node.span, f"pod securityContext of {obj.label} sets runAsUser: 0 (root)")
    for container in pod.containers:
        node = node_at(container.security_context(), "runAsUser")
        if int_of(node) == 0:
            yield RULE.finding(node.span, f"{container.label} runs as root (runAsUser: 0)")


RULE = Rule(
    code="HG101",
    name="run-as-root",
    severity=Severity.ERROR,
    summary="Container runs as root",
    docs=RuleDocs(
        what="Checks the user the container finally runs as. In a Dockerfile that is the last "
        "`USER` in force in the final stage: a `USER` in an earlier stage does not carry over, "
        "except through `FROM <that stage>`. The rule fires when there is no `USER` at all "
        "(Docker's default is root) or when it is `root` or uid 0 (`root:root`, `0:0`, `00` "
        "too). Base images documented to run as non-root (`…:nonroot` tags) are accepted. "
        "Windows stages are not checked (a Windows base image by name or `--platform`, or "
        "a `cmd` or Windows PowerShell `SHELL`): they have no root or uid 0, `USER` takes "
        "Windows account names (`ContainerUser`, `ContainerAdministrator`), and which one a "
        "base runs as differs by image.\n\n"
        "In compose files, a service's `user:` of `root` or uid 0 (`0`, `0:0`, `root:x`) is "
        "reported where it is written. A service without `user:` runs as its image's user. With "
        "`build:` that is the user the built Dockerfile ends with, judged as above and read from "
        "the Dockerfile itself (`build: ./dir`, `context` plus `dockerfile`, a `dockerfile_inline` "
        "without `$`; the `target` stage when one is set); the message names the Dockerfile and "
        "the line. With only `image:`, the service is reported unless the image is known to run "
        "as non-root. Not reported, because the answer is not in the file: `${VAR}` values, a "
        "service that `extends` another, a remote build context, a Dockerfile that is missing or "
        "does not parse, and a Dockerfile `USER` or `FROM` written with a variable when the build "
        "passes `args`.\n\n"
        "In Kubernetes manifests, the Pod Security Standards restricted controls `runAsNonRoot` "
        "and `runAsUser`, on containers, init containers and ephemeral containers alike (silent at "
        "`pss-level = baseline`):\n\n"
        "- `runAsNonRoot` must end up `true`: the container's own value wins, else the pod's. An "
        "explicit `false` is reported where it is written; a pod-level `false` fails even when "
        "every container sets `true`, and is reported once rather than for each container that "
        "inherits it. A non-zero `runAsUser` does not count, and neither does the image's `USER`: "
        "admission does not look at images.\n"
        "- From v1.23, `runAsUser: 0` is reported at either level; the pod's fails even when every "
        "container overrides it.\n"
        "- From v1.35, a pod with `hostUsers: false` (a user namespace, where uid 0 is not the "
        "host's root) passes both.",
        why="Root in the container is root on the host's kernel: a container escape, a writable "
        "host mount or a kernel bug then gives the attacker uid 0. Running as an unprivileged "
        "user is the single most effective hardening step. Compose and Kubernetes run the "
        "image's user unless told otherwise, and most images still default to root; "
        "`runAsNonRoot: true` makes the kubelet refuse to start a container that would run as "
        "uid 0, whatever the image says.",
        example="```dockerfile\nFROM python:3.12-slim\nCOPY app /app\nCMD [\"python\", \"/app/main.py\"]   # HG101\n```\n"
        "Fixed:\n```dockerfile\nFROM python:3.12-slim\nCOPY app /app\nCMD [\"python\", \"/app/main.py\"]\n"
        "RUN groupadd --system app && useradd --system --gid app --no-create-home app\nUSER app\n```\n"
        "Compose:\n```yaml\nservices:\n  web:   # HG101: no user, and nginx runs as root\n    image: nginx:1.27\n"
        "  api:   # HG101: its Dockerfile (api/Dockerfile:1) sets no USER\n    build: ./api\n"
        "  worker:\n    image: example/worker:2.0\n    user: root   # HG101\n```\nFixed:\n"
        "```yaml\nservices:\n  web:\n    image: nginxinc/nginx-unprivileged:1.27\n    user: \"101:101\"\n"
        "  api:\n    build: ./api   # its Dockerfile ends with USER app\n  worker:\n    image: example/worker:2.0\n"
        "    user: \"10001:10001\"\n```\n"
        "Kubernetes:\n```yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
        "  template:\n    spec:\n      containers:\n        - name: app   # HG101: runAsNonRoot is not true\n"
        "          image: example/web:1.0\n        - name: sidecar\n          image: example/proxy:1.0\n"
        "          securityContext:\n            runAsUser: 0   # HG101\n```\nFixed:\n```yaml\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n"
        "      securityContext:\n        runAsNonRoot: true\n        runAsUser: 10001\n      containers:\n"
        "        - name: app\n          image: example/web:1.0\n        - name: sidecar\n"
        "          image: example/proxy:1.0\n```",
        fix="Unsafe everywhere: the process changes user and may lose access to its files, to "
        "ports below 1024, or fail to start.\n\n"
        "- Dockerfile: appends a `USER` to the final stage, reusing the account the base image ships "
        "(`node`, distroless `nonroot`), creating one with the base's own tools (Alpine/BusyBox "
        "`adduser`, Debian/Ubuntu/RHEL `useradd`), or a numeric `10001:10001` where neither is known. "
        "No fix is offered when the last instruction's last line ends with the escape character "
        "(a dangling continuation, whatever blank or comment lines follow): Docker would join "
        "the appended line onto that instruction.\n"
        "- Compose: sets `user:` (or replaces the root value) to the image's own non-root account "
        "when it is known to ship one (`node`, distroless `nonroot`), else `\"10001:10001\"`, a "
        "numeric uid:gid that needs no account in the image. No fix when the root user comes "
        "from the Dockerfile a service builds: HG101 on that Dockerfile offers one there.\n"
        "- Kubernetes: sets `runAsNonRoot: true` in the container's `securityContext` (in the "
        "pod's, for a pod-level `false`). The kubelet then refuses to start a container whose "
        "image runs as root unless a non-zero `runAsUser` is set too, so check the image's `USER`. "
        "Not offered where `runAsUser: 0` is in force (the container could never start); "
        "`runAsUser: 0` itself has no fix, since the uid to use instead is yours to choose. A "
        "second fix, \"Harden container … to Pod Security Standards restricted\" (unsafe), merges "
        "`runAsNonRoot: true`, `allowPrivilegeEscalation: false`, `capabilities.drop: [ALL]` and "
        "`seccompProfile.type: RuntimeDefault` into the container's `securityContext` in one edit "
        "(settings already in force, such as a `Localhost` seccomp profile, are kept).",
        peers="hadolint DL3002; checkov CKV_DOCKER_3 and CKV_DOCKER_8; trivy DS002. Kubernetes: Pod "
        "Security Standards restricted controls `runAsNonRoot` (\"Running as Non-root\") and "
        "`runAsUser` (\"Running as Non-root user\", v1.23+); kube-linter `run-as-non-root`; checkov "
        "CKV_K8S_23; trivy KSV012.",
    ),
    checks={Format.DOCKERFILE: check_dockerfile, Format.COMPOSE: check_compose, Format.KUBERNETES: check_kubernetes},
    hadolint=("DL3002",),
    fix=Applicability.UNSAFE,
)
