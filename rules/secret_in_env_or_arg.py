"""HG301 secret-in-env-or-arg: an ENV or ARG sets a secret value, which the image keeps."""
from __future__ import annotations

import atexit
import contextlib
import functools
import re
import threading

from dataclasses import dataclass
from typing import Iterator

from hullguard.compose import ComposeFile
from hullguard.context import RuleContext
from hullguard.dockerfile import Instruction
from hullguard.edits import edits_overlap, insert_line_before, leading_whitespace, replace
from hullguard.kubernetes import KubeObject, KubernetesFile
from hullguard.model import Applicability, Fix, Format, Rule, RuleDocs, Severity, TextEdit
from hullguard.redact import redact
from hullguard.rules._each_instruction import each_instruction
from hullguard.text import Position, Span
from hullguard.words import KeyValue, substitute
from hullguard.yamldoc import YamlMapping, YamlScalar, YamlSequence
from hullguard.yamledit import merge_into, remove_entry, replace_scalar
from hullguard.yamlfile import items, node_at, text_of

# A key that names a secret: PASSWORD, DB_PASSWORD, GITHUB_TOKEN, AWS_SECRET_ACCESS_KEY, ...
SECRET_NAME = re.compile(
    r"^(?:.*_)?(?:PASSWORD|PASSWD|PASS|TOKEN|SECRET|SECRET_KEY|API_?KEY|PRIVATE_KEY|ACCESS_KEY|ENCRYPTION_KEY)$",
    re.IGNORECASE,
)
# Values under a secret-looking name that are settings, not secrets:
# MYSQL_ALLOW_EMPTY_PASSWORD=yes, or a path to a mounted secret file (DB_PASSWORD=/run/secrets/db).
NOT_A_SECRET = re.compile(r"^(?:true|false|yes|no|on|off|0|1|/\S*)$", re.IGNORECASE)

# detect-secrets plugins that recognise a credential by its own shape (a prefix, a fixed
# format). Entropy plugins flag ordinary words in a bare value, keyword plugins need the
# `name=value` line (names are checked above instead), and Artifactory's pattern matches
# ordinary upper-case words starting with "AP".
VALUE_DETECTORS = (
    "AWSKeyDetector",
    "AzureStorageKeyDetector",
    "BasicAuthDetector",
    "DiscordBotTokenDetector",
    "GitHubTokenDetector",
    "GitLabTokenDetector",
    "JwtTokenDetector",
    "MailchimpDetector",
    "NpmDetector",
    "OpenAIDetector",
    "PrivateKeyDetector",
    "PypiTokenDetector",
    "SendGridDetector",
    "SlackDetector",
    "SquareOAuthDetector",
    "StripeDetector",
    "TelegramBotTokenDetector",
    "TwilioKeyDetector",
)
_DETECTOR_SET = frozenset(VALUE_DETECTORS)
SHORTEST_DETECTABLE = 8  # no credential these detectors recognise is shorter


class _ValueScanner:
    """detect-secrets' ``scan_line`` with only VALUE_DETECTORS enabled.

    detect-secrets keeps its settings process-wide. They are set up on the first scan and
    left in force until the process exits, so a lint pays ~1.5 ms of setup once rather than
    per value (a scan then costs ~0.2 ms); if something else in the process changed them
    meanwhile, they are set up again. The import (~0.2 s) happens only when there is a value
    to scan.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._settings = contextlib.ExitStack()
        # Restore detect-secrets' settings while imports still work (not at interpreter teardown).
        atexit.register(self._settings.close)

    def secret_type(self, value: str) -> str | None:
        """The kind of credential ``value`` is (``"AWS Access Key"``...), or None."""
        from detect_secrets.core.scan import scan_line
        from detect_secrets.settings import get_settings, transient_settings

        with self._lock:
            if get_settings().plugins.keys() != _DETECTOR_SET:
                plugins = [{"name": name} for name in VALUE_DETECTORS]
                self._settings.enter_context(transient_settings({"plugins_used": plugins}))
            return next((secret.type for secret in scan_line(value)), None)


_SCANNER = _ValueScanner()


@functools.lru_cache(maxsize=4096)  # the language server lints the same values on every keystroke
def _secret_type(literal: str) -> str | None:
    return _SCANNER.secret_type(literal)


class _Empty(dict):
    """Every variable set but empty: substituting leaves only a value's literal text."""

    def get(self, key, default=None):
        return ""


# ``${X:?message}`` / ``${X?message}``: a required variable; the message is no value.
REQUIRED_VARIABLE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?\?[^}]*\}")


def _literal(value: str) -> str:
    """What is left of ``value`` without variables (``${X:-default}`` keeps its default)."""
    return substitute(REQUIRED_VARIABLE.sub("", value), _Empty())[0]


