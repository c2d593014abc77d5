"""Rule documentation rendered from the registry: ``hullguard rule``, ``hullguard rules
--markdown`` and the README's rule reference (a test keeps the README in sync)."""
from __future__ import annotations

from hullguard.model import Rule
from hullguard.rules import ALL_RULES

FIX_LABELS = {None: "—", "safe": "safe", "unsafe": "unsafe", "display-only": "suggestion"}


def rule_markdown(rule: Rule, heading: str = "#") -> str:
    docs = rule.docs
    default = "on by default" if rule.enabled_by_default else "off by default (enable with `--select` or `extend-select`)"
    sub = heading + "#"
    sections = [
        f"{heading} {rule.code} {rule.name}",
        f"{rule.summary}. Severity: {rule.severity.label}; {default}. Formats: {', '.join(f.value for f in rule.formats)}.",
        f"{sub} What it does\n{docs.what}",
        f"{sub} Why is this bad?\n{docs.why}",
        f"{sub} Example\n{docs.example}",
        f"{sub} Fix and its safety\n{docs.fix}",
    ]
    if docs.peers:
        sections.append(f"{sub} Peers\n{docs.peers}")
    return "\n\n".join(sections) + "\n"


def rules_table(rules: list[Rule] = ALL_RULES) -> str:
    lines = ["| Code | Name | Formats | Severity | Default | Fix | Summary |", "|---|---|---|---|---|---|---|"]
    for rule in rules:
        fix = FIX_LABELS[rule.fix.value if rule.fix else None]
        default = "on" if rule.enabled_by_default else "off"
        formats = ", ".join(f.value for f in rule.formats)
        anchor = f"{rule.code.lower()}-{rule.name}"
        lines.append(f"| [{rule.code}](#{anchor}) | `{rule.name}` | {formats} | {rule.severity.label} | {default} | {fix} | {rule.summary} |")
    return "\n".join(lines) + "\n"


def rules_reference(rules: list[Rule] = ALL_RULES) -> str:
    """The README section: the table, then every rule's docs."""
    return rules_table(rules) + "\n" + "\n".join(rule_markdown(rule, "###") for rule in rules)
