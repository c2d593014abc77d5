#!/usr/bin/env python3
"""Benchmark the language server as an editor sees it: a real client process talking to
``python -m hullguard.server`` over stdio.

    .venv/bin/python benchmarks/bench_lsp.py                  # 200 edits per file, then the corpus RSS
    .venv/bin/python benchmarks/bench_lsp.py --edits 500 --json

What it measures (see benchmarks/README.md):

* edit latency: the wall time from sending a ``textDocument/didChange`` (version v) to receiving
  the ``textDocument/publishDiagnostics`` with version v, one edit at a time (the next edit is
  sent only after that publication), for the moby Dockerfile and argo-cd's ``install.yaml``.
  Each edit changes one line and the next one undoes it, moving down a list of lines: an ``ENV``
  or ``ARG`` value gets (and loses) a trailing ``x`` in the Dockerfile, a label line gets (and
  loses) a trailing `` #`` comment in the manifest, so the findings stay the same from edit to
  edit (the diagnostic counts are reported to show it);
* memory: the server's VmRSS and VmHWM (``/proc/<pid>/status``) after a fresh server has opened
  every file of the corpus and published the diagnostics of every file it lints.

The client is pygls' own LanguageClient in this process; the server runs with this interpreter.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import math
import statistics
import sys
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

from benchlib import CORPUS, BenchError, load, machine, machine_line, positive, progress_printer
from hullguard import __version__
from hullguard.server.workspace import file_format

SERVER = [sys.executable, "-m", "hullguard.server"]
TIMEOUT = 120.0  # seconds to wait for one publication
CORPUS_TIMEOUT = 7200.0  # seconds to wait for the diagnostics of every file of the corpus
TARGETS_MS = {"dockerfile": 15.0, "install.yaml": 40.0}
CAPABILITIES = types.ClientCapabilities(
    text_document=types.TextDocumentClientCapabilities(
        synchronization=types.TextDocumentSyncClientCapabilities(did_save=True),
        publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True),
    ),
)


class Client:
    """A client process's view: the server, and a future per awaited (uri, version)."""

    def __init__(self):
        self.lsp = LanguageClient("hullguard-bench", __version__)
        self.waiting: dict[tuple[str, int | None], asyncio.Future] = {}
        self.counts: dict[str, int] = {}  # uri -> diagnostics in its latest publication
        self.publications = 0
        self.messages: list[str] = []

        @self.lsp.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams):
            self.counts[params.uri] = len(params.diagnostics)
            self.publications += 1
            future = self.waiting.pop((params.uri, params.version), None)
            if future is not None and not future.done():
                future.set_result(time.perf_counter())

        @self.lsp.feature(types.WINDOW_LOG_MESSAGE)
        def logged(params: types.LogMessageParams):
            self.messages.append(params.message)

        @self.lsp.feature(types.WINDOW_SHOW_MESSAGE)
        def shown(params: types.ShowMessageParams):
            self.messages.append(params.message)

    async def start(self, root: Path) -> None:
        await self.lsp.start_io(*SERVER)
        # The server logs to stderr: drain it, or a full pipe would stall the server.
        self._stderr = asyncio.ensure_future(self._drain(self.lsp._server.stderr))
        await self.lsp.initialize_async(types.InitializeParams(
            capabilities=CAPABILITIES, workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="corpus")]))
        self.lsp.initialized(types.InitializedParams())

    @staticmethod
    async def _drain(stream) -> None:
        while await stream.read(65536):
            pass

    @property
    def pid(self) -> int:
        return self.lsp._server.pid

    def expect(self, uri: str, version: int) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self.waiting[(uri, version)] = future
        return future

    def open(self, path: Path, language_id: str, text: str) -> str:
        uri = path.as_uri()
        self.lsp.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id=language_id, version=1, text=text)))
        return uri

    def change(self, uri: str, version: int, line: int, column: int, old: str, new: str) -> None:
        """Replace ``old`` at (line, column) by ``new`` (UTF-16 columns: the corpus lines edited are ASCII)."""
        change = types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(line, column), types.Position(line, column + len(old))), text=new)
        self.lsp.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version), content_changes=[change]))

    async def stop(self) -> None:
        try:
            await asyncio.wait_for(self.lsp.shutdown_async(None), 30)
            self.lsp.exit(None)
        finally:
            await self.lsp.stop()
            self._stderr.cancel()