def _secret_kind(key: str, literal: str) -> str | None:
    """How a value is recognised as a secret: the credential type, ``""`` by name, or None.
    ``literal`` is the value without its variable references."""
    literal = literal.strip()
    if not literal:
        return None
    if len(literal) >= SHORTEST_DETECTABLE:
        kind = _secret_type(literal)
        if kind is not None:
            return kind
    if SECRET_NAME.match(key) and not NOT_A_SECRET.match(literal):
        return ""
    return None


def _described(kind: str, value: str) -> str:
    """What a message shows of a secret: its type if known, and its redacted value."""
    return f"{kind}: {redact(value)}" if kind else redact(value)


def check_instruction(instruction: Instruction):
    for pair in instruction.key_values:
        if not pair.has_value:
            continue  # `ARG NAME` without a default: the value is not in the Dockerfile
        kind = _secret_kind(pair.key, _literal(pair.value))
        if kind is None:
            continue
        where = "ENV values are kept in the image config" if instruction.keyword == "ENV" else "ARG values are recorded in the image history"
        message = f"{instruction.keyword} {pair.key} holds a secret ({_described(kind, pair.value)}); {where}"
        span = instruction.span(pair.value_start, pair.value_end)
        yield RULE.finding(span, message, [_suggestion(instruction, pair)], secret=True)


def _suggestion(instruction: Instruction, pair: KeyValue) -> Fix:
    """Display only: replace the assignment with a comment showing the build-secret way."""
    key, secret_id = pair.key, pair.key.lower()
    indent = leading_whitespace(instruction.source_lines[0])
    comment = [
        f"# {key} is a secret: do not store it in the image. Give it to the build with",
        f"#   docker build --secret id={secret_id},env={key} .",
        "# and read it only in the step that needs it:",
        f"#   RUN --mount=type=secret,id={secret_id},env={key} <command>",
    ]
    if instruction.keyword == "ENV":
        comment.append("# If the container needs it at run time, pass it when it starts (docker run -e, an orchestrator secret).")
    text = ("\n" + indent).join(comment)
    if len(instruction.key_values) == 1:
        end_line = instruction.end_line
        whole = Span(Position(instruction.start_line, len(indent)), Position(end_line, len(instruction.source_lines[end_line - instruction.start_line])))
        edits = (replace(whole, text),)
    else:
        words = instruction.words
        index = next(i for i, word in enumerate(words) if word.start == pair.key_start)
        if index + 1 < len(words):
            removed = instruction.span(words[index].start, words[index + 1].start)
        else:
            removed = instruction.span(words[index - 1].end, words[index].end)
        edits = (insert_line_before(instruction.start_line, indent + text), replace(removed, ""))
    title = f"Pass {key} as a build secret: RUN --mount=type=secret,id={secret_id},env={key} …"
    return Fix(title, Applicability.DISPLAY_ONLY, edits)


# --- compose files and Kubernetes manifests --------------------------------------------------

VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SECRET_KEY = re.compile(r"[-._a-zA-Z0-9]+")  # what a Kubernetes Secret's data key may be
KUBERNETES_REFERENCE = re.compile(r"\$\((?:[A-Za-z_][A-Za-z0-9_.-]*)\)")  # $(OTHER_VAR), expanded by the kubelet


@dataclass(frozen=True)
class _Entry:
    """One ``NAME=value`` setting of a compose ``environment`` or ``args``, in either form."""

    key: str
    value: str
    span: Span  # the value; the whole scalar when the value cannot be told apart in it
    collection: YamlMapping | YamlSequence
    node: YamlScalar  # the value (mapping form) or the whole ``NAME=value`` item (list form)


def _entries(node) -> Iterator[_Entry]:
    """The settings with a value: ``KEY: value`` (mapping form) and ``- KEY=value`` (list
    form). ``KEY:`` and ``- KEY`` take the value from the environment compose runs in."""
    if isinstance(node, YamlMapping):
        for key, value in node.effective_pairs():
            if isinstance(key, YamlScalar) and isinstance(value, YamlScalar) and not value.is_null:
                yield _Entry(key.value, value.value, value.sub_span(0, len(value.value)) or value.span, node, value)
    elif isinstance(node, YamlSequence):
        for item in node.items:
            if isinstance(item, YamlScalar) and "=" in item.value:
                key, _, value = item.value.partition("=")
                yield _Entry(key, value, item.sub_span(len(key) + 1, len(item.value)) or item.span, node, item)


