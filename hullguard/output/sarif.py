"""SARIF 2.1.0 with rule metadata and fixes, for GitHub code scanning and other viewers."""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from hullguard.model import Severity
from hullguard.output.common import TOOL_URL, VERSION, one_based, rule_url, with_states
from hullguard.rules import ALL_RULES

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
BASELINE_STATES = {"new": "new", "existing": "unchanged"}  # SARIF's result.baselineState


def _region(span) -> dict:
    start_line, start_column = one_based(span.start)
    end_line, end_column = one_based(span.end)
    return {"startLine": start_line, "startColumn": start_column, "endLine": end_line, "endColumn": end_column}


def _uri(path: str) -> str:
    """A relative URI reference (percent-encoded), as code-scanning tools resolve against the checkout."""
    return quote(Path(path).as_posix())


def _rule_descriptor(rule) -> dict:
    docs = rule.docs
    markdown = "\n\n".join(
        [f"## What it does\n{docs.what}", f"## Why is this bad?\n{docs.why}", f"## Example\n{docs.example}", f"## Fix\n{docs.fix}"]
        + ([f"## Peers\n{docs.peers}"] if docs.peers else [])
    )
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": docs.what},
        "help": {"text": f"{docs.what}\n\n{docs.fix}", "markdown": markdown},
        "helpUri": rule_url(rule),
        "defaultConfiguration": {"level": LEVELS[rule.severity], "enabled": rule.enabled_by_default},
        "properties": {"tags": ["security"] + [f.value for f in rule.formats]},
    }


def _fix(path: str, fix) -> dict:
    changes = []
    if fix.edits:
        changes.append(
            {
                "artifactLocation": {"uri": _uri(path)},
                "replacements": [{"deletedRegion": _region(e.span), "insertedContent": {"text": e.new_text}} for e in fix.edits],
            }
        )
    for file_edit in fix.file_edits:
        region = {"charOffset": 0, "charLength": len(file_edit.old_text or "")}
        changes.append(
            {
                "artifactLocation": {"uri": _uri(file_edit.path)},
                "replacements": [{"deletedRegion": region, "insertedContent": {"text": file_edit.new_text}}],
            }
        )
    return {"description": {"text": f"{fix.title} ({fix.applicability.value})"}, "artifactChanges": changes}


def render(results, **_options) -> str:
    index = {rule.code: position for position, rule in enumerate(ALL_RULES)}
    sarif_results = []
    for result in results:
        for finding, state in with_states(result):
            record = {
                "ruleId": finding.code,
                "ruleIndex": index[finding.code],
                "level": LEVELS[finding.severity],
                "message": {"text": finding.message},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(result.document.path)}, "region": _region(finding.span)}}],
            }
            if state is not None:
                record["baselineState"] = BASELINE_STATES[state]
            fixes = [_fix(result.document.path, fix) for fix in finding.fixes if fix.edits or fix.file_edits]
            if fixes:
                record["fixes"] = fixes
            sarif_results.append(record)
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "hullguard",
                        "informationUri": TOOL_URL,
                        "version": VERSION,
                        "rules": [_rule_descriptor(rule) for rule in ALL_RULES],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": sarif_results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
