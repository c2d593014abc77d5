"""HG301 secret-in-env-or-arg: secrets in ENV/ARG values, compose environment and build args,
and Kubernetes env values, by value (detect-secrets) and by name."""
from __future__ import annotations

import subprocess
import sys
import time

import pytest

from hullguard.edits import apply_edits
from hullguard.model import Applicability, Format, Severity
from hullguard.rules import secret_in_env_or_arg
from hullguard.text import Position

from conftest import findings_of, lint_text, span_of, spans_of

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
        "ENV PASSWORD=${PASSWORD:?required}",
        "ENV PASSWORD=${PASSWORD?}",
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


@pytest.mark.parametrize("after", ["\n", "\n# a comment", "\n\n"])
def test_suggestion_replaces_an_env_that_continues_to_the_end_of_the_file(after):
    # The scan takes the blank or comment lines after a trailing "\" into the instruction;
    # the replaced span still ends with the ENV's own last line.
    text = "FROM alpine:3.20\nENV NPM_TOKEN=abc \\" + after
    fix, result = _suggested_text(text)
    assert fix.edits[0].span.end == Position(1, len("ENV NPM_TOKEN=abc \\"))
    assert result.startswith("FROM alpine:3.20\n# NPM_TOKEN is a secret") and "NPM_TOKEN=abc" not in result
    assert result.endswith("an orchestrator secret)." + after)


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


# --- compose ------------------------------------------------------------------------------------


def compose_findings(text: str):
    return findings_of(CODE, text, kind=Format.COMPOSE)


def test_compose_environment_mapping_value_is_the_span():
    text = "services:\n  db:\n    image: postgres:17.2\n    environment:\n      POSTGRES_USER: app\n      POSTGRES_PASSWORD: hunter2\n"
    (finding,) = compose_findings(text)
    assert span_of(finding) == (5, 25, 5, 32)
    assert finding.message == (
        "environment POSTGRES_PASSWORD of service 'db' holds a secret (****); "
        "it is committed with the compose file and shown by docker inspect"
    )
    assert finding.secret is True and finding.severity is Severity.ERROR


def test_compose_environment_list_value_part_is_the_span():
    text = (
        "services:\n  api:\n    environment:\n      - LOG_LEVEL=info\n      - SECRET_KEY=abc123\n"
        f'      - "DEPLOY_ID={AWS_KEY}"\n'
    )
    found = compose_findings(text)
    assert [span_of(f) for f in found] == [(4, 19, 4, 25), (5, 19, 5, 19 + len(AWS_KEY))]
    assert found[1].message.startswith("environment DEPLOY_ID of service 'api' holds a secret (AWS Access Key: AKIA…****)")


def test_compose_flow_mapping_quoted_and_numeric_values():
    text = 'services:\n  cache:\n    environment: {REDIS_PASSWORD: "correct horse", PIN_PASS: 1234, LOG: debug}\n'
    assert [span_of(f) for f in compose_findings(text)] == [(2, 35, 2, 48), (2, 61, 2, 65)]


def test_compose_value_over_several_lines_is_reported_on_the_whole_scalar():
    text = "services:\n  api:\n    environment:\n      PRIVATE_KEY: |\n        abc\n        def\n"
    (finding,) = compose_findings(text)
    assert span_of(finding) == (3, 19, 5, 11)


@pytest.mark.parametrize(
    "environment",
    [
        "      DB_PASSWORD:",  # from the environment compose runs in
        "      - DB_PASSWORD",
        "      - DB_PASSWORD=",
        '      DB_PASSWORD: ""',
        "      DB_PASSWORD: ${DB_PASSWORD}",
        "      - DB_PASSWORD=$DB_PASSWORD",
        "      DB_PASSWORD: ${DB_PASSWORD:?set DB_PASSWORD in .env}",
        "      DB_PASSWORD_FILE: /run/secrets/db_password",
        '      MYSQL_ALLOW_EMPTY_PASSWORD: "yes"',
        "      MYSQL_RANDOM_ROOT_PASSWORD: true",
        "      PASSWORD_MIN_LENGTH: 12",
        "      KEEPASS: hunter2",
    ],
)
def test_compose_not_a_literal_secret(environment):
    assert compose_findings(f"services:\n  api:\n    environment:\n{environment}\n") == []


def test_compose_default_of_a_variable_is_a_literal_secret():
    (finding,) = compose_findings("services:\n  api:\n    environment:\n      - SECRET_KEY=${SECRET_KEY:-dev-secret}\n")
    assert span_of(finding) == (3, 19, 3, 44)