def check_compose(compose: ComposeFile, context: RuleContext):
    seen: set[YamlScalar] = set()  # a value services share through an anchor or merge key is reported once
    for service in compose.services:
        if service.mapping is None:
            continue
        for entry in _entries(service.mapping.get("environment")):
            if entry.node in seen:
                continue
            seen.add(entry.node)
            kind = _secret_kind(entry.key, _literal(entry.value))
            if kind is not None:
                message = (f"environment {entry.key} of {service.label} holds a secret ({_described(kind, entry.value)}); "
                           "it is committed with the compose file and shown by docker inspect")
                yield RULE.finding(entry.span, message, [_compose_suggestion(compose, entry)], secret=True)
        for entry in _entries(node_at(service.mapping, "build", "args")):
            if entry.node in seen:
                continue
            seen.add(entry.node)
            kind = _secret_kind(entry.key, _literal(entry.value))
            if kind is not None:
                message = (f"build arg {entry.key} of {service.label} holds a secret ({_described(kind, entry.value)}); "
                           "ARG values are recorded in the image history")
                yield RULE.finding(entry.span, message, [_build_secret_suggestion(entry.key)], secret=True)


def _compose_suggestion(compose: ComposeFile, entry: _Entry) -> Fix:
    """Display only: take the value from the environment compose runs in (or an uncommitted
    ``.env`` file) with ``$KEY``."""
    key = entry.key
    title = f"Take {key} from the environment or an uncommitted .env file (${key}), or mount it as a compose secret"
    edits: list[TextEdit] | None = None
    if VARIABLE_NAME.fullmatch(key):
        if isinstance(entry.collection, YamlMapping):
            edits = merge_into(compose.source, entry.collection, {key: f"${key}"})
        else:
            edit = replace_scalar(entry.node, f"{key}=${key}")
            edits = [edit] if edit is not None else None
    return Fix(title, Applicability.DISPLAY_ONLY, tuple(edits or ()))


def _build_secret_suggestion(key: str) -> Fix:
    secret_id = key.lower()
    title = (f"Pass {key} as a build secret: list it under the service's build.secrets and read it with "
             f"RUN --mount=type=secret,id={secret_id},env={key} …")
    return Fix(title, Applicability.DISPLAY_ONLY)


def check_kubernetes(manifest: KubernetesFile, context: RuleContext):
    for workload in manifest.workloads:
        for container in workload.pod.containers:
            for variable in items(container.mapping.get("env")):
                if not isinstance(variable, YamlMapping):
                    continue
                name, value = text_of(variable.get("name")), variable.get("value")
                if name is None or not isinstance(value, YamlScalar) or value.is_null:
                    continue
                kind = _secret_kind(name, _literal(KUBERNETES_REFERENCE.sub("", value.value)))
                if kind is None:
                    continue
                message = (f"env {name} of {container.label} holds a secret ({_described(kind, value.value)}); "
                           f"anyone who can read the {workload.kind} can read it")
                span = value.sub_span(0, len(value.value)) or value.span
                yield RULE.finding(span, message, [_secret_ref_suggestion(manifest, workload, variable, name)], secret=True)


def _secret_ref_suggestion(manifest: KubernetesFile, workload: KubeObject, variable: YamlMapping, name: str) -> Fix:
    """Display only: read the variable from a Secret with ``valueFrom.secretKeyRef``."""
    secret = f"{workload.name or 'app'}-secrets"
    title = f"Read {name} from a Secret: valueFrom.secretKeyRef (create Secret '{secret}' with key {name})"
    edits: tuple[TextEdit, ...] = ()
    if variable.get("valueFrom") is None and SECRET_KEY.fullmatch(name):
        removed = remove_entry(manifest.source, variable, "value")
        added = merge_into(manifest.source, variable, {"valueFrom": {"secretKeyRef": {"name": secret, "key": name}}})
        if removed is not None and added and not any(edits_overlap(removed, edit) for edit in added):
            edits = (removed, *added)
    return Fix(title, Applicability.DISPLAY_ONLY, edits)


