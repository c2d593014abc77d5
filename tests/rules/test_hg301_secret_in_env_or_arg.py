"""HG301 secret-in-env-or-arg: secrets in ENV/ARG values, by value (detect-secrets) and by name."""
from __future__ import annotations

import subprocess
import sys
import time

import pytest

from hullguard.edits import apply_edits
from hullguard.model import Applicability, Severity
from hullguard.rules import secret_in_env_or_arg

from conftest import findings_of, lint_text, spans_of

CODE = "HG301"
AWS_KEY = "AKIAIOSFODNN7EXAMPLE"  # AWS's documented example key
GITHUB_TOKEN = "ghp_hullguardTestTokenNotReal00000000000"


def only(text: str):
    found = findings_of(CODE, text)
    assert len(found) == 1, [f.message for f in found]
    return found[0]


def test_unquoted_password_is_found_by_name():
    finding = only("FROM alpine:3.20\nENV DB_PASSWORD=hunter2\n")
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (1, 16, 23)
    assert finding.message == "ENV DB_PASSWORD holds a secret (****); ENV values are kept in the image config"
    assert finding.secret is True
    assert finding.severity is Severity.ERROR


def test_aws_key_is_found_by_value_under_an_innocent_name():
    finding = only(f"FROM alpine:3.20\nENV DEPLOY_ID={AWS_KEY}\n")
    assert (finding.span.start.column, finding.span.end.column) == (14, 34)
    assert finding.message == "ENV DEPLOY_ID holds a secret (AWS Access Key: AKIA…****); ENV values are kept in the image config"


def test_github_token_is_found_by_value_and_the_span_excludes_quotes():
    finding = only(f'FROM alpine:3.20\nARG GIT_AUTH="{GITHUB_TOKEN}"\n')
    assert (finding.span.start.column, finding.span.end.column) == (14, 14 + len(GITHUB_TOKEN))
    assert finding.message == "ARG GIT_AUTH holds a secret (GitHub Token: ghp_…****); ARG values are recorded in the image history"


def test_url_with_a_password_is_found_by_value():
    finding = only("FROM alpine:3.20\nENV DATABASE_URL=postgres://app:s3cr3t@db:5432/app\n")
    assert finding.message.startswith("ENV DATABASE_URL holds a secret (Basic Auth Credentials: post…****)")


@pytest.mark.parametrize(
    "instruction",
    [
        "ARG TOKEN",
        "ARG NPM_TOKEN=",
        'ENV API_KEY=""',
        "ENV PASSWORD=$PASSWORD",
        "ENV PASSWORD=${PASSWORD}",
        "ENV PASSWORD=${PASSWORD:-}",
        "ENV DATABASE_URL=postgres://app:${DB_PASSWORD}@db/app",
        "ENV MYSQL_ALLOW_EMPTY_PASSWORD=yes",
        "ENV MYSQL_RANDOM_ROOT_PASSWORD=1",
        "ENV DB_PASSWORD=/run/secrets/db_password",
        "ENV DB_PASSWORD_FILE=/run/secrets/db_password",
        "ENV TOKEN_URL=https://auth.example.com/token",
        "ENV PASSWORD_MIN_LENGTH=12",
        "ENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D",
        "ENV KEEPASS=hunter2",
        "LABEL password=hunter2",
    ],
)
def test_not_a_literal_secret(instruction):
    assert findings_of(CODE, f"FROM alpine:3.20\n{instruction}\n") == []


@pytest.mark.parametrize(
    "key",
    ["PASSWORD", "SECRET", "TOKEN", "db_password", "SMTP_PASSWD", "REDIS_PASS", "GITHUB_TOKEN", "CLIENT_SECRET",
     "DJANGO_SECRET_KEY", "API_KEY", "APIKEY", "STRIPE_API_KEY", "PRIVATE_KEY", "MINIO_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY"],
)
def test_secret_names_with_a_literal_value_are_found(key):
    assert len(findings_of(CODE, f"FROM alpine:3.20\nENV {key}=changeme\n")) == 1


def test_default_of_a_variable_reference_is_a_literal_secret():
    finding = only("FROM alpine:3.20\nENV DB_PASSWORD=${DB_PASSWORD:-hunter2}\n")
    assert (finding.span.start.column, finding.span.end.column) == (16, 39)


def test_global_arg_before_from_is_checked():
    finding = only("ARG REGISTRY_TOKEN=letmein\nFROM alpine:3.20\n")
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (0, 19, 26)


def test_each_pair_of_a_continued_lower_case_env_has_its_own_span():
    text = "FROM alpine:3.20\nenv APP=web \\\n    DB_PASSWORD='hunter 2' \\\n    API_KEY=abc123\n"
    assert spans_of(CODE, text) == [(2, 17, 2, 25), (3, 12, 3, 18)]


def test_legacy_env_form_spans_the_whole_value():
    assert spans_of(CODE, "FROM alpine:3.20\nENV DB_PASSWORD correct horse battery\n") == [(1, 16, 1, 37)]


