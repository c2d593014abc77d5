"""The rule engine: runs the enabled rules on a document and applies suppressions."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hullguard.config import Config, enabled_rules, severity_of
from hullguard.context import RuleContext
from hullguard.documents import Document
from hullguard.model import Finding, Rule
from hullguard.rules import ALL_RULES, INVALID_FILE, RULES_BY_CODE, UNUSED_SUPPRESSION, find_rule
from hullguard.suppressions import apply_suppressions, parse_suppressions
from hullguard.text import Position, Span


@dataclass
class LintResult:
    document: Document
    findings: list[Finding]
    rule_failures: list[str] = field(default_factory=list)  # "HG101: ValueError: ..." for crashed rules
    dependencies: set[str] = field(default_factory=set)  # other files the findings were computed from
    # When comparing (``check --since``, ``--baseline``): per finding, "new" or "existing"
    # (already there at the revision, or in the baseline); None when not comparing.
    states: list[str] | None = None


def make_context(config: Config, path: Path | None, file_overrides: dict | None = None, project=None, previous=None) -> RuleContext:
    return RuleContext(
        path=path,
        trusted_registries=config.trusted_registries,
        sensitive_ports=config.sensitive_ports,
        pss_level=config.pss_level,
        pss_version=config.pss_version,
        file_overrides=file_overrides or {},
        project=project,
        previous=previous,
    )


def lint_document(
    document: Document,
    config: Config,
    *,
    rules: list[Rule] = ALL_RULES,
    file_overrides: dict | None = None,
    suppress: bool = True,
    project=None,
    previous=None,
) -> LintResult:
    """Run the enabled rules; ``suppress=False`` keeps suppressed findings (for redaction).
    ``project`` holds facts from the other files of the run, for cross-file rules;
    ``previous`` the parsed model of the document's earlier version (same format), for the
    regression rules, which report nothing without it (see ``RuleContext.previous``)."""
    path = Path(document.path) if document.path and document.path != "-" else None
    enabled = enabled_rules(config, rules, path)
    enabled_codes = {rule.code for rule in enabled}
    if document.model is None:
        findings = []
        if INVALID_FILE.code in enabled_codes:
            span = document.error_span or Span(Position(0, 0), Position(0, 0))
            findings.append(INVALID_FILE.finding(span, document.error or "cannot parse"))
        return LintResult(document, _with_severity(findings, severity_of(config, INVALID_FILE)))

    context = make_context(config, path, file_overrides, project, previous)
    findings: list[Finding] = []
    failures: list[str] = []
    if INVALID_FILE.code in enabled_codes:  # broken documents of a YAML stream; the rest is linted
        problems = [INVALID_FILE.finding(p.span or Span(Position(0, 0), Position(0, 0)), p.message) for p in document.model.problems]
        findings.extend(_with_severity(problems, severity_of(config, INVALID_FILE)))
    for rule in enabled:
        check = rule.checks.get(document.format)
        if check is None:
            continue
        try:
            rule_findings = list(check(document.model, context))
        except Exception as error:  # a broken rule must not hide the other rules' results
            failures.append(f"{rule.code} ({rule.name}): {type(error).__name__}: {error}")
            continue
        findings.extend(_with_severity(rule_findings, severity_of(config, rule)))

    if not suppress:
        return LintResult(document, findings, failures, context.dependencies)
    suppressions = parse_suppressions(document.model)
    findings = apply_suppressions(findings, suppressions, RULES_BY_CODE)
    if UNUSED_SUPPRESSION.code in enabled_codes:
        unused = _unused_suppressions(suppressions, enabled_codes)
        # HG001 findings can themselves be suppressed (ignore-file[HG001] is then "used").
        unused = apply_suppressions(unused, suppressions, RULES_BY_CODE)
        findings.extend(_with_severity(unused, severity_of(config, UNUSED_SUPPRESSION)))
    findings.sort(key=lambda f: (f.span.start, f.code))
    return LintResult(document, findings, failures, context.dependencies)


def _with_severity(findings: list[Finding], severity) -> list[Finding]:
    for finding in findings:
        finding.severity = severity
    return findings


def _unused_suppressions(suppressions, enabled_codes: set[str]) -> list[Finding]:
    findings = []
    for suppression in suppressions:
        if suppression.from_hadolint:
            continue  # may be meant for hadolint itself
        if not suppression.selectors:
            findings.append(UNUSED_SUPPRESSION.finding(suppression.span, "suppression names no rule: write ignore[HG101]"))
            continue
        for selector in suppression.selectors:
            if selector in suppression.used or find_rule(selector) is UNUSED_SUPPRESSION:
                continue  # suppressing HG001 is judged after HG001's own findings
            rule = find_rule(selector)
            if rule is None:
                reason = "no such rule"
            elif rule.code not in enabled_codes:
                reason = "rule not enabled"
            else:
                reason = "nothing to suppress"
            findings.append(UNUSED_SUPPRESSION.finding(suppression.span, f"unused suppression of {selector} ({reason})"))
    return findings
