"""JSON: one object per finding, 1-based positions, with the fixes as edits."""
from __future__ import annotations

import json

from hullguard.output.common import one_based, rule_url, with_states
from hullguard.rules import RULES_BY_CODE


def _location(position) -> dict:
    line, column = one_based(position)
    return {"line": line, "column": column}


def finding_record(path: str, finding, state: str | None = None) -> dict:
    """``state``: "new" or "existing" when the run compares (``--since``, ``--baseline``),
    recorded as ``"baseline"``; the key is absent otherwise."""
    rule = RULES_BY_CODE.get(finding.code)
    record = {
        "filename": path,
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity.label,
        "message": finding.message,
        "location": _location(finding.span.start),
        "end_location": _location(finding.span.end),
        "url": rule_url(rule) if rule else None,
        "fixes": [
            {
                "title": fix.title,
                "applicability": fix.applicability.value,
                "edits": [
                    {"content": edit.new_text, "location": _location(edit.span.start), "end_location": _location(edit.span.end)}
                    for edit in fix.edits
                ],
                "files": [{"path": file_edit.path, "content": file_edit.new_text} for file_edit in fix.file_edits],
            }
            for fix in finding.fixes
        ],
    }
    if state is not None:
        record["baseline"] = state
    return record


def result_lines(result) -> list[str]:
    """The output lines of one result's findings (each line goes through json's C encoder;
    indent= would use its pure-Python one, seconds for the thousands of findings of a large
    repo). Forked workers render their results with it (``parallel.lint_all``)."""
    return [json.dumps(finding_record(result.document.path, finding, state), ensure_ascii=False) for finding, state in with_states(result)]


def render(results, **_options) -> str:
    lines = [line for result in results for line in (result.rendered if result.rendered is not None else result_lines(result))]
    if not lines:
        return "[]\n"
    return "[\n" + ",\n".join(lines) + "\n]\n"