RULE = Rule(
    code="HG301",
    name="secret-in-env-or-arg",
    severity=Severity.ERROR,
    summary="Secret value in ENV or ARG",
    docs=RuleDocs(
        what="Checks the literal values of environment variables and build arguments: `ENV` "
        "and `ARG` (an `ARG` default) in a Dockerfile; a compose service's `environment` and "
        "`build.args`, in mapping (`KEY: value`) and list (`- KEY=value`) form; the `env[].value` "
        "of every Kubernetes container, init container and ephemeral container. A value is a "
        "secret when detect-secrets recognises it as a credential by its shape (AWS access "
        "keys, GitHub, GitLab, Slack, Stripe, npm, PyPI and other tokens, private keys, JWTs, "
        "URLs with a password), or when the name says it is one (`PASSWORD`, `*_PASSWORD`, "
        "`*_PASSWD`, `*_PASS`, `*_TOKEN`, `*_SECRET`, `*_SECRET_KEY`, `API_KEY`, `*_API_KEY`, "
        "`*_PRIVATE_KEY`, `*_ACCESS_KEY`, `*_ENCRYPTION_KEY`, any case). Not reported: a value "
        "that is only a variable (`$TOKEN`, `${TOKEN}`, `${TOKEN:-}`, and Kubernetes' "
        "`$(OTHER_VAR)`), an empty value, a name without a value (`ARG TOKEN`, compose "
        "`TOKEN:` or `- TOKEN`, which take the value from the environment), a Kubernetes "
        "`valueFrom` (`secretKeyRef` is the way to do it), and, under a secret-looking name, a "
        "yes/no setting (`MYSQL_ALLOW_EMPTY_PASSWORD=yes`) or a path to a secret file "
        "(`/run/secrets/db`). A variable's default is literal text (`${DB_PASSWORD:-hunter2}` "
        "is reported). Weak values such as `changeme` are still reported. The finding points at "
        "the value; its message shows at most the first four characters.",
        why="`ENV` values are stored in the image configuration and `ARG` values in the build "
        "history: anyone who can pull the image reads them with `docker inspect` or "
        "`docker history`, long after the build, in every registry and cache the image "
        "reaches. A compose file or a manifest is committed and copied around: a secret in it "
        "is in the repository's history for good, shown by `docker inspect` on the container, "
        "and in Kubernetes readable by anyone allowed to read the workload (a far wider group "
        "than those allowed to read Secrets). A secret that was ever written there must be "
        "treated as leaked and rotated.",
        example="```dockerfile\nFROM node:22-alpine\nARG NPM_TOKEN=npm_0123456789abcdefghijklmnopqrstuvwxyz   # HG301\n"
        "RUN npm ci\n```\nFixed (build with `docker build --secret id=npm_token,env=NPM_TOKEN .`):\n"
        "```dockerfile\n# syntax=docker/dockerfile:1\nFROM node:22-alpine\n"
        "RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci\n```\n"
        "Compose:\n```yaml\nservices:\n  db:\n    image: postgres:17.2\n    environment:\n"
        "      POSTGRES_PASSWORD: hunter2   # HG301\n```\n"
        "Fixed (the value comes from the shell or an uncommitted `.env` file; better still a "
        "compose secret):\n```yaml\nservices:\n  db:\n    image: postgres:17.2\n    environment:\n"
        "      POSTGRES_PASSWORD_FILE: /run/secrets/db_password\n    secrets: [db_password]\n"
        "secrets:\n  db_password:\n    environment: DB_PASSWORD\n```\n"
        "Kubernetes:\n```yaml\n      containers:\n        - name: app\n          image: ghcr.io/acme/app:2.4.0\n"
        "          env:\n            - name: DB_PASSWORD\n              value: hunter2   # HG301\n```\n"
        "Fixed:\n```yaml\n          env:\n            - name: DB_PASSWORD\n              valueFrom:\n"
        "                secretKeyRef:\n                  name: app-secrets\n                  key: DB_PASSWORD\n```",
        fix="Display only, never applied; the leaked value has to be rotated whatever the fix. "
        "Dockerfile: the suggestion removes the assignment and leaves a comment showing how to "
        "pass the value as a BuildKit build secret (`docker build --secret id=…` and "
        "`RUN --mount=type=secret,id=…,env=…`), which is never written to a layer or to the "
        "history; a value the container needs at run time is given when it starts instead. The "
        "commands that need the secret have to be changed by hand. Compose `environment`: the "
        "suggestion replaces the value with `$NAME`, so compose takes it from the shell or an "
        "uncommitted `.env` file; a compose `secrets:` entry, mounted as a file, keeps it out of "
        "`docker inspect` too. Compose `build.args`: the suggestion names the build-secret way "
        "(`build.secrets` and `RUN --mount=type=secret`). Kubernetes: the suggestion replaces "
        "`value` with `valueFrom.secretKeyRef` naming a Secret `<workload>-secrets`, which you "
        "create (outside the repository, or encrypted with a tool such as Sealed Secrets or SOPS).",
        peers="Docker's build checks report the Dockerfile case as `SecretsUsedInArgOrEnv` (by "
        "name only); kube-linter env-var-secret (by name only). hadolint has no equivalent.",
    ),
    checks={Format.DOCKERFILE: each_instruction(check_instruction, ("ENV", "ARG")), Format.COMPOSE: check_compose, Format.KUBERNETES: check_kubernetes},
    fix=Applicability.DISPLAY_ONLY,
)
