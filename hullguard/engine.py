"""The rule engine: runs the enabled rules on a document and applies suppressions."""
from __future__ import annotations

import gc
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from hullguard.config import Config, enabled_rules, severity_of
from hullguard.context import RuleContext
from hullguard.documents import Document
from hullguard.kubernetes import KubernetesFile
from hullguard.model import Finding, Format, Rule
from hullguard.rules import ALL_RULES, INVALID_FILE, RULES_BY_CODE, UNUSED_SUPPRESSION, find_rule
from hullguard.suppressions import apply_suppressions, parse_suppressions
from hullguard.text import Position, Span
from hullguard.yamledit import indent_unit


@dataclass
class LintResult:
    document: Document
    findings: list[Finding]
    rule_failures: list[str] = field(default_factory=list)  # "HG101: ValueError: ..." for crashed rules
    dependencies: set[str] = field(default_factory=set)  # other files the findings were computed from
    # When comparing (``check --since``, ``--baseline``): per finding, "new" or "existing"
    # (already there at the revision, or in the baseline); None when not comparing.
    states: list[str] | None = None
    # The output format's rendering of this result, when a forked worker rendered it.
    rendered: list[str] | None = None


def pace_collector() -> None:
    """For a process that lints many files (or one file again and again): linting builds
    many small, mostly acyclic objects (YAML nodes, spans, words) and frees them soon, and
    at the cyclic collector's default pace (every 700 allocations) collecting costs a
    quarter of the time and finds little. The objects loaded so far (modules, rules) live
    as long as the process: frozen, full collections skip them (and forked workers share
    their pages)."""
    gc.set_threshold(50_000, 20, 100)
    gc.freeze()


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
    results: "DocumentResults | None" = None,
) -> LintResult:
    """Run the enabled rules; ``suppress=False`` keeps suppressed findings (for redaction).
    ``project`` holds facts from the other files of the run, for cross-file rules;
    ``previous`` the parsed model of the document's earlier version (same format), for the
    regression rules, which report nothing without it (see ``RuleContext.previous``).
    ``results``: the findings of earlier lints per document of a YAML stream, for a
    long-lived process that lints the same files again and again (the language server)."""
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
        findings.extend(INVALID_FILE.finding(p.span or Span(Position(0, 0), Position(0, 0)), p.message) for p in document.model.problems)
    checked = [rule for rule in enabled if document.format in rule.checks]
    if results is not None and document.format is Format.KUBERNETES:
        per_document = [rule for rule in checked if not (rule.whole_stream or rule.needs_previous)]
        checked = [rule for rule in checked if rule.whole_stream or rule.needs_previous]
        results.lint(document.model, per_document, context, findings, failures)
    _run(checked, document.format, document.model, context, findings, failures)
    failures = list(dict.fromkeys(failures))  # a rule that fails on every document: once
    severities = {rule.code: severity_of(config, rule) for rule in enabled}
    for finding in findings:
        finding.severity = severities[finding.code]

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


def _run(rules: list[Rule], document_format: Format, model, context: RuleContext, findings: list[Finding], failures: list[str]) -> None:
    for rule in rules:
        try:
            findings.extend(rule.checks[document_format](model, context))
        except Exception as error:  # a broken rule must not hide the other rules' results
            failures.append(f"{rule.code} ({rule.name}): {type(error).__name__}: {error}")


class DocumentResults:
    """What the rules that judge each document on its own (not ``Rule.whole_stream``) found
    in each document of a Kubernetes stream, kept between lints: an edit re-checks only the
    documents whose text it changed, and a document the edit only moved gets its findings
    moved. Keyed by the document's text, the rules and every setting those rules read; the
    least recently used entries go first."""

    def __init__(self, size: int = 4096):
        self.size = size
        self._entries: OrderedDict[tuple, tuple[int, list[Finding], list[str]]] = OrderedDict()

    def lint(self, manifest: KubernetesFile, rules: list[Rule], context: RuleContext, findings: list[Finding], failures: list[str]) -> None:
        """Add the findings of ``rules`` for each document of ``manifest``."""
        settings = (tuple(rule.code for rule in rules), *_settings_key(context, manifest.source))
        for view in manifest.by_document():
            text = view.documents[0].text
            key = (text.content_hash, settings)
            entry = self._entries.get(key)
            if entry is None:
                entry, reusable = self._check(view, rules, context)
                if reusable:
                    self._entries[key] = entry
                    if len(self._entries) > self.size:
                        self._entries.popitem(last=False)
            else:
                self._entries.move_to_end(key)
            first_line, found, failed = entry
            findings.extend(finding.moved(text.first_line - first_line) for finding in found)
            failures.extend(failed)

    @staticmethod
    def _check(view: KubernetesFile, rules: list[Rule], context: RuleContext) -> tuple[tuple[int, list[Finding], list[str]], bool]:
        text = view.documents[0].text
        found: list[Finding] = []
        failed: list[str] = []
        read_before = len(context.dependencies)
        _run(rules, Format.KUBERNETES, view, context, found, failed)
        last_line = text.first_line + text.text.count("\n")
        # Not reusable when it read another file, or a fix reaches beyond the document.
        reusable = len(context.dependencies) == read_before and all(_within(f, text.first_line, last_line) for f in found)
        return (text.first_line, found, failed), reusable


def _settings_key(context: RuleContext, source) -> tuple:
    # The indentation unit of the file shapes the fixes' text.
    return (context.path, context.trusted_registries, context.sensitive_ports, context.pss_level, context.pss_version, indent_unit(source))


def _within(finding: Finding, first_line: int, last_line: int) -> bool:
    spans = [finding.span, *(edit.span for fix in finding.fixes for edit in fix.edits)]
    return all(first_line <= span.start.line and span.end.line <= last_line + 1 for span in spans)


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
