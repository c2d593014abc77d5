"""GitHub Actions workflow commands: annotations on the pull request's changed lines."""
from __future__ import annotations

from hullguard.model import Severity
from hullguard.output.common import one_based, with_states

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(results, **_options) -> str:
    lines = []
    for result in results:
        for finding, state in with_states(result):
            if state == "existing":
                continue  # annotations are for what the change introduces
            line, column = one_based(finding.span.start)
            end_line, end_column = one_based(finding.span.end)
            properties = ",".join(
                [
                    f"file={_escape_property(result.document.path)}",
                    f"line={line}",
                    f"col={column}",
                    f"endLine={end_line}",
                    f"endColumn={end_column}",
                    f"title={_escape_property(f'{finding.code} ({finding.name})')}",
                ]
            )
            lines.append(f"::{LEVELS[finding.severity]} {properties}::{_escape_data(finding.message)}")
    return "".join(line + "\n" for line in lines)
