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
