#!/usr/bin/env python3
"""Benchmark hullguard against checkov on the corpus Kubernetes manifests and Dockerfiles.

Run it with hullguard's interpreter, after ``bash benchmarks/setup_peers.sh checkov``:

    .venv/bin/python benchmarks/bench_checkov.py                 # 3 runs of each, alternating (about 10 minutes)
    .venv/bin/python benchmarks/bench_checkov.py --subset 50     # quick check: 50 files of each kind
    .venv/bin/python benchmarks/bench_checkov.py --runs 3 --json

What it measures (see benchmarks/README.md):

* the files: every ``*.yaml``/``*.yml`` of ``<repo>/../shared/corpus/kubernetes`` and every file of
  ``<repo>/../shared/corpus/dockerfile`` except ``*.dockerignore``. checkov's dockerfile framework
  only takes files named like ``Dockerfile``, ``x.Dockerfile`` or ``Dockerfile.x``; the corpus names
  them ``owner__repo__path__Dockerfile`` (or ``...__Containerfile``, ``...__Dockerfile_arm``), so
  both tools get a temporary folder of symlinks, ``kubernetes/<name>`` and
  ``dockerfile/<name>/Dockerfile``, and scan the folder;
* checkov: one ``checkov -d FOLDER --framework dockerfile,kubernetes --quiet --compact -o json
  --skip-download`` process, offline (BC_SKIP_MAPPING, CKV_SKIP_PACKAGE_UPDATE_CHECK);
* hullguard: one ``hullguard check --select ALL --format json --exit-zero FOLDER`` process, and the
  same files through the library in this process (files found by hullguard's own discovery);
* runs alternate (hullguard CLI, hullguard library, checkov, ...) and medians are compared;
  wall and CPU time and peak RSS (ru_maxrss from wait4) of each process;
* which files each tool actually linted: an untimed checkov run without ``--quiet`` (which would
  drop the passed checks) lists the files with results, and the parsing errors.
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path, PurePosixPath

from benchlib import (BENCH_DIR, CORPUS, BenchError, clean_env, corpus_dockerfiles, find_hullguard_cli, find_peer,
                      hullguard_version, lint_with_hullguard, load, machine, machine_line, positive,
                      progress_printer, python_env, run_process, summary, table, tool_version, verdict)

DEFAULT_KUBERNETES = CORPUS / "kubernetes"
DEFAULT_DOCKERFILES = CORPUS / "dockerfile"
PEERS_VENV = BENCH_DIR / ".peers-checkov-venv"

TARGET_RATIO = 20.0  # hullguard at least this many times faster than checkov on these files

KINDS = ("kubernetes", "dockerfile")  # the scan folder's subfolders, and checkov's check_type values
# checkov's own settings, dropped so that no user setting changes the run; then the offline ones.
CHECKOV_ENV_PREFIXES = ("CKV_", "BC_", "CHECKOV_", "PRISMA_", "LOG_LEVEL")
CHECKOV_OFFLINE_ENV = {"BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE"}
CHECKOV_OPTIONS = ["--framework", "dockerfile,kubernetes", "--compact", "-o", "json", "--skip-download"]
HULLGUARD_OPTIONS = ["check", "--select", "ALL", "--format", "json", "--exit-zero"]

INSTALL_HINT = """\
checkov not found. Install it into a virtual environment of its own (never hullguard's: it
installs bc-detect-secrets over detect_secrets) with

    bash benchmarks/setup_peers.sh checkov