def memory(pid: int) -> dict:
    """VmRSS and VmHWM of a process, in MiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024  # kB
    return values


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * fraction) - 1)]


# --- the two files and their edits -------------------------------------------------------------


def biggest(folder: Path, prefix: str) -> Path:
    found = sorted((p for p in folder.glob(f"{prefix}*") if p.is_file()), key=lambda p: p.stat().st_size, reverse=True)
    if not found:
        raise BenchError(f"no file {prefix}* in {folder}")
    return found[0]


def dockerfile_edits(lines: list[str]) -> list[tuple[int, int, str]]:
    """(line, column, suffix): the end of each one-line ENV/ARG ``key=value``, a trailing ``x``."""
    return [(n, len(line), "x") for n, line in enumerate(lines)
            if line.split(" ", 1)[0].upper() in ("ENV", "ARG") and "=" in line and not line.rstrip().endswith("\\") and line.isascii()]


def yaml_edits(lines: list[str]) -> list[tuple[int, int, str]]:
    """(line, column, suffix): the end of each ``app.kubernetes.io/part-of`` label line, a trailing comment."""
    return [(n, len(line), " #") for n, line in enumerate(lines) if line.strip().startswith("app.kubernetes.io/part-of:") and line.isascii()]


CASES = [
    ("dockerfile", lambda corpus: biggest(corpus / "dockerfile", "moby__moby__Dockerfile"), "dockerfile", dockerfile_edits),
    ("install.yaml", lambda corpus: corpus / "kubernetes" / "argoproj__argo-cd__manifests__install.yaml", "yaml", yaml_edits),
]


async def edit_latency(corpus: Path, name: str, path: Path, language_id: str, sites, edits: int, say) -> dict:
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    targets = sites(lines)
    if not targets:
        raise BenchError(f"{path}: no line to edit")
    client = Client()
    await client.start(corpus)
    try:
        uri = path.as_uri()
        opened = client.expect(uri, 1)
        start = time.perf_counter()
        client.open(path, language_id, text)
        open_s = await asyncio.wait_for(opened, TIMEOUT) - start
        counts = {client.counts[uri]}
        latencies = []
        for number in range(edits):
            line, column, suffix = targets[(number // 2) % len(targets)]
            version = number + 2
            old, new = ("", suffix) if number % 2 == 0 else (suffix, "")
            published = client.expect(uri, version)
            start = time.perf_counter()
            client.change(uri, version, line, column, old, new)
            latencies.append(await asyncio.wait_for(published, TIMEOUT) - start)
            counts.add(client.counts[uri])
        mem = memory(client.pid)
    finally:
        await client.stop()
    result = {
        "file": str(path), "lines": len(text.splitlines()), "bytes": len(text.encode()), "edits": edits,
        "lines_edited": len({t[0] for t in targets[: (edits + 1) // 2]}),
        "open_ms": ms(open_s), "p50_ms": ms(statistics.median(latencies)), "p95_ms": ms(percentile(latencies, 0.95)),
        "max_ms": ms(max(latencies)), "mean_ms": ms(statistics.fmean(latencies)), "min_ms": ms(min(latencies)),
        "target_p95_ms": TARGETS_MS[name], "diagnostic_counts": sorted(counts),
        "rss_mib": round(mem["VmRSS"], 1), "hwm_mib": round(mem["VmHWM"], 1),
    }
    result["meets_target"] = result["p95_ms"] <= result["target_p95_ms"]
    say(f"{name}: p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, max {result['max_ms']} ms over {edits} edits")
    return result


# --- the whole corpus open -----------------------------------------------------------------------


async def corpus_memory(corpus: Path, say) -> dict:
    files = sorted(p for folder in sorted(corpus.iterdir()) if folder.is_dir() for p in folder.rglob("*") if p.is_file())
    client = Client()
    await client.start(corpus)
    try:
        before = memory(client.pid)
        pending = []
        start = time.perf_counter()
        for path in files:
            language_id = editor_language(path)
            if file_format(str(path), language_id) is not None:
                pending.append(client.expect(path.as_uri(), 1))
            client.open(path, language_id, path.read_bytes().decode("utf-8", "replace"))
        say(f"opened {len(files)} files; waiting for the diagnostics of {len(pending)}")
        await asyncio.wait_for(asyncio.gather(*pending), CORPUS_TIMEOUT)
        elapsed = time.perf_counter() - start
        after = memory(client.pid)
        publications = client.publications
    finally:
        await client.stop()
    result = {
        "files_opened": len(files), "files_linted": len(pending), "seconds_to_all_diagnostics": round(elapsed, 2),
        "publications": publications,
        "rss_idle_mib": round(before["VmRSS"], 1), "rss_mib": round(after["VmRSS"], 1), "hwm_mib": round(after["VmHWM"], 1),
    }
    say(f"corpus open: VmRSS {result['rss_mib']} MiB, VmHWM {result['hwm_mib']} MiB, {result['seconds_to_all_diagnostics']} s")
    return result


def editor_language(path: Path) -> str:
    """The languageId an editor gives a corpus file. The corpus names Dockerfiles
    ``owner__repo__path__Dockerfile``, which hullguard's name patterns do not take: the
    editor's language (set by the user, as for any unusual name) makes them Dockerfiles."""
    name = path.name.lower()
    if name.endswith(".dockerignore"):
        return "ignore"
    if name.endswith((".yaml", ".yml")):
        return "yaml"
    if path.parent.name == "dockerfile" or "dockerfile" in name or "containerfile" in name:
        return "dockerfile"
    return "plaintext"


