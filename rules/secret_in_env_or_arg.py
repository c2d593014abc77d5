"""HG301 secret-in-env-or-arg: an ENV or ARG sets a secret value, which the image keeps."""
from __future__ import annotations

import atexit
import contextlib
import re
import threading

from hullguard.context import RuleContext
from hullguard.dockerfile import Dockerfile, Instruction
from hullguard.edits import insert_line_before, leading_whitespace, replace
from hullguard.model import Applicability, Fix, Format, Rule, RuleDocs, Severity
from hullguard.redact import redact
from hullguard.text import Position, Span
from hullguard.words import KeyValue, substitute

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


class _Empty(dict):
    """Every variable set but empty: substituting leaves only a value's literal text."""

    def get(self, key, default=None):
        return ""


def _literal(value: str) -> str:
    """What is left of ``value`` without variables (``${X:-default}`` keeps its default)."""
    return substitute(value, _Empty())[0]


def _secret_kind(pair: KeyValue) -> str | None:
    """How the value is recognised as a secret: the credential type, ``""`` by name, or None."""
    literal = _literal(pair.value).strip()
    if not literal:
        return None
    if len(literal) >= SHORTEST_DETECTABLE:
        kind = _SCANNER.secret_type(literal)
        if kind is not None:
            return kind
    if SECRET_NAME.match(pair.key) and not NOT_A_SECRET.match(literal):
        return ""
    return None


def check_dockerfile(dockerfile: Dockerfile, context: RuleContext):
    for instruction in dockerfile.instructions:
        if instruction.keyword not in ("ENV", "ARG"):
            continue
        for pair in instruction.key_values:
            if not pair.has_value:
                continue  # `ARG NAME` without a default: the value is not in the Dockerfile
            kind = _secret_kind(pair)
            if kind is None:
                continue
            detail = f"{kind}: " if kind else ""
            where = "ENV values are kept in the image config" if instruction.keyword == "ENV" else "ARG values are recorded in the image history"
            message = f"{instruction.keyword} {pair.key} holds a secret ({detail}{redact(pair.value)}); {where}"
            span = instruction.span(pair.value_start, pair.value_end)
            yield RULE.finding(span, message, [_suggestion(dockerfile, instruction, pair)], secret=True)


def _suggestion(dockerfile: Dockerfile, instruction: Instruction, pair: KeyValue) -> Fix:
    """Display only: replace the assignment with a comment showing the build-secret way."""
    key, secret_id = pair.key, pair.key.lower()
    indent = leading_whitespace(dockerfile.source.line(instruction.start_line))
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
        whole = Span(Position(instruction.start_line, len(indent)), Position(end_line, len(dockerfile.source.line(end_line))))
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


RULE = Rule(
    code="HG301",
    name="secret-in-env-or-arg",
    severity=Severity.ERROR,
    summary="Secret value in ENV or ARG",
    docs=RuleDocs(
        what="Checks the literal values of `ENV` and `ARG` (an `ARG` default). A value is a "
        "secret when detect-secrets recognises it as a credential by its shape (AWS access "
        "keys, GitHub, GitLab, Slack, Stripe, npm, PyPI and other tokens, private keys, JWTs, "
        "URLs with a password), or when the name says it is one (`PASSWORD`, `*_PASSWORD`, "
        "`*_PASSWD`, `*_PASS`, `*_TOKEN`, `*_SECRET`, `*_SECRET_KEY`, `API_KEY`, `*_API_KEY`, "
        "`*_PRIVATE_KEY`, `*_ACCESS_KEY`, `*_ENCRYPTION_KEY`, any case). Not reported: a value "
        "that is only a variable (`$TOKEN`, `${TOKEN}`, `${TOKEN:-}`), an empty value, a bare "
        "`ARG TOKEN` without default, and, under a secret-looking name, a yes/no setting "
        "(`MYSQL_ALLOW_EMPTY_PASSWORD=yes`) or a path to a secret file (`/run/secrets/db`). "
        "Weak values such as `changeme` are still reported. The finding points at the value; "
        "its message shows at most the first four characters.",
        why="`ENV` values are stored in the image configuration and `ARG` values in the build "
        "history: anyone who can pull the image reads them with `docker inspect` or "
        "`docker history`, long after the build, in every registry and cache the image "
        "reaches. A secret that was ever in an image must be treated as leaked and rotated.",
        example="```dockerfile\nFROM node:22-alpine\nARG NPM_TOKEN=npm_0123456789abcdefghijklmnopqrstuvwxyz   # HG301\n"
        "RUN npm ci\n```\nFixed (build with `docker build --secret id=npm_token,env=NPM_TOKEN .`):\n"
        "```dockerfile\n# syntax=docker/dockerfile:1\nFROM node:22-alpine\n"
        "RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci\n```",
        fix="Display only, never applied: the suggestion removes the assignment and leaves a "
        "comment showing how to pass the value as a BuildKit build secret "
        "(`docker build --secret id=…` and `RUN --mount=type=secret,id=…,env=…`), which is "
        "never written to a layer or to the history; a value the container needs at run time "
        "is given when it starts instead. The commands that need the secret have to be "
        "changed by hand, and the leaked value rotated.",
        peers="Docker's build checks report this as `SecretsUsedInArgOrEnv` (by name only). "
        "hadolint has no equivalent.",
    ),
    checks={Format.DOCKERFILE: check_dockerfile},
    fix=Applicability.DISPLAY_ONLY,
)