def test_crlf_file_spans():
    assert spans_of(CODE, "FROM alpine:3.20\r\nENV DB_PASSWORD=hunter2\r\n") == [(1, 16, 1, 23)]


@pytest.mark.parametrize(
    "text, value",
    [
        ("FROM alpine:3.20\nENV DB_PASSWORD=hunter2\n", "hunter2"),
        (f"FROM alpine:3.20\nARG DEPLOY_ID={AWS_KEY}\n", AWS_KEY),
        (f"FROM alpine:3.20\nENV A=1 GIT_AUTH={GITHUB_TOKEN} B=2\n", GITHUB_TOKEN),
        ("FROM alpine:3.20\nENV SESSION_SECRET=session-secret-long-enough\n", "session-secret-long-enough"),
    ],
)
def test_no_output_of_the_finding_contains_the_secret(text, value):
    finding = only(text)
    outputs = [finding.message, finding.name, finding.code]
    for fix in finding.fixes:
        outputs.append(fix.title)
        outputs.extend(edit.new_text for edit in fix.edits)
        outputs.extend(f"{e.path} {e.old_text} {e.new_text}" for e in fix.file_edits)
    assert all(value not in output for output in outputs)


def _suggested_text(text: str):
    """The display-only fix and the text it would produce."""
    finding = only(text)
    (fix,) = finding.fixes
    assert fix.applicability is Applicability.DISPLAY_ONLY
    return fix, apply_edits(lint_text(text, select=(CODE,)).document.source, list(fix.edits))


def test_suggestion_replaces_a_single_env_with_build_secret_instructions():
    fix, result = _suggested_text("FROM alpine:3.20\n  ENV \\\n      NPM_TOKEN=abc\nRUN npm ci\n")
    assert fix.title == "Pass NPM_TOKEN as a build secret: RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN …"
    assert result == (
        "FROM alpine:3.20\n"
        "  # NPM_TOKEN is a secret: do not store it in the image. Give it to the build with\n"
        "  #   docker build --secret id=npm_token,env=NPM_TOKEN .\n"
        "  # and read it only in the step that needs it:\n"
        "  #   RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN <command>\n"
        "  # If the container needs it at run time, pass it when it starts (docker run -e, an orchestrator secret).\n"
        "RUN npm ci\n"
    )


def test_suggestion_removes_only_the_secret_pair_of_a_multi_pair_arg():
    _, result = _suggested_text("FROM alpine:3.20\nARG A=1 NPM_TOKEN=abc B=2\n")
    assert result == (
        "FROM alpine:3.20\n"
        "# NPM_TOKEN is a secret: do not store it in the image. Give it to the build with\n"
        "#   docker build --secret id=npm_token,env=NPM_TOKEN .\n"
        "# and read it only in the step that needs it:\n"
        "#   RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN <command>\n"
        "ARG A=1 B=2\n"
    )
    _, last = _suggested_text("FROM alpine:3.20\nARG A=1 NPM_TOKEN=abc\n")
    assert last.endswith("\nARG A=1\n")


def test_scanner_keeps_its_own_plugins_when_detect_secrets_settings_change():
    from detect_secrets.settings import default_settings

    high_entropy_hex = "3f9a7c2e81d4b6055e2a9c7d1f0b8e64"
    with default_settings():  # every plugin, entropy ones included
        assert secret_in_env_or_arg._SCANNER.secret_type(high_entropy_hex) is None
        assert secret_in_env_or_arg._SCANNER.secret_type(AWS_KEY) == "AWS Access Key"
    assert secret_in_env_or_arg._SCANNER.secret_type(high_entropy_hex) is None


def test_scanning_values_stays_within_budget():
    text = "FROM alpine:3.20\n" + "".join(f"ENV VALUE_{n}=some-ordinary-value-{n}\n" for n in range(200))
    findings_of(CODE, text)  # detect-secrets imported and set up
    start = time.perf_counter()
    assert findings_of(CODE, text) == []
    assert (time.perf_counter() - start) / 200 < 0.0015  # ~0.2 ms a value measured; 0.3 ms is the budget


def test_detect_secrets_is_imported_only_for_a_literal_value():
    script = (
        "import sys\n"
        "from hullguard.config import Config\n"
        "from hullguard.documents import load_document\n"
        "from hullguard.engine import lint_document\n"
        "from hullguard.model import Format\n"
        "def lint(text):\n"
        "    lint_document(load_document('Dockerfile', text, Format.DOCKERFILE), Config().with_cli(select=['HG301']))\n"
        "lint('FROM alpine:3.20\\nARG TOKEN\\nENV A=$TOKEN B=\\nRUN true\\n')\n"
        "print('detect_secrets' in sys.modules)\n"
        "lint('FROM alpine:3.20\\nENV A=production\\n')\n"
        "print('detect_secrets' in sys.modules)\n"
    )
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert output.stdout.split() == ["False", "True"]
    assert output.stderr == ""
