"""ruff-style text: ``path:line:col: HG101 [*] message``, then a summary with fix hints."""
from __future__ import annotations

from hullguard.model import Applicability, Severity
from hullguard.output.common import applicability_counts, one_based, with_states

COLOURS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "34"}


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if colour else text


def _count(number: int) -> str:
    return f"{number} finding" if number == 1 else f"{number} findings"


def render(results, *, allow_unsafe: bool = False, colour: bool = False, fixed: int = 0) -> str:
    lines = []
    findings = []
    hidden = 0  # pre-existing findings, when comparing: counted, not shown
    for result in results:
        for finding, state in with_states(result):
            if state == "existing":
                hidden += 1
                continue
            findings.append(finding)
            line, column = one_based(finding.span.start)
            location = _paint(f"{result.document.path}:{line}:{column}:", "1", colour)
            code = _paint(finding.code, COLOURS[finding.severity], colour)
            marker = " [*]" if finding.best_fix(allow_unsafe) else ""
            lines.append(f"{location} {code}{marker} {finding.message}")
    counts = applicability_counts(findings)
    comparing = any(result.states is not None for result in results)  # --since, --baseline
    if comparing and (findings or hidden):
        new = f"{len(findings)} new finding" + ("" if len(findings) == 1 else "s")
        summary = f"Found {new}" if findings else "No new findings"
        lines.append(summary + (f" ({hidden} pre-existing hidden)." if hidden else "."))
    elif findings:
        lines.append(f"Found {_count(len(findings) + fixed)}" + (f" ({fixed} fixed, {len(findings)} remaining)." if fixed else "."))
    elif fixed:
        lines.append(f"Found {_count(fixed)} ({fixed} fixed, 0 remaining).")
    else:
        lines.append("All checks passed!")
    if findings:
        applicable = counts[Applicability.SAFE] + (counts[Applicability.UNSAFE] if allow_unsafe else 0)
        if applicable:
            lines.append(f"[*] {applicable} fixable with the `--fix` option.")
        if counts[Applicability.UNSAFE] and not allow_unsafe:
            lines.append(f"{counts[Applicability.UNSAFE]} more fixable with the `--unsafe-fixes` option.")
    return "\n".join(lines) + "\n"
