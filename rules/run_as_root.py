"""HG101 run-as-root: the container's process runs as root."""
from __future__ import annotations

import re

from hullguard.context import RuleContext
from hullguard.dockerfile import Dockerfile, Instruction, Stage
from hullguard.edits import ends_with_continuation, insert_line_after
from hullguard.images import external_base, is_windows, non_root_user_for, runs_as_non_root_by_default
from hullguard.model import Applicability, Fix, Format, Rule, RuleDocs, Severity
from hullguard.rules._variables import variables_before
from hullguard.words import substitute

ROOT = re.compile(r"root|0+")  # a name, or a uid that parses to 0 (`00` too)


def _effective_user(stage: Stage) -> Instruction | None:
    """The USER instruction in force at the end of ``stage``; ``FROM <stage>`` inherits it."""
    seen = set()
    while stage.index not in seen:
        seen.add(stage.index)
        users = stage.user_instructions()
        if users:
            return users[-1]
        if stage.base_stage is None:
            return None
        stage = stage.base_stage
    return None


def check_dockerfile(dockerfile: Dockerfile, context: RuleContext):
    final = dockerfile.final_stage
    if is_windows(final):
        return  # no root or uid 0 there; USER takes Windows account names
    user = _effective_user(final)
    if user is None:
        base = external_base(final)
        if base is not None and runs_as_non_root_by_default(base):
            return
        if final.base_stage is None and final.image is None:
            return  # base image unresolvable (an ARG without default): its user is unknown
        yield RULE.finding(final.image_span, "final stage sets no USER, so the container runs as root", _fixes(dockerfile))
        return
    words = user.words
    if not words:
        return
    value, resolved = substitute(words[0].value, variables_before(dockerfile, user))
    name = value.split(":", 1)[0]
    if not resolved or not ROOT.fullmatch(name):
        return
    word = words[0]
    span = user.span(word.start, word.start + len(word.raw.split(":", 1)[0])) if word.raw == word.value else user.span(word.start, word.end)
    yield RULE.finding(span, f"final stage runs as root (USER {value})", _fixes(dockerfile))


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
        "base runs as differs by image.",
        why="Root in the container is root on the host's kernel: a container escape, a writable "
        "host mount or a kernel bug then gives the attacker uid 0. Running as an unprivileged "
        "user is the single most effective hardening step.",
        example="```dockerfile\nFROM python:3.12-slim\nCOPY app /app\nCMD [\"python\", \"/app/main.py\"]   # HG101\n```\n"
        "Fixed:\n```dockerfile\nFROM python:3.12-slim\nCOPY app /app\nCMD [\"python\", \"/app/main.py\"]\n"
        "RUN groupadd --system app && useradd --system --gid app --no-create-home app\nUSER app\n```",
        fix="Unsafe (changes the runtime user, which may lose access to files or low ports). "
        "Appends a `USER` to the final stage, reusing the account the base image ships "
        "(`node`, distroless `nonroot`), creating one with the base's own tools (Alpine/BusyBox "
        "`adduser`, Debian/Ubuntu/RHEL `useradd`), or a numeric `10001:10001` where neither is known. "
        "No fix is offered when the last instruction's last line ends with the escape character "
        "(a dangling continuation, whatever blank or comment lines follow): Docker would join "
        "the appended line onto that instruction.",
        peers="hadolint DL3002; checkov CKV_DOCKER_3 and CKV_DOCKER_8; trivy DS002.",
    ),
    checks={Format.DOCKERFILE: check_dockerfile},
    hadolint=("DL3002",),
    fix=Applicability.UNSAFE,
)