def test_compose_build_args_in_both_forms():
    text = (
        "services:\n  web:\n    build:\n      context: .\n      args:\n        - NODE_ENV=production\n"
        "        - NPM_TOKEN=npm_0123456789abcdefghijklmnopqrstuvwxyz\n"
        "  api:\n    build:\n      args: {GIT_TOKEN: abcdef}\n  plain:\n    build: .\n"
    )
    found = compose_findings(text)
    assert [span_of(f) for f in found] == [(6, 20, 6, 60), (9, 24, 9, 30)]
    assert found[0].message == "build arg NPM_TOKEN of service 'web' holds a secret (npm_…****); ARG values are recorded in the image history"
    (fix,) = found[0].fixes
    assert fix.applicability is Applicability.DISPLAY_ONLY and fix.edits == ()
    assert fix.title == (
        "Pass NPM_TOKEN as a build secret: list it under the service's build.secrets and read it with "
        "RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN …"
    )


def test_compose_services_of_a_later_document_and_crlf():
    text = "services:\r\n  a:\r\n    image: nginx:1.27\r\n---\r\nservices:\r\n  b:\r\n    environment:\r\n      API_KEY: abc123\r\n"
    assert [span_of(f) for f in compose_findings(text)] == [(7, 15, 7, 21)]


def _suggestion(text: str, kind: Format):
    (finding,) = findings_of(CODE, text, kind=kind)
    (fix,) = finding.fixes
    assert fix.applicability is Applicability.DISPLAY_ONLY
    return fix, apply_edits(lint_text(text, select=(CODE,), kind=kind).document.source, list(fix.edits))


def test_compose_suggestion_takes_the_value_from_the_environment():
    fix, result = _suggestion("services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: 'hunter2'\n", Format.COMPOSE)
    assert fix.title == "Take POSTGRES_PASSWORD from the environment or an uncommitted .env file ($POSTGRES_PASSWORD), or mount it as a compose secret"
    assert result == "services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: '$POSTGRES_PASSWORD'\n"
    _, listed = _suggestion("services:\n  db:\n    environment:\n      - A=1\n      - DB_PASS=hunter2\n", Format.COMPOSE)
    assert listed == "services:\n  db:\n    environment:\n      - A=1\n      - DB_PASS=$DB_PASS\n"
    _, flow = _suggestion("services:\n  db:\n    environment: {DB_PASS: hunter2, A: 1}\n", Format.COMPOSE)
    assert flow == "services:\n  db:\n    environment: {DB_PASS: $DB_PASS, A: 1}\n"


def test_compose_suggestion_without_edits_when_the_name_is_no_variable_name():
    fix, _ = _suggestion("services:\n  db:\n    environment:\n      my-app_PASSWORD: hunter2\n", Format.COMPOSE)
    assert fix.edits == ()


# --- Kubernetes ---------------------------------------------------------------------------------

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  initContainers:
    - name: migrate
      image: migrate:1
      env:
        - {{name: DATABASE_URL, value: "postgres://app:s3cr3t@db/app"}}
  containers:
    - name: web
      image: web:1
      env:
{env}
  ephemeralContainers:
    - name: debug
      image: busybox:1.37
      env: [{{name: API_KEY, value: abcdef}}]
