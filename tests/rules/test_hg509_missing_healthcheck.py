"""HG509 missing-healthcheck: no HEALTHCHECK in the final stage (off by default)."""
from __future__ import annotations

import pytest

from hullguard.config import Config
from hullguard.documents import load_document
from hullguard.engine import lint_document
from hullguard.model import Format, Severity

from conftest import findings_of

CODE = "HG509"


def test_missing_healthcheck_is_reported_at_the_final_base_image():
    (finding,) = findings_of(CODE, "FROM nginx:1.27\nCOPY site /usr/share/nginx/html\n")
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (0, 5, 15)
    assert finding.message == "final stage has no HEALTHCHECK (add one, or HEALTHCHECK NONE to opt out)"
    assert finding.severity is Severity.INFO
    assert finding.fixes == []


def test_off_by_default():
    document = load_document("Dockerfile", "FROM nginx:1.27\n", Format.DOCKERFILE)
    default = {f.code for f in lint_document(document, Config()).findings}
    extended = {f.code for f in lint_document(document, Config().with_cli(extend_select=[CODE])).findings}
    assert CODE not in default
    assert extended - default == {CODE}


@pytest.mark.parametrize(
    "text",
    [
        "FROM nginx:1.27\nHEALTHCHECK CMD curl -fsS http://localhost/ || exit 1\n",
        "FROM nginx:1.27\nhealthcheck --interval=5s \\\n  CMD [\"/bin/true\"]\n",
        "FROM gcr.io/distroless/static-debian12\nHEALTHCHECK NONE\n",
        "FROM nginx:1.27 AS base\nHEALTHCHECK CMD true\n\nFROM base AS mid\nRUN true\n\nFROM mid\nCOPY a /a\n",
    ],
    ids=["cmd", "continued-lower-case", "none-opts-out", "inherited-through-two-stages"],
)
def test_healthcheck_present(text):
    assert findings_of(CODE, text) == []


def test_healthcheck_in_an_unrelated_earlier_stage_does_not_count():
    text = "FROM nginx:1.27 AS build\nHEALTHCHECK CMD true\n\nFROM alpine:3.20\nCOPY --from=build /a /a\n"
    assert [(f.span.start.line, f.span.start.column, f.span.end.column) for f in findings_of(CODE, text)] == [(3, 5, 16)]


def test_final_stage_from_a_stage_without_healthcheck_points_at_the_stage_name():
    text = "FROM alpine:3.20 AS base\r\n\r\nFROM base\r\n"
    assert [(f.span.start.line, f.span.start.column, f.span.end.column) for f in findings_of(CODE, text)] == [(2, 5, 9)]


# --- compose ---------------------------------------------------------------------------------

C = Format.COMPOSE


def compose_findings(text: str, dockerfiles: dict[str, str | None] | None = None):
    """HG509 on a compose file at /project/compose.yaml, with the given files beside it."""
    overrides = {f"/project/{name}": content for name, content in (dockerfiles or {}).items()}
    return findings_of(CODE, text, kind=C, path="/project/compose.yaml", file_overrides=overrides)


def test_compose_image_service_without_healthcheck_reported_at_its_name():
    [finding] = compose_findings("services:\n  web:\n    image: nginx:1.27\n")
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (1, 2, 5)
    assert finding.message == "service 'web' has no healthcheck (add one, or healthcheck: {disable: true} to opt out)"


@pytest.mark.parametrize(
    "settings",
    [
        "    healthcheck:\n      test: [CMD, /bin/true]\n",
        "    healthcheck: {disable: true}\n",
        "    extends: {file: base.yaml, service: web}\n",
        "    build: https://github.com/example/app.git\n",
        "    build: ./${APP_DIR}\n",
    ],
    ids=["own", "disabled", "extends", "remote-build", "variable-build"],
)
def test_compose_services_that_pass(settings):
    assert compose_findings("services:\n  web:\n    image: nginx:1.27\n" + settings) == []


def test_compose_null_healthcheck_counts_as_none():
    assert len(compose_findings("services:\n  web:\n    image: nginx:1.27\n    healthcheck:\n")) == 1


def test_compose_build_with_and_without_a_healthcheck_in_the_built_stage():
    dockerfile = "FROM python:3.12 AS base\nHEALTHCHECK CMD true\n\nFROM base AS app\nCOPY . /app\n\nFROM python:3.12 AS bare\n"
    files = {"app/Dockerfile": dockerfile}
    last = compose_findings("services:\n  api:\n    build: ./app\n", files)
    assert [f.message for f in last] == ["service 'api' has no healthcheck and its image's Dockerfile (app/Dockerfile) sets no HEALTHCHECK"]
    assert compose_findings("services:\n  api:\n    build: {context: ./app, target: app}\n", files) == []
    custom = {"app/build.Dockerfile": "FROM alpine:3.20\nHEALTHCHECK NONE\n"}
    assert compose_findings("services:\n  api:\n    build: {context: app, dockerfile: build.Dockerfile}\n", custom) == []


def test_compose_unreadable_build_is_skipped_and_crlf():
    text = "services:\r\n  api:\r\n    build: ./missing\r\n  web:\r\n    image: nginx\r\n"
    assert [f.span.start.line for f in compose_findings(text, {"missing/Dockerfile": None})] == [3]
