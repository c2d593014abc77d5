"""What the benchmark scripts share: finding the tools, timing processes, linting in-process.

The scripts import this module by name (``import benchlib``); Python puts the script's folder,
``benchmarks/``, first on ``sys.path``.
"""
from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hullguard.model import Format

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
CORPUS = REPO.parent / "shared" / "corpus"


class BenchError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# inputs

def corpus_dockerfiles(corpus: Path) -> tuple[list[Path], int]:
    """Every regular file of a corpus folder except .dockerignore files, sorted by name, and
    how many .dockerignore files were left out."""
    if not corpus.is_dir():
        raise BenchError(f"corpus folder not found: {corpus}")
    entries = [p for p in corpus.iterdir() if p.is_file()]
    files = sorted(p for p in entries if not p.name.endswith(".dockerignore"))
    if not files:
        raise BenchError(f"no Dockerfiles in {corpus}")
    return files, len(entries) - len(files)


# ---------------------------------------------------------------------------------------------
# tools

def find_peer(name: str, explicit: str | None, venv: Path, install_hint: str) -> Path:
    """``explicit`` if given, else ``venv/bin/<name>``, else ``name`` on PATH."""
    if explicit:
        path = Path(explicit)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise BenchError(f"--{name} {explicit}: not an executable file\n\n{install_hint}")
        return path
    in_venv = venv / "bin" / name
    if in_venv.is_file() and os.access(in_venv, os.X_OK):
        return in_venv
    on_path = shutil.which(name)
    if on_path:
        return Path(on_path)
    raise BenchError(install_hint)


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


def hullguard_version(script: str) -> str:
    """hullguard's version; the import fails unless the script runs with hullguard's python."""
    try:
        import hullguard
    except ImportError:
        raise BenchError(f"cannot import hullguard: run this script with hullguard's environment, "
                         f"e.g. .venv/bin/python benchmarks/{script}") from None
    return hullguard.__version__


def tool_version(command: list[str], env: dict[str, str] | None = None) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"unknown ({error})"
    output = (done.stdout or done.stderr).strip()
    return output.splitlines()[0] if output else "unknown"


# ---------------------------------------------------------------------------------------------
# environments

def clean_env(drop_prefixes: tuple[str, ...] = ()) -> dict[str, str]:
    """This process's environment without the variables that start with ``drop_prefixes``
    (a peer's own settings), so that no user setting changes the run."""
    return {k: v for k, v in os.environ.items() if not k.startswith(drop_prefixes)}


def python_env(pycache: Path) -> dict[str, str]:
    """The environment for fresh hullguard processes: bytecode cached, as after ``pip install``.

    Where the environment sets PYTHONDONTWRITEBYTECODE (some sandboxes and CI do), every
    process would compile hullguard's sources again (about 50 ms here). The cache goes to a temporary
    folder (PYTHONPYCACHEPREFIX), so nothing is written into the source tree; an untimed
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
# processes

@dataclass
class ProcessRun:
    seconds: float  # wall time from spawn to exit
    returncode: int
    stdout: bytes
    stderr: bytes
    cpu_seconds: float  # user + system time of the child and of the children it waited for
    peak_rss_kib: int  # ru_maxrss of the child, or of the largest child it waited for (KiB on Linux)

    def check(self, what: str, ok_codes: tuple[int, ...]) -> "ProcessRun":
        if self.returncode not in ok_codes:
            raise BenchError(f"{what} exited {self.returncode}:\n{self.stderr.decode(errors='replace')[-2000:]}")
        return self


# The measured processes are started by this small helper process, not by the benchmark itself.
# Linux keeps a process's peak RSS across execve: a child spawned by a process that has ever been
# large (the benchmark, after linting in-process or parsing a peer's 100 MB of JSON) reports at
# least that process's peak as its own ru_maxrss, whatever the program it then runs. The helper
# stays small (about 10 MB, the floor of every RSS figure), so its children's figures are theirs.
LAUNCHER_CODE = r"""
import json, os, subprocess, sys, time
for line in sys.stdin:
    request = json.loads(line)
    try:
        with open(request["stdout"], "wb") as out, open(request["stderr"], "wb") as err:
            start = time.perf_counter()
            process = subprocess.Popen(request["command"], cwd=request["cwd"], env=request["env"],
                                       stdin=subprocess.DEVNULL, stdout=out, stderr=err)
            _, status, usage = os.wait4(process.pid, 0)
            seconds = time.perf_counter() - start
        reply = {"seconds": seconds, "returncode": os.waitstatus_to_exitcode(status),
                 "cpu_seconds": usage.ru_utime + usage.ru_stime, "peak_rss_kib": usage.ru_maxrss}
    except OSError as error:
        reply = {"error": f"{request['command'][0]}: {error}"}
    print(json.dumps(reply), flush=True)
