"""Linting many files on every core.

A plain ``hullguard check`` of a large tree spends its time in pure Python (parsing, YAML
composition, rules), which one process runs on one core. Forked workers inherit the loaded
rules, the configuration and the run's cross-file index, lint a share of the files each, and
send back only what the output needs: the findings, not the parsed documents.
"""
from __future__ import annotations

import multiprocessing
import os

from hullguard.config import Config
from hullguard.documents import load_document
from hullguard.engine import LintResult, lint_document
from hullguard.model import Format

MIN_FILES = 64  # below this, starting workers costs more than it saves
CHUNKS_PER_WORKER = 8  # small shares even out files of very different sizes

_PROJECT = None  # the run's cross-file index, inherited by the forked workers


def worker_count(files: int) -> int:
    """How many processes to lint ``files`` files with: 1 means lint here, in order."""
    if files < MIN_FILES or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 8))


def lint_all(jobs: list[tuple[str, bytes, Format, Config]], project, workers: int) -> list[LintResult]:
    """``lint_document`` for every (path, data, format, config), in order, on ``workers``
    forked processes. The results' documents keep their path, format and parse error only."""
    global _PROJECT
    _PROJECT = project
    size = max(1, len(jobs) // (workers * CHUNKS_PER_WORKER))
    chunks = [jobs[start : start + size] for start in range(0, len(jobs), size)]
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return [result for part in pool.map(_lint_chunk, chunks) for result in part]
    finally:
        _PROJECT = None


def _lint_chunk(jobs: list[tuple[str, bytes, Format, Config]]) -> list[LintResult]:
    results = []
    for path, data, document_format, config in jobs:
        document = load_document(path, data, document_format, max_bytes=config.max_file_size)
        result = lint_document(document, config, project=_PROJECT)
        result.document = document.without_content()
        results.append(result)
    return results
