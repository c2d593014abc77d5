"""Linting many files on every core.

A plain ``hullguard check`` of a large tree spends its time in pure Python (parsing, YAML
composition, rules), which one process runs on one core. Forked workers inherit the loaded
rules, the configuration and the run's cross-file index, lint a share of the files each, and
send back only what the output needs: the findings, not the parsed documents.
"""
from __future__ import annotations

import dataclasses
import gc
import multiprocessing
import os
from typing import Callable

from hullguard.config import Config
from hullguard.documents import load_document
from hullguard.engine import LintResult, lint_document
from hullguard.model import Format

MIN_FILES = 64  # below this, starting workers costs more than it saves
SHARES_PER_WORKER = 32  # many small shares, handed out one at a time, keep every worker busy to the end

_RUN = None  # the run's inputs, cross-file index and renderer, inherited by the forked workers


def worker_count(files: int) -> int:
    """How many processes to lint ``files`` files with: 1 means lint here, in order."""
    if files < MIN_FILES or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 8))


def lint_all(jobs: list[tuple[str, bytes, Format, Config]], project, workers: int, render: Callable[[LintResult], list[str]] | None = None) -> list[LintResult]:
    """``lint_document`` for every (path, data, format, config), in order, on ``workers``
    forked processes. The results' documents keep their path, format and parse error only.
    The workers inherit the inputs (only index ranges go down the pipes), and with
    ``render`` (the output format's rendering of one result) they render their results too:
    then ``LintResult.rendered`` holds the output, and of the findings only the most severe
    comes back (without its fixes), for the exit status."""
    global _RUN
    _RUN = (jobs, project, render)
    gc.freeze()  # what the workers inherit is never garbage: their collector need not walk it
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results: list[LintResult | None] = [None] * len(jobs)
            for indices, part in pool.imap_unordered(_lint_share, shares(len(jobs), workers), chunksize=1):
                for index, result in zip(indices, part):
                    results[index] = result
            return results
    finally:
        _RUN = None
        gc.unfreeze()


def shares(count: int, workers: int) -> list[range]:
    """Indices 0 .. count-1 in many small shares, handed out one at a time: a worker that drew
    large files draws fewer shares, and the last share to finish is short."""
    size = max(1, count // (workers * SHARES_PER_WORKER))
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


def _lint_share(indices: range) -> tuple[range, list[LintResult]]:
    jobs, project, render = _RUN
    results = []
    for path, data, document_format, config in (jobs[index] for index in indices):
        document = load_document(path, data, document_format, max_bytes=config.max_file_size)
        result = lint_document(document, config, project=project)
        result.document = document.without_content()
        if render is not None:
            result.rendered = render(result)
            # Rendered already: the parent needs only the exit status, which the most severe finding decides.
            worst = max(result.findings, key=lambda finding: finding.severity, default=None)
            result.findings = [] if worst is None else [dataclasses.replace(worst, fixes=[])]
        results.append(result)
    return indices, results