which creates benchmarks/.peers-checkov-venv and pip-installs `checkov` there; or put checkov on
PATH, or pass --checkov /path/to/checkov."""


# ---------------------------------------------------------------------------------------------
# inputs

def kubernetes_files(corpus: Path) -> list[Path]:
    """Every *.yaml / *.yml regular file of the folder, sorted by name."""
    if not corpus.is_dir():
        raise BenchError(f"corpus folder not found: {corpus}")
    files = sorted(p for p in corpus.iterdir() if p.is_file() and p.suffix in (".yaml", ".yml"))
    if not files:
        raise BenchError(f"no *.yaml or *.yml files in {corpus}")
    return files


def build_scan_folder(root: Path, manifests: list[Path], dockerfiles: list[Path]) -> Path:
    """``root/scan`` with ``kubernetes/<name>`` and ``dockerfile/<name>/Dockerfile`` symlinks."""
    scan = root / "scan"
    for kind in KINDS:
        (scan / kind).mkdir(parents=True)
    for path in manifests:
        (scan / "kubernetes" / path.name).symlink_to(path)
    for path in dockerfiles:
        folder = scan / "dockerfile" / path.name
        folder.mkdir()
        (folder / "Dockerfile").symlink_to(path)
    return scan


def corpus_name(file_path: str) -> tuple[str, str]:
    """(kind, corpus file name) of a path inside the scan folder, as either tool prints it
    (``scan/kubernetes/x.yaml``, ``/dockerfile/x/Dockerfile``)."""
    parts = [part for part in PurePosixPath(file_path).parts if part not in ("/", "scan")]
    if len(parts) >= 2 and parts[0] == "kubernetes":
        return "kubernetes", parts[1]
    if len(parts) >= 3 and parts[0] == "dockerfile":
        return "dockerfile", parts[1]
    return "other", file_path


# ---------------------------------------------------------------------------------------------
# hullguard

def time_hullguard_cli(hullguard: Path, root: Path, env: dict[str, str]) -> tuple[float, dict]:
    """One ``hullguard check`` process over the scan folder; its JSON is parsed untimed.

    Exit status 2 with JSON on stdout means hullguard reported errors (such as a rule that
    crashed) next to its findings: the run counts, and the errors are reported."""
    done = run_process([str(hullguard), *HULLGUARD_OPTIONS, "scan"], root, env).check("hullguard check", (0, 2))
    try:
        records = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise BenchError(f"hullguard check exited {done.returncode} without JSON:\n"
                         f"{done.stderr.decode(errors='replace')[-2000:]}") from None
    errors = [line for line in done.stderr.decode(errors="replace").splitlines() if line.startswith("hullguard: error:")]
    with_findings = {corpus_name(record["filename"]) for record in records}
    invalid = {corpus_name(record["filename"]) for record in records if record["code"] == "HG000"}
    return done.seconds, {
        "findings": len(records),
        "files_with_findings": dict(Counter(kind for kind, _ in with_findings)),
        "files_with_hg000": dict(Counter(kind for kind, _ in invalid)),
        "errors": errors,
        "cpu_s": done.cpu_seconds,
        "peak_rss_kib": done.peak_rss_kib,
    }


def time_hullguard_library(inputs: list) -> tuple[float, float, dict]:
    """(wall seconds, CPU seconds, outcome) of linting ``inputs`` in this process."""
    start, cpu_start = time.perf_counter(), time.process_time()
    outcome = lint_with_hullguard(inputs, select=("ALL",))
    return time.perf_counter() - start, time.process_time() - cpu_start, outcome


# ---------------------------------------------------------------------------------------------
# checkov

def checkov_env() -> dict[str, str]:
    return clean_env(CHECKOV_ENV_PREFIXES) | CHECKOV_OFFLINE_ENV


def checkov_reports(stdout: bytes) -> list[dict]:
    """checkov's JSON: one report per framework with results, a single object when only one
    framework had any, and a bare summary when none had."""
    try:
        data = json.loads(stdout)
    except json.JSONDecodeError as error:
        raise BenchError(f"checkov printed no JSON ({error}): {stdout[:300]!r}") from None
    reports = data if isinstance(data, list) else [data]
    return [report for report in reports if isinstance(report, dict) and "check_type" in report]


def time_checkov(checkov: Path, root: Path, quiet: bool) -> tuple[float, dict]:
    """One ``checkov -d scan`` process (exit 1 means "found something"); JSON parsed untimed.

    Under --quiet checkov's JSON lists only the failed checks, so the files with results (and the
    parsing errors by file) are counted from a run without it."""
    command = [str(checkov), "-d", "scan", *CHECKOV_OPTIONS] + (["--quiet"] if quiet else [])
    done = run_process(command, root, checkov_env()).check("checkov", (0, 1))
    frameworks = {}
    failed = 0
    for report in checkov_reports(done.stdout):
        results, report_summary = report.get("results", {}), report.get("summary", {})
        checked = {corpus_name(check["file_path"])[1]
                   for key in ("passed_checks", "failed_checks", "skipped_checks")
                   for check in results.get(key, [])}
        failing = {corpus_name(check["file_path"])[1] for check in results.get("failed_checks", [])}
        parsing_errors = results.get("parsing_errors", [])
        frameworks[report["check_type"]] = {
            "resources": report_summary.get("resource_count", 0),
            "passed": report_summary.get("passed", 0),
            "failed": report_summary.get("failed", 0),
            "parsing_errors": report_summary.get("parsing_errors", 0),
            "files_with_failed_checks": len(failing),
            "files_with_results": None if quiet else sorted(checked),
            "parsing_error_files": None if quiet else sorted(corpus_name(p)[1] for p in parsing_errors),
        }
        failed += report_summary.get("failed", 0)
    return done.seconds, {
        "failed_checks": failed,
        "frameworks": frameworks,
        "cpu_s": done.cpu_seconds,
        "peak_rss_kib": done.peak_rss_kib,
        "stderr_lines": len(done.stderr.splitlines()),
    }


def checkov_coverage(accounting: dict, names: dict[str, list[str]]) -> dict:
    """Per kind: how many of its files checkov gave any result for, and the others' names."""
    coverage = {}
    for kind in KINDS:
        framework = accounting["frameworks"].get(kind, {})
        linted = set(framework.get("files_with_results") or ())
        coverage[kind] = {
            "files": len(names[kind]),
            "resources": framework.get("resources", 0),
            "files_with_results": len(linted & set(names[kind])),
            "files_without_results": [name for name in names[kind] if name not in linted],
            "parsing_error_files": framework.get("parsing_error_files") or [],
        }
    return coverage