"""


def test_kubernetes_env_values_of_every_container_list():
    text = POD.format(env="        - name: LOG_LEVEL\n          value: info\n        - name: DB_PASSWORD\n          value: hunter2")
    found = findings_of(CODE, text, kind=Format.KUBERNETES)
    assert [(span_of(f), f.secret) for f in found] == [((9, 39, 9, 67), True), ((17, 17, 17, 24), True), ((21, 35, 21, 41), True)]
    assert found[0].message.startswith("env DATABASE_URL of init container 'migrate' holds a secret (Basic Auth Credentials: post…****)")
    assert found[1].message == "env DB_PASSWORD of container 'web' holds a secret (****); anyone who can read the Pod can read it"
    assert found[2].message.startswith("env API_KEY of ephemeral container 'debug' holds a secret")


@pytest.mark.parametrize(
    "env",
    [
        "        - name: DB_PASSWORD\n          valueFrom:\n            secretKeyRef: {name: s, key: k}",
        '        - name: DB_PASSWORD\n          value: ""',
        "        - name: DB_PASSWORD\n          value: $(DATABASE_PASSWORD)",
        "        - name: DB_PASSWORD\n          value: ${DB_PASSWORD}",
        "        - name: DB_PASSWORD\n          value:",
        "        - name: DB_PASSWORD_FILE\n          value: /etc/secrets/db",
        "        - name: URL\n          value: https://$(HOST)/token",
    ],
)
def test_kubernetes_not_a_literal_secret(env):
    assert [f for f in findings_of(CODE, POD.format(env=env), kind=Format.KUBERNETES) if "container 'web'" in f.message] == []


def test_kubernetes_reference_next_to_literal_text_is_still_a_secret():
    text = POD.format(env="        - name: DB_PASSWORD\n          value: $(PREFIX)hunter2")
    assert "env DB_PASSWORD of container 'web'" in findings_of(CODE, text, kind=Format.KUBERNETES)[1].message


def test_kubernetes_cronjob_in_a_second_document_with_crlf():
    text = (
        "apiVersion: v1\r\nkind: Namespace\r\nmetadata: {name: ops}\r\n---\r\n"
        "apiVersion: batch/v1\r\nkind: CronJob\r\nmetadata: {name: backup}\r\nspec:\r\n  jobTemplate:\r\n    spec:\r\n"
        "      template:\r\n        spec:\r\n          containers:\r\n          - name: backup\r\n            env:\r\n"
        "            - name: S3_SECRET\r\n              value: 'wJalrXUtnFEMI'\r\n"
    )
    (finding,) = findings_of(CODE, text, kind=Format.KUBERNETES)
    assert span_of(finding) == (16, 22, 16, 35)
    assert finding.message.endswith("anyone who can read the CronJob can read it")


def test_kubernetes_suggestion_reads_the_value_from_a_secret():
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - name: web\n      env:\n        - name: DB_PASSWORD\n          value: hunter2\n        - name: A\n          value: b\n"
    fix, result = _suggestion(text, Format.KUBERNETES)
    assert fix.title == "Read DB_PASSWORD from a Secret: valueFrom.secretKeyRef (create Secret 'web-secrets' with key DB_PASSWORD)"
    assert result == text.replace(
        "          value: hunter2\n",
        "          valueFrom:\n            secretKeyRef:\n              name: web-secrets\n              key: DB_PASSWORD\n",
    )
    flow = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - name: web\n      env: [{name: TOKEN, value: xyz}]\n"
    _, result = _suggestion(flow, Format.KUBERNETES)
    assert result.endswith("      env: [{name: TOKEN, valueFrom: {secretKeyRef: {name: web-secrets, key: TOKEN}}}]\n")


def test_kubernetes_suggestion_without_edits_when_value_from_is_there_too():
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - name: web\n      env:\n        - name: TOKEN\n          value: xyz\n          valueFrom: {secretKeyRef: {name: s, key: k}}\n"
    fix, _ = _suggestion(text, Format.KUBERNETES)
    assert fix.edits == ()


@pytest.mark.parametrize(
    "text, kind, value",
    [
        (f"services:\n  a:\n    environment:\n      - DEPLOY_ID={AWS_KEY}\n", Format.COMPOSE, AWS_KEY),
        (f"services:\n  a:\n    environment:\n      GIT_AUTH: {GITHUB_TOKEN}\n", Format.COMPOSE, GITHUB_TOKEN),
        ("services:\n  a:\n    build:\n      args: [SESSION_SECRET=session-secret-long-enough]\n", Format.COMPOSE, "session-secret-long-enough"),
        (f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n  - name: a\n    env: [{{name: X, value: {AWS_KEY}}}]\n", Format.KUBERNETES, AWS_KEY),
    ],
)
def test_no_output_of_a_yaml_finding_contains_the_secret(text, kind, value):
    (finding,) = findings_of(CODE, text, kind=kind)
    outputs = [finding.message]
    for fix in finding.fixes:
        outputs.append(fix.title)
        outputs.extend(edit.new_text for edit in fix.edits)
    assert all(value not in output for output in outputs)
    assert value[4:] not in finding.message


def test_compose_value_shared_through_an_anchor_is_reported_once():
    text = (
        "x-env: &env\n  DB_PASSWORD: hunter2\n"
        "services:\n  a:\n    environment: *env\n  b:\n    environment:\n      <<: *env\n      LOG: info\n"
    )
    assert [span_of(f) for f in compose_findings(text)] == [(1, 15, 1, 22)]
