"""The ``hullguard`` command line: ``check`` (with ``--fix``), ``rule`` and ``rules``.

Exit codes: 0 clean, 1 findings (or changes under ``--diff``), 2 usage, configuration,
input or internal error.
"""
from __future__ import annotations

import argparse
import os
import sys
from itertools import repeat
from pathlib import Path

from hullguard import __version__
from hullguard.config import Config, ConfigError, ConfigFinder, is_excluded, validate_selectors
from hullguard.docs import rule_markdown, rules_reference
from hullguard.discovery import DiscoveryError, discover
from hullguard.documents import Document, detect_format, load_document
from hullguard.engine import LintResult, lint_document, pace_collector
from hullguard.fixer import FixError, choose_document_fixes, choose_fixes, fix_document, write_atomically
from hullguard.model import Format, Severity
from hullguard.parallel import lint_all, worker_count
from hullguard.project import ProjectIndex
from hullguard.yamlfile import keep_composed
from hullguard.output import FORMATS, RESULT_RENDERERS
from hullguard.redact import redact
from hullguard.rules import ALL_RULES, find_rule
from hullguard.server import add_arguments as add_server_arguments

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(ValueError):
    pass


def _selectors(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hullguard", description="Container-security linter with fixes.")
    parser.add_argument("--version", action="version", version=f"hullguard {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="lint files and folders (default: the current folder)")
    check.add_argument("paths", nargs="*", default=["."], help="files or folders; '-' reads standard input")
    check.add_argument("--select", type=_selectors, help="rules to enable (codes, names, prefixes such as HG1, or ALL); replaces the config's selection")
    check.add_argument("--extend-select", type=_selectors, default=[], help="rules to enable on top of the selection")
    check.add_argument("--ignore", type=_selectors, default=[], help="rules to disable")
    check.add_argument("--format", choices=sorted(FORMATS), default="text", help="output format (default: text)")
    check.add_argument("--fix", action="store_true", help="apply safe fixes")
    check.add_argument("--unsafe-fixes", action="store_true", help="also apply (with --fix) or offer unsafe fixes")
    check.add_argument("--diff", action="store_true", help="print the fixes as a diff instead of writing them")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    check.add_argument("--fail-on", choices=["info", "warning", "error"], default="info", help="lowest severity that makes the exit code 1 (default: info)")
    check.add_argument("--kind", choices=[f.value for f in Format], help="treat every file as this format (YAML content still tells compose from Kubernetes)")
    check.add_argument("--pss", choices=["baseline", "restricted"], help="the Pod Security Standards level for Kubernetes rules (default: the config's pss-level, else restricted)")
    check.add_argument("--stdin-filename", help="the path of the text read from standard input (for config and messages)")
    check.add_argument("--config", type=Path, help="use this config file instead of searching for one")
    check.add_argument("--since", metavar="REF", help="report only the findings a change introduces: compare each file with its version at this git revision (HEAD, origin/main)")
    check.add_argument("--baseline", type=Path, metavar="FILE", help="report only the findings this baseline file does not record")
    check.add_argument("--write-baseline", type=Path, metavar="FILE", help="record every finding in this baseline file (for --baseline), and exit 0")
    check.set_defaults(handler=run_check)

    rule = commands.add_parser("rule", help="show a rule's documentation")
    rule.add_argument("code", help="a rule code (HG101) or name (run-as-root)")
    rule.set_defaults(handler=run_rule)

    rules = commands.add_parser("rules", help="list every rule")
    rules.add_argument("--markdown", action="store_true", help="print the rule reference as markdown (the README's)")
    rules.set_defaults(handler=run_rules)

    pin = commands.add_parser("pin", help="pin images to digests: FROM, compose and Kubernetes image references (asks their registries)")
    pin.add_argument("paths", nargs="*", default=["."], help="files or folders (default: the current folder)")
    pin.add_argument("--refresh", action="store_true", help="ask the registries again, also for pinned references, and update digests that changed")
    pin.add_argument("--diff", "--dry-run", dest="diff", action="store_true", help="print the changes as a diff; write nothing (not even the lock cache)")
    pin.add_argument("--config", type=Path, help="use this config file instead of searching for one")
    pin.set_defaults(handler=run_pin)

    server = commands.add_parser("server", help="run the language server (LSP over stdio) for editors")
    add_server_arguments(server)
    server.set_defaults(handler=run_server)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except (ConfigError, DiscoveryError, FixError, UsageError) as error:
        print(f"hullguard: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as error:  # e.g. a fix cannot be written
        print(f"hullguard: error: {error.filename or ''}: {error.strerror or error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a bug of ours: one line and exit 2, never "findings" (1)
        print(f"hullguard: error: internal error: {type(error).__name__}: {error} (please report)", file=sys.stderr)
        return EXIT_ERROR


def _read_inputs(args, finder: ConfigFinder, errors: list[str]) -> list[tuple[str, bytes, Format]]:
    """(path, data, format) for every input; what cannot be read goes to ``errors``."""
    forced = Format(args.kind) if args.kind else None
    if args.paths == ["-"]:
        name = args.stdin_filename or "-"
        document_format = forced or (detect_format(name) if args.stdin_filename else None) or Format.DOCKERFILE
        return [(name, sys.stdin.buffer.read(), document_format)]
    if "-" in args.paths:
        raise UsageError("'-' (standard input) cannot be combined with other paths")
    inputs = []
    files, folder_errors = discover(args.paths, forced)
    errors.extend(folder_errors)
    for path, document_format in files:
        if is_excluded(finder.for_file(path), path):
            continue
        try:
            inputs.append((str(path), path.read_bytes(), document_format))
        except OSError as error:
            errors.append(f"{path}: cannot read: {error.strerror}")
    return inputs


def run_check(args) -> int:
    pace_collector()
    for option in ("select", "extend_select", "ignore"):
        validate_selectors(getattr(args, option) or [], ALL_RULES, f"--{option.replace('_', '-')}")
    if args.diff and args.format != "text":
        raise UsageError("--diff prints a diff; it cannot be combined with --format")
    _check_comparison_options(args)
    finder = ConfigFinder(ALL_RULES, explicit=args.config)
    fixing = args.fix or args.diff
    from_stdin = args.paths == ["-"]
    results: list[LintResult] = []
    errors: list[str] = []
    diffs: list[str] = []
    other_files: dict[str, tuple[str | None, str]] = {}  # files fixes create or extend: before, after
    fixed_count = 0
    pinners: list = []  # with resolve-digests: the run's digest resolver, created on first use
    inputs = _read_inputs(args, finder, errors)
    lint = _comparing(args, inputs) if args.since or args.baseline else lint_document
    plain = not fixing and lint is lint_document and not args.write_baseline  # the outputs need no file's text
    if plain:
        keep_composed(16)  # each file is read once
    project = ProjectIndex()  # cross-file facts: the NetworkPolicies of every YAML file of the run
    for path, data, document_format in inputs:
        if document_format is Format.KUBERNETES:
            project.add_data(path, data)
    with_options: dict[int, Config] = {}  # one per config file, not per input: rules are selected once per Config

    def config_of(path: str) -> Config:
        base = finder.for_file(Path(path) if path != "-" else None)
        if id(base) not in with_options:
            with_options[id(base)] = base.with_cli(args.select, args.extend_select, args.ignore, args.pss)
        return with_options[id(base)]

    configs = [config_of(path) for path, _, _ in inputs]
    workers = worker_count(len(inputs)) if plain else 1
    if workers > 1:  # a plain check of many files: every core
        results = lint_all([(*item, config) for item, config in zip(inputs, configs)], project, workers, RESULT_RENDERERS.get(args.format))
        errors.extend(f"{result.document.path}: rule {failure}" for result in results for failure in result.rule_failures)
        inputs = []
    for (path, data, document_format), config in zip(inputs, configs):
        document = load_document(path, data, document_format, max_bytes=config.max_file_size)
        if not fixing:
            results.append(lint(document, config, project=project))
            if plain:  # parsed files freed as the run goes: far less for the garbage collector to walk
                results[-1].document = document.without_content()
        else:
            # Under --diff nothing is written, so later files must see earlier files' changes.
            pending = {p: after for p, (_, after) in other_files.items()} if args.diff else None
            choose = choose_document_fixes if from_stdin else choose_fixes
            enrich = _digest_pinning(config, pinners, errors) if config.resolve_digests else None
            outcome = fix_document(document, config, allow_unsafe=args.unsafe_fixes, choose=choose, file_overrides=pending, project=project, enrich=enrich)
            fixed_count += len(outcome.applied)
            results.append(outcome.result)
            if args.diff:
                diffs.append(_document_diff(document, outcome))
                for other, (before, after) in outcome.other_files.items():
                    other_files[other] = (other_files.get(other, (before, after))[0], after)
            elif from_stdin:
                sys.stdout.buffer.write(outcome.document.source.to_bytes() if outcome.document.source else data)
            else:
                _write(outcome)
        errors.extend(f"{path}: rule {failure}" for failure in results[-1].rule_failures)

    if not args.diff:
        for pinner in pinners:
            pinner.save()  # the lock cache of the digests the fixes pinned
    for error in errors:
        print(f"hullguard: error: {error}", file=sys.stderr)
    if args.write_baseline:
        return _write_baseline(args.write_baseline, results, errors)
    if args.diff:
        diffs.extend(_unified_diff(before or "", after, other) for other, (before, after) in other_files.items())
        sys.stdout.write("".join(diffs))
    elif not (from_stdin and args.fix):
        colour = args.format == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        sys.stdout.write(FORMATS[args.format](results, allow_unsafe=args.unsafe_fixes, colour=colour, fixed=fixed_count))
    if errors:
        return EXIT_ERROR
    if args.diff:
        return EXIT_FINDINGS if any(diffs) else EXIT_CLEAN
    threshold = Severity.parse(args.fail_on)
    failing = any(f.severity >= threshold for result in results for f, state in zip(result.findings, result.states or repeat("new")) if state == "new")
    return EXIT_FINDINGS if failing and not args.exit_zero else EXIT_CLEAN


def _check_comparison_options(args) -> None:
    if args.write_baseline and (args.since or args.baseline):
        raise UsageError("--write-baseline records every finding; it cannot be combined with --since or --baseline")
    if (args.since or args.baseline or args.write_baseline) and (args.fix or args.diff):
        option = "--since" if args.since else "--baseline" if args.baseline else "--write-baseline"
        raise UsageError(f"{option} cannot be combined with --fix or --diff")


def _comparing(args, inputs):
    """For --since and --baseline: a lint function that also marks each finding new or
    existing (``LintResult.states``)."""
    from hullguard.baseline import BaselineError, read_baseline
    from hullguard.regression import GitError, Since, lint_compared

    try:
        baseline = read_baseline(args.baseline) if args.baseline else None
        since = Since(args.since) if args.since else None
        if since is not None:
            since.prepare(inputs)
    except (BaselineError, GitError) as error:
        raise UsageError(str(error)) from None

    def lint(document, config, project):
        try:
            return lint_compared(document, config, project=project, since=since, baseline=baseline)
        except GitError as error:
            raise UsageError(str(error)) from None

    return lint


def _write_baseline(path: Path, results: list[LintResult], errors: list[str]) -> int:
    from hullguard.baseline import write_baseline

    if errors:
        print(f"hullguard: error: {path} not written: not every file could be linted", file=sys.stderr)
        return EXIT_ERROR
    count, files = write_baseline(path, results)
    sys.stdout.write(f"Wrote {count} finding{'' if count == 1 else 's'} in {files} file{'' if files == 1 else 's'} to {path}.\n")
    return EXIT_CLEAN


def _digest_pinning(config: Config, pinners: list, errors: list[str]):
    """With ``resolve-digests = true``, ``--fix`` pins images (HG202) by asking their
    registries; one Pinner (and lock cache) per run. Failures are errors: exit 2."""
    from hullguard.pinning import Pinner, attach_pin_fixes

    if not pinners:
        pinners.append(Pinner())

    def enrich(document, findings) -> None:
        for finding, reason in attach_pin_fixes(document, findings, pinners[0], config):
            errors.append(f"{document.path}:{finding.span.start.line + 1}:{finding.span.start.column + 1}: cannot pin: {reason}")

    return enrich


def _write(outcome) -> None:
    for path, (_, new_text) in outcome.other_files.items():
        write_atomically(path, new_text.encode("utf-8"))
    if outcome.fixed_text is not None:
        write_atomically(outcome.document.path, outcome.document.source.to_bytes())


def _redacted_lines(document: Document) -> list[str]:
    """The document's lines with every secret value masked, for showing in a diff."""
    text = document.source.text
    # Every rule, and suppressions ignored: a suppressed secret is still a secret.
    secrets = [f for f in lint_document(document, Config(select=("ALL",)), suppress=False).findings if f.secret]
    for finding in sorted(secrets, key=lambda f: f.span.start, reverse=True):
        start, end = document.source.offset(finding.span.start), document.source.offset(finding.span.end)
        text = text[:start] + redact(text[start:end]) + text[end:]
    return text.splitlines(keepends=True)


def _document_diff(original: Document, outcome) -> str:
    if outcome.fixed_text is None:
        return ""
    before, after = _redacted_lines(original), _redacted_lines(outcome.document)
    return _unified_diff(before, after, original.path)


def _unified_diff(before: str | list[str], after: str | list[str], path: str) -> str:
    import difflib  # only for --diff: keeps a plain check fast to start

    if isinstance(before, str):
        before, after = before.splitlines(keepends=True), after.splitlines(keepends=True)
    lines = difflib.unified_diff(before, after, f"a/{path}", f"b/{path}")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def run_rule(args) -> int:
    rule = find_rule(args.code)
    if rule is None:
        raise UsageError(f"no rule {args.code!r}; `hullguard rules` lists them")
    sys.stdout.write(rule_markdown(rule))
    return EXIT_CLEAN


def run_rules(args) -> int:
    if args.markdown:
        sys.stdout.write(rules_reference())
        return EXIT_CLEAN
    for rule in ALL_RULES:
        default = "" if rule.enabled_by_default else "  (off by default)"
        sys.stdout.write(f"{rule.code}  {rule.name:<32} {rule.severity.label:<8} {rule.summary}{default}\n")
    return EXIT_CLEAN


def run_pin(args) -> int:
    from hullguard.pinning import pin_command  # only `pin` loads the registry client

    return pin_command(args)


def run_server(args) -> int:
    from hullguard.server.app import serve  # only `server` loads pygls

    return serve(args.verbose)


if __name__ == "__main__":
    sys.exit(main())