# ---------------------------------------------------------------------------------------------
# report

def render_table(results: dict) -> str:
    cli, lib, ck = results["hullguard_cli"], results["hullguard_library"], results["checkov"]
    n = results["files"]["total"]
    columns = (cli, lib, ck)

    def row(label, cell):
        return (label, *(cell(c) for c in columns))

    rows = [
        ("", "hullguard CLI", "hullguard library", "checkov"),
        row("median wall (s)", lambda c: f"{c['median_s']:.2f}"),
        row("min .. max (s)", lambda c: f"{c['min_s']:.2f} .. {c['max_s']:.2f}"),
        row("files/s (median)", lambda c: f"{n / c['median_s']:,.1f}"),
        row("CPU, user+sys (s, median)", lambda c: f"{statistics.median(c['cpu_s']):.2f}"),
        ("findings / failed checks", f"{cli['findings']:,}", f"{lib['findings']:,}", f"{ck['failed_checks']:,}"),
        ("peak RSS (MiB)", f"{cli['peak_rss_kib'] / 1024:.1f}", "-", f"{ck['peak_rss_kib'] / 1024:.1f}"),
    ]
    files = results["files"]
    head = [
        f"{n:,} files: {files['kubernetes']:,} Kubernetes YAML from {results['corpus']['kubernetes']}, "
        f"{files['dockerfile']:,} Dockerfiles from {results['corpus']['dockerfile']} "
        f"({files['excluded_dockerignore']} .dockerignore skipped)" + (f"; first {results['subset']} of each" if results["subset"] else ""),
        f"{results['runs']} runs of each, alternating; hullguard {results['hullguard_version']} "
        f"(`hullguard {' '.join(HULLGUARD_OPTIONS)} scan`, and in-process), {results['checkov_version']} "
        f"(`checkov -d scan {' '.join(CHECKOV_OPTIONS)} --quiet`)",
        machine_line(results),
        "",
    ]
    cli_ratio, lib_ratio = results["ratio_checkov_over_hullguard_cli"], results["ratio_checkov_over_hullguard_library"]
    tail = ["", "files linted:"]
    formats = ", ".join(f"{count:,} {name}" for name, count in sorted(lib["formats"].items())) or "none"
    tail.append(f"  hullguard: {lib['documents']:,} files found by its discovery, linted as {formats}; "
                f"{lib['unparsed']} without a model; files with findings (CLI): "
                + ", ".join(f"{cli['files_with_findings'].get(kind, 0):,} {kind}" for kind in KINDS)
                + "; with HG000 (invalid file): "
                + ", ".join(f"{cli['files_with_hg000'].get(kind, 0):,} {kind}" for kind in KINDS))
    for kind in KINDS:
        cov = results["checkov_coverage"][kind]
        line = (f"  checkov {kind}: results for {cov['files_with_results']:,} of {cov['files']:,} files "
                f"({cov['resources']:,} resources), {len(cov['parsing_error_files'])} parsing errors")
        missing = cov["files_without_results"]
        if missing:
            line += f"; no result for {len(missing):,}, e.g. {', '.join(missing[:3])}"
        tail.append(line)
    tail += [
        "",
        f"ratio checkov/hullguard CLI (median wall): {cli_ratio:.1f}x  "
        f"(target >= {TARGET_RATIO:.0f}x: {verdict(cli_ratio >= TARGET_RATIO)})",
        f"ratio checkov/hullguard library (median wall): {lib_ratio:.1f}x",
    ]
    if cli["errors"]:
        tail.append(f"warning: hullguard check reported {len(cli['errors'])} error(s), first: {cli['errors'][0]}")
    if lib["rule_failures"]:
        tail.append(f"warning: {len(lib['rule_failures'])} rule crash(es) in hullguard, first: {lib['rule_failures'][0]}")
    return "\n".join(head + table(rows) + tail)