def report(results: dict) -> str:
    rows = ["file                    lines  edits  open ms  p50 ms  p95 ms  max ms  target p95  verdict    diagnostics  RSS MiB"]
    for name, r in results["edits"].items():
        verdict = "meets" if r["meets_target"] else "MISSES"
        rows.append(f"{name:<22} {r['lines']:>6} {r['edits']:>6} {r['open_ms']:>8} {r['p50_ms']:>7} {r['p95_ms']:>7} {r['max_ms']:>7} "
                    f"{r['target_p95_ms']:>11} {verdict:>8} {'/'.join(map(str, r['diagnostic_counts'])):>12} {r['rss_mib']:>8}")
    c = results.get("corpus")
    rows.append("")
    if c:
        rows.append(f"whole corpus open: {c['files_opened']} files ({c['files_linted']} linted), all diagnostics after "
                    f"{c['seconds_to_all_diagnostics']} s ({c['publications']} publications); server VmRSS {c['rss_mib']} MiB, VmHWM {c['hwm_mib']} MiB "
                    f"(idle after start: {c['rss_idle_mib']} MiB)")
    rows.append(machine_line(results))
    return "\n".join(rows)


async def run(args) -> dict:
    say = progress_printer(args.quiet)
    before = load()
    results = {"hullguard": __version__, "python": sys.version.split()[0], "edits": {}}
    for name, find, language_id, sites in CASES:
        results["edits"][name] = await edit_latency(args.corpus, name, find(args.corpus), language_id, sites, args.edits, say)
    if not args.no_memory:
        results["corpus"] = await corpus_memory(args.corpus, say)
    results["machine"] = machine(before)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Edit-to-diagnostics latency and memory of hullguard's language server.")
    parser.add_argument("--edits", type=positive, default=200, help="one-line edits per file (default 200)")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help=f"the shared corpus (default {CORPUS})")
    parser.add_argument("--json", action="store_true", help="machine-readable results on stdout")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument("--no-memory", action="store_true", help="only the edit latencies, not the whole-corpus memory run")
    args = parser.parse_args(argv)
    try:
        results = asyncio.run(run(args))
    except BenchError as error:
        print(f"bench_lsp: {error}", file=sys.stderr)
        return 2
    print(json.dumps(results, indent=2) if args.json else report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