"""


class Launcher:
    """The helper process that runs the measured commands (see LAUNCHER_CODE); one per benchmark."""

    def __init__(self) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="hullguard-bench-launcher-")
        self.stdout = Path(self.folder.name) / "stdout"
        self.stderr = Path(self.folder.name) / "stderr"
        self.process = subprocess.Popen([sys.executable, "-I", "-S", "-c", LAUNCHER_CODE], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)

    def run(self, command: list[str], cwd: Path, env: dict[str, str]) -> ProcessRun:
        request = {"command": command, "cwd": str(cwd), "env": env, "stdout": str(self.stdout), "stderr": str(self.stderr)}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise BenchError(f"the launcher process exited ({self.process.wait()})")
        reply = json.loads(line)
        if "error" in reply:
            raise BenchError(f"cannot run {reply['error']}")
        return ProcessRun(reply["seconds"], reply["returncode"], self.stdout.read_bytes(), self.stderr.read_bytes(),
                          reply["cpu_seconds"], reply["peak_rss_kib"])

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()
        self.process.stdout.close()
        self.folder.cleanup()


_launcher: Launcher | None = None


def run_process(command: list[str], cwd: Path, env: dict[str, str]) -> ProcessRun:
    """Run ``command`` to completion, its output going to files (no pipe can fill up).

    The time runs from spawn to exit. CPU time and peak RSS come from ``os.wait4`` on this one
    child: the figures ``/usr/bin/time -v`` prints ("Maximum resident set size" is the largest
    single process among the child and the children it waited for, not their sum), not mixed
    with other processes' as ``getrusage(RUSAGE_CHILDREN)`` would be.
    """
    global _launcher
    if _launcher is None:
        _launcher = Launcher()
        atexit.register(_launcher.close)
    return _launcher.run(command, cwd, env)


# ---------------------------------------------------------------------------------------------
# hullguard in-process

def lint_with_hullguard(inputs: list[tuple[Path, Format]], select: tuple[str, ...] | None = None) -> dict:
    """Read, parse and lint every (path, format) with the default config, or with ``select``
    (as ``--select``); nothing is kept between calls. ``formats`` counts the documents by the
    format they were linted as (content can turn a YAML file into a compose file)."""
    from hullguard.config import Config
    from hullguard.documents import load_document
    from hullguard.engine import lint_document

    config = Config(select=select)
    findings = 0
    rule_failures: list[str] = []
    unparsed = 0
    formats: Counter[str] = Counter()
    for path, document_format in inputs:
        document = load_document(str(path), path.read_bytes(), document_format)
        formats[document.format.value] += 1
        if document.model is None:
            unparsed += 1
        result = lint_document(document, config)
        findings += len(result.findings)
        rule_failures.extend(f"{path}: {failure}" for failure in result.rule_failures)
    return {"findings": findings, "rule_failures": rule_failures, "unparsed": unparsed, "formats": dict(formats)}


def timed(function, *args, **kwargs):
    """(wall seconds, result) of one call."""
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


# ---------------------------------------------------------------------------------------------
# report

def summary(times: list[float]) -> dict:
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times), "runs_s": times}


def verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


def table(rows: list[tuple[str, ...]]) -> list[str]:
    """Rows as aligned text lines: the first column left-aligned, the others right-aligned,
    a rule under the header row."""
    width = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join([row[0].ljust(width[0])] + [cell.rjust(w) for cell, w in zip(row[1:], width[1:])])
             for row in rows]
    lines.insert(1, "-" * (sum(width) + 2 * (len(width) - 1)))
    return lines


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine(load_before: str) -> dict:
    return {"cpus": os.cpu_count(), "load_before": load_before, "load_after": load()}


def machine_line(results: dict) -> str:
    m = results["machine"]
    return (f"machine: {m['cpus']} CPUs, load average {m['load_before']} before, {m['load_after']} after "
            f"(shared machine: other processes may run)")


def progress_printer(quiet: bool):
    if quiet:
        return lambda message: None
    return lambda message: print(message, file=sys.stderr, flush=True)


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