def run(args) -> dict:
    k8s_corpus, docker_corpus = args.kubernetes_corpus.resolve(), args.dockerfile_corpus.resolve()
    manifests = kubernetes_files(k8s_corpus)
    dockerfiles, excluded = corpus_dockerfiles(docker_corpus)
    if args.subset:
        manifests, dockerfiles = manifests[:args.subset], dockerfiles[:args.subset]
    names = {"kubernetes": [p.name for p in manifests], "dockerfile": [p.name for p in dockerfiles]}
    checkov = find_peer("checkov", args.checkov, PEERS_VENV, INSTALL_HINT)
    hullguard_cli = find_hullguard_cli()
    version = hullguard_version("bench_checkov.py")
    from hullguard.discovery import discover

    progress = progress_printer(args.quiet)
    progress(f"{len(manifests)} Kubernetes files, {len(dockerfiles)} Dockerfiles; checkov: {checkov}")
    load_before = load()

    with tempfile.TemporaryDirectory(prefix="hullguard-bench-checkov-") as folder:
        root = Path(folder)
        scan = build_scan_folder(root, manifests, dockerfiles)
        inputs, walk_errors = discover([str(scan)])
        if walk_errors:
            raise BenchError(f"hullguard could not read the scan folder: {walk_errors[0]}")
        env = python_env(root / "pycache")

        progress("untimed: hullguard CLI warm-up (fills the bytecode cache), checkov without --quiet (counts the files) ...")
        time_hullguard_cli(hullguard_cli, root, env)
        elapsed, accounting = time_checkov(checkov, root, quiet=False)
        progress(f"untimed checkov run without --quiet: {elapsed:.1f} s")

        cli_times, lib_times, ck_times = [], [], []
        cli_cpu, lib_cpu, ck_cpu = [], [], []
        cli_rss = ck_rss = 0
        for index in range(args.runs):
            elapsed, cli_outcome = time_hullguard_cli(hullguard_cli, root, env)
            cli_times.append(elapsed)
            cli_cpu.append(cli_outcome["cpu_s"])
            cli_rss = max(cli_rss, cli_outcome["peak_rss_kib"])
            progress(f"run {index + 1}/{args.runs}: hullguard CLI     {elapsed:.2f} s")
            elapsed, cpu, lib_outcome = time_hullguard_library(inputs)
            lib_times.append(elapsed)
            lib_cpu.append(cpu)
            progress(f"run {index + 1}/{args.runs}: hullguard library {elapsed:.2f} s")
            elapsed, ck_outcome = time_checkov(checkov, root, quiet=True)
            ck_times.append(elapsed)
            ck_cpu.append(ck_outcome["cpu_s"])
            ck_rss = max(ck_rss, ck_outcome["peak_rss_kib"])
            progress(f"run {index + 1}/{args.runs}: checkov           {elapsed:.2f} s")

    cli = summary(cli_times) | {k: v for k, v in cli_outcome.items() if k not in ("cpu_s", "peak_rss_kib")} | {
        "cpu_s": cli_cpu, "peak_rss_kib": cli_rss}
    lib = summary(lib_times) | {
        "findings": lib_outcome["findings"],
        "documents": len(inputs),
        "formats": lib_outcome["formats"],
        "unparsed": lib_outcome["unparsed"],
        "rule_failures": lib_outcome["rule_failures"],
        "cpu_s": lib_cpu,
    }
    ck = summary(ck_times) | {
        "failed_checks": ck_outcome["failed_checks"],
        "frameworks": ck_outcome["frameworks"],
        "cpu_s": ck_cpu,
        "peak_rss_kib": ck_rss,
    }
    return {
        "corpus": {"kubernetes": str(k8s_corpus), "dockerfile": str(docker_corpus)},
        "files": {"total": len(manifests) + len(dockerfiles), "kubernetes": len(manifests),
                  "dockerfile": len(dockerfiles), "excluded_dockerignore": excluded},
        "subset": args.subset,
        "runs": args.runs,
        "hullguard_version": version,
        "hullguard_command": ["hullguard", *HULLGUARD_OPTIONS, "scan"],
        "checkov_version": "checkov " + tool_version([str(checkov), "--version"], checkov_env()),
        "checkov_path": str(checkov),
        "checkov_command": ["checkov", "-d", "scan", *CHECKOV_OPTIONS, "--quiet"],
        "checkov_env": CHECKOV_OFFLINE_ENV,
        "python": platform.python_version(),
        "machine": machine(load_before),
        "hullguard_cli": cli,
        "hullguard_library": lib,
        "checkov": ck,
        "checkov_coverage": checkov_coverage(accounting, names),
        "ratio_checkov_over_hullguard_cli": ck["median_s"] / cli["median_s"],
        "ratio_checkov_over_hullguard_library": ck["median_s"] / lib["median_s"],
        "targets": {"ratio_min": TARGET_RATIO, "ratio_met": ck["median_s"] / cli["median_s"] >= TARGET_RATIO},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="hullguard vs checkov on the corpus Kubernetes files and Dockerfiles")
    parser.add_argument("--runs", type=positive, default=3, help="timed runs of each tool (default 3)")
    parser.add_argument("--subset", type=positive, help="only the first N files of each kind (quick checks)")
    parser.add_argument("--kubernetes-corpus", type=Path, default=DEFAULT_KUBERNETES,
                        help=f"folder of Kubernetes YAML files (default {DEFAULT_KUBERNETES})")
    parser.add_argument("--dockerfile-corpus", type=Path, default=DEFAULT_DOCKERFILES,
                        help=f"folder of Dockerfiles (default {DEFAULT_DOCKERFILES})")
    parser.add_argument("--checkov", help="path of the checkov command (default: benchmarks/.peers-checkov-venv, then PATH)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on standard error")
    args = parser.parse_args(argv)

    try:
        results = run(args)
    except BenchError as error:
        print(f"bench_checkov: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(render_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
