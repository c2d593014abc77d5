"""The language server: pygls handlers on the event loop, linting on one worker thread.

Every engine call (lint, fix, project-index update) runs on a single worker thread, one
at a time, so the engine's caches and the project index need no locks and the protocol
loop stays free. Lint requests are coalesced per file: an edit to an idle file is linted
at once; edits arriving while it is being linted only mark it dirty, and the latest
version is linted once they pause (QUIET). A result is published only if the file still
has the version it was computed from.
"""
from __future__ import annotations

import argparse
import asyncio
import dataclasses
import inspect
import json
import logging
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cattrs
from lsprotocol import types
from pygls.exceptions import JsonRpcInternalError
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method
from pygls.uris import to_fs_path

from hullguard import __version__
from hullguard.config import CONFIG_FILES, Config, ConfigError
from hullguard.digests import DigestCacheError
from hullguard.docs import rule_markdown
from hullguard.engine import pace_collector
from hullguard.fixer import FixError, fix_document
from hullguard.model import Format
from hullguard.pinning import Pinner, pin_fix
from hullguard.registry import RegistryError
from hullguard.rules import RULES_BY_CODE
from hullguard.text import Span

from hullguard.server import actions, add_arguments
from hullguard.server.protocol import EditSupport, Positions, TextBuffer, diagnostics, error_diagnostic, publication
from hullguard.server.workspace import (
    LintJob,
    OpenFile,
    Outcome,
    State,
    file_format,
    is_config_file,
    job_config,
    load,
    raw_settings,
    reindex_from_disk,
    run_lint,
)

logger = logging.getLogger("hullguard.server")

WATCHED = (
    "**/.hullguard.toml", "**/pyproject.toml", "**/.dockerignore", "**/*.dockerignore",
    "**/Dockerfile*", "**/Containerfile*", "**/*.dockerfile", "**/*.Dockerfile", "**/*.containerfile",
    "**/*.yaml", "**/*.yml",
)
CONFIG_TIMEOUT = 5.0  # seconds to wait for the client's settings before linting without them
QUIET = 0.05  # seconds without an edit that end a burst (edits arriving while a lint runs)


class Protocol(LanguageServerProtocol):
    """Answers a request whose parameters do not fit the protocol with InvalidParams
    (pygls would only log it, leaving the client waiting for ever). The open files' text is
    kept by the server (``OpenFile.buffer``), not in pygls' workspace as well."""

    def _user_handler(self, method: str, params):
        if (handler := self.fm.features.get(method)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams):
        yield from self._user_handler(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams):
        yield from self._user_handler(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams):
        yield from self._user_handler(types.TEXT_DOCUMENT_DID_CLOSE, params)

    def notify_encoded(self, method: str, params: str) -> None:
        """A notification whose parameters are JSON text already (``protocol.publication``),
        framed as pygls frames every message."""
        body = f'{{"jsonrpc": "{self.VERSION}", "method": {json.dumps(method)}, "params": {params}}}'.encode(self.CHARSET)
        if self.writer is None:
            logger.error("cannot send %s: no transport", method)
            return
        header = f"Content-Length: {len(body)}\r\nContent-Type: {self.CONTENT_TYPE}; charset={self.CHARSET}\r\n\r\n" if self._include_headers else ""
        try:
            written = self.writer.write(header.encode(self.CHARSET) + body)
            if inspect.isawaitable(written):  # a websocket's writer
                asyncio.ensure_future(written)
        except BrokenPipeError:
            logger.exception("cannot send %s: the client closed the pipe", method)
            raise
        except Exception as error:  # as pygls does for every other message: reported, the server goes on
            logger.exception("cannot send %s", method)
            self._server._report_server_error(error, JsonRpcInternalError)

    def structure_message(self, data):
        try:
            return super().structure_message(data)
        except Exception as error:
            if isinstance(data, dict) and "id" in data and "method" in data:
                cause = error.__cause__ or error
                detail = "; ".join(cattrs.transform_error(cause)) if isinstance(cause, cattrs.BaseValidationError) else str(cause)
                message = f"invalid {data['method']} request: {detail}"
                self._send_response(data["id"], None, types.ResponseError(code=types.ErrorCodes.InvalidParams, message=message))
            raise


class HullguardServer(LanguageServer):
    def __init__(self):
        super().__init__("hullguard", __version__, protocol_cls=Protocol, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.state = State()
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hullguard-lint")
        # Digests are resolved (network) on a thread of their own, so linting never waits for
        # a registry; one thread, so lock-cache loads and Pinner.save() calls never interleave.
        self.pinning = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hullguard-pin")
        self.dirty: set[str] = set()  # files to lint again
        self.linting: dict[str, asyncio.Task] = {}  # each file's lint loop
        self.in_flight: set[str] = set()  # files being linted right now
        self.bursts: dict[str, float] = {}  # files edited while being linted: time of the last edit
        self.settings_ready = asyncio.Event()
        self.reported: set[str] = set()  # failures already logged
        self.support = EditSupport(False, False)

    # --- plumbing --------------------------------------------------------------------------

    def report_server_error(self, error: Exception, source) -> None:
        """pygls' errors (a message it cannot read, a handler that raised) go to the log, not
        to a pop-up: the server carries on."""
        self.log(f"{source.__name__}: {error}")

    async def on_worker(self, function, *args):
        return await asyncio.get_running_loop().run_in_executor(self.worker, function, *args)

    @property
    def encoding(self) -> str:
        return self.workspace.position_encoding or types.PositionEncodingKind.Utf16

    def log(self, message: str, kind=types.MessageType.Error) -> None:
        logger.log(logging.ERROR if kind == types.MessageType.Error else logging.WARNING, "%s", message)
        self.window_log_message(types.LogMessageParams(type=kind, message=f"hullguard: {message}"))

    def log_once(self, message: str) -> None:
        if message not in self.reported:
            self.reported.add(message)
            self.log(message)

    def publish(self, file: OpenFile, found: list[types.Diagnostic], version: int | None) -> None:
        self.protocol.notify_encoded(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, publication(file.uri, found, version))

    # --- linting ---------------------------------------------------------------------------

    def edited(self, file: OpenFile) -> None:
        """Lint after an edit: at once, unless the file is being linted already; then the
        edits are a burst (typing faster than linting, a paste, a multi-cursor change), and
        the latest version is linted once the burst has been quiet for QUIET seconds."""
        if file.uri in self.in_flight or file.uri in self.bursts:
            self.bursts[file.uri] = asyncio.get_running_loop().time()
        self.request_lint(file)

    async def _burst_ended(self, uri: str) -> None:
        loop = asyncio.get_running_loop()
        while uri in self.bursts:
            quiet = loop.time() - self.bursts[uri]
            if quiet >= QUIET:
                del self.bursts[uri]
            else:
                await asyncio.sleep(QUIET - quiet)

    def request_lint(self, file: OpenFile) -> None:
        if file.format is None:
            return
        self.dirty.add(file.uri)
        if file.uri not in self.linting:
            self.linting[file.uri] = asyncio.ensure_future(self._lint_loop(file.uri))

    async def _lint_loop(self, uri: str) -> None:
        try:
            if not self.settings_ready.is_set():
                await asyncio.wait_for(self.settings_ready.wait(), CONFIG_TIMEOUT)
        except asyncio.TimeoutError:
            self.settings_ready.set()
        try:
            while uri in self.dirty:
                await asyncio.sleep(0)  # let edits already received land first
                await self._burst_ended(uri)
                self.dirty.discard(uri)
                file = self.state.files.get(uri)
                if file is None:
                    return
                self.in_flight.add(uri)
                try:
                    outcome = await self.on_worker(run_lint, self.state.job(file))
                finally:
                    self.in_flight.discard(uri)
                if self.state.files.get(uri) is not file or file.version != outcome.version or uri in self.dirty:
                    continue  # stale: a newer version is on its way
                self._linted(file, outcome)
        except Exception as error:  # never leave a file without its loop, never crash the server
            logger.exception("lint loop for %s failed", uri)
            self.log_once(f"linting {uri} failed: {type(error).__name__}: {error}")
        finally:
            self.linting.pop(uri, None)
            self.bursts.pop(uri, None)

    def _linted(self, file: OpenFile, outcome: Outcome) -> None:
        if outcome.error:
            self.log_once(f"{file.path or file.uri}: {outcome.error}")
            self.publish(file, [error_diagnostic(outcome.error)], outcome.version)
        elif outcome.result is None:  # excluded by the project's config
            self.publish(file, [], outcome.version)
        else:
            for failure in outcome.result.rule_failures:
                self.log_once(f"{file.path or file.uri}: rule {failure}")
            self.publish(file, diagnostics(outcome.result, Positions(outcome.source, self.encoding)), outcome.version)
        # Kept once published: freeing the lint it replaces (a whole parsed file) takes a while.
        self._outcome(file, outcome)

    def _outcome(self, file: OpenFile, outcome: Outcome) -> None:
        """Keep the file's latest lint; when its NetworkPolicies are no longer those the other
        open manifests were linted with, lint those again."""
        file.outcome = outcome
        self.state.keep_model(file)
        if outcome.result is None:  # not linted (a broken config, an excluded file): the index is as it was
            return
        known = outcome.policies_before if file.policies is None else file.policies
        file.policies = outcome.policies
        if outcome.policies != known:
            self.relint_kubernetes(exclude=file)

    def relint(self, files) -> None:
        for file in files:
            if file.format is not None:
                self.request_lint(file)

    def relint_kubernetes(self, exclude: OpenFile | None = None) -> None:
        """NetworkPolicies changed: every open manifest's HG404 findings may change."""
        self.relint(f for f in self.state.linted() if f.format is Format.KUBERNETES and f is not exclude)

    def on_type(self, file: OpenFile) -> bool:
        return self.state.folder_for(file.path).settings.run == "onType"

    async def current(self, uri: str) -> tuple[OpenFile, Outcome] | None:
        """The file and a lint of its current text (for code actions and hover)."""
        file = self.state.files.get(uri)
        if file is None or file.format is None:
            return None
        if file.outcome is None or file.outcome.version != file.version or not file.outcome.has_model:
            outcome = await self.on_worker(run_lint, self.state.job(file))
            if file.version != outcome.version:
                return None  # edited meanwhile: the client asks again
            self._outcome(file, outcome)
        else:
            self.state.keep_model(file)
        return file, file.outcome

    async def disk_changed(self, path: str, before: tuple | None = None) -> None:
        """A Kubernetes file changed on disk (or its buffer, holding ``before``'s policies,
        was closed): index it as it is on disk, and re-lint if its policies changed."""
        before = self.state.disk_policies.get(path, ()) if before is None else before
        after = await self.on_worker(reindex_from_disk, self.state.folder_for(path).project, path)
        self.state.disk_policies[path] = after
        if after != before:
            self.relint_kubernetes()

    # --- settings --------------------------------------------------------------------------

    async def pull_settings(self) -> None:
        folders = self.state.folders or [self.state.outside]
        items = [types.ConfigurationItem(scope_uri=folder.uri, section="hullguard") for folder in folders]
        try:
            values = await asyncio.wait_for(self.workspace_configuration_async(types.ConfigurationParams(items=items)), CONFIG_TIMEOUT)
        except Exception as error:
            self.log(f"cannot read the settings (workspace/configuration): {type(error).__name__}: {error}", types.MessageType.Warning)
            return
        for folder, value in zip(folders, values or []):
            self.settings_problems(self.state.apply_settings(folder, raw_settings(value)))

    def settings_problems(self, problems: list[str]) -> None:
        for problem in problems:
            self.log(problem, types.MessageType.Warning)

    def supports_pull(self) -> bool:
        workspace = self.client_capabilities.workspace
        return bool(workspace and workspace.configuration)

    async def refresh_settings(self, pushed) -> None:
        raw = raw_settings(pushed) if isinstance(pushed, dict) and "hullguard" in pushed else None
        if raw is not None:
            for folder in self.state.all_folders():
                self.settings_problems(self.state.apply_settings(folder, raw))
        elif self.supports_pull():
            self.settings_ready.clear()  # files opened meanwhile wait for the new settings
            try:
                await self.pull_settings()
            finally:
                self.settings_ready.set()
        else:
            return
        self.relint(self.state.linted())


server = HullguardServer()


def _path_of(uri: str) -> str | None:
    path = to_fs_path(uri) if uri.startswith("file:") else None
    return os.path.normpath(path) if path else None


# --- lifecycle -------------------------------------------------------------------------------


@server.feature(types.INITIALIZE)
def initialize(ls: HullguardServer, params: types.InitializeParams) -> None:
    initial = raw_settings(params.initialization_options) or {}
    ls.state.initial = initial
    ls.settings_problems(ls.state.apply_settings(ls.state.outside, None))
    folders = params.workspace_folders or ([types.WorkspaceFolder(uri=params.root_uri, name="root")] if params.root_uri else [])
    ls.state.set_folders([(folder.uri, path) for folder in folders if (path := _path_of(folder.uri))])
    ls.support = EditSupport.of(params.capabilities)
    if not ls.supports_pull():
        ls.settings_ready.set()


@server.feature(types.INITIALIZED)
async def initialized(ls: HullguardServer, params: types.InitializedParams) -> None:
    registrations = []
    workspace = ls.client_capabilities.workspace
    if workspace and workspace.did_change_watched_files and workspace.did_change_watched_files.dynamic_registration:
        watchers = [types.FileSystemWatcher(glob_pattern=pattern) for pattern in WATCHED]
        options = types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers)
        registrations.append(types.Registration(id="hullguard-watch", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options))
    if workspace and workspace.did_change_configuration and workspace.did_change_configuration.dynamic_registration:
        options = types.DidChangeConfigurationRegistrationOptions(section="hullguard")
        registrations.append(types.Registration(id="hullguard-settings", method=types.WORKSPACE_DID_CHANGE_CONFIGURATION, register_options=options))
    if registrations:
        try:
            await ls.client_register_capability_async(types.RegistrationParams(registrations=registrations))
        except Exception as error:
            ls.log(f"cannot register for file and settings changes: {error}", types.MessageType.Warning)
    if ls.supports_pull():
        await ls.pull_settings()
        ls.settings_ready.set()


@server.feature(types.SHUTDOWN)
def shutdown(ls: HullguardServer, params) -> None:
    for task in ls.linting.values():
        task.cancel()
    ls.worker.shutdown(wait=False, cancel_futures=True)
    ls.pinning.shutdown(wait=False, cancel_futures=True)


# --- documents -------------------------------------------------------------------------------


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: HullguardServer, params: types.DidOpenTextDocumentParams) -> None:
    item = params.text_document
    path = _path_of(item.uri)
    file = OpenFile(item.uri, path, file_format(path, item.language_id), item.version, TextBuffer(item.text))
    ls.state.files[item.uri] = file
    ls.request_lint(file)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: HullguardServer, params: types.DidChangeTextDocumentParams) -> None:
    file = ls.state.files.get(params.text_document.uri)
    if file is None:
        return
    for change in params.content_changes:
        file.buffer.apply(change, ls.encoding)
    file.version = params.text_document.version
    if ls.on_type(file):
        ls.edited(file)
    if file.path is not None:
        ls.relint(f for f in ls.state.dependants(file.path) if ls.on_type(f))


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: HullguardServer, params: types.DidSaveTextDocumentParams) -> None:
    file = ls.state.files.get(params.text_document.uri)
    if file is None:
        return
    if is_config_file(file.path):
        ls.state.reset_config()
        ls.relint(ls.state.linted())
        return
    if not ls.on_type(file):
        ls.request_lint(file)
    if file.path is not None:
        ls.relint(f for f in ls.state.dependants(file.path) if not ls.on_type(f))


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
async def did_close(ls: HullguardServer, params: types.DidCloseTextDocumentParams) -> None:
    file = ls.state.files.pop(params.text_document.uri, None)
    if file is None:
        return
    ls.state.forget(file)
    ls.dirty.discard(file.uri)
    if file.format is not None:
        ls.publish(file, [], None)
    if file.path is not None:
        ls.relint(ls.state.dependants(file.path))  # they now read the file on disk
        if file.format is Format.KUBERNETES:
            await ls.disk_changed(file.path, file.outcome.policies if file.outcome else ())


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
async def did_change_watched_files(ls: HullguardServer, params: types.DidChangeWatchedFilesParams) -> None:
    paths = list(dict.fromkeys(path for change in params.changes if (path := _path_of(change.uri))))
    if any(is_config_file(path) for path in paths):
        ls.state.reset_config()
        ls.relint(ls.state.linted())
    for path in paths:
        ls.relint(ls.state.dependants(path))
        if path.lower().endswith((".yaml", ".yml")) and ls.state.by_path(path) is None:  # an open buffer wins
            await ls.disk_changed(path)


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def did_change_configuration(ls: HullguardServer, params: types.DidChangeConfigurationParams) -> None:
    await ls.refresh_settings(params.settings)


@server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
async def did_change_workspace_folders(ls: HullguardServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
    removed = {folder.uri for folder in params.event.removed}
    kept = [(folder.uri, folder.root) for folder in ls.state.folders if folder.uri not in removed]
    added = [(folder.uri, path) for folder in params.event.added if (path := _path_of(folder.uri))]
    ls.state.set_folders(kept + added)
    if ls.supports_pull():
        await ls.pull_settings()
    ls.relint(ls.state.linted())


# --- features --------------------------------------------------------------------------------


def _overlaps(span: Span, start, end) -> bool:
    return span.start <= end and start <= span.end


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, actions.FIX_ALL], resolve_provider=True),
)
async def code_action(ls: HullguardServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    found = await ls.current(params.text_document.uri)
    if found is None or found[1].result is None:
        return None
    file, outcome = found
    only = params.context.only

    def wanted(kind: str) -> bool:
        return only is None or any(kind == k or kind.startswith(f"{k}.") for k in only)

    context = _action_context(ls, file, outcome)
    result = []
    if wanted(types.CodeActionKind.QuickFix):
        positions = context.positions
        start, end = positions.from_client(params.range.start), positions.from_client(params.range.end)
        in_range = [f for f in outcome.result.findings if _overlaps(f.span, start, end)]
        result.extend(actions.quick_fixes(context, in_range))
        to_pin = [f for f in in_range if f.code == actions.PIN_CODE]
        if to_pin:
            job, root, lazy = ls.state.job(file), ls.state.folder_for(file.path).root, _resolves_edits(ls)
            result.extend(await ls.on_worker(_offline_pins, context, to_pin, job, root, lazy))
    settings = ls.state.folder_for(file.path).settings
    if wanted(actions.FIX_ALL) and actions.has_fixes(outcome.result.findings, settings.unsafe_fixes):
        if _resolves_edits(ls):
            result.append(actions.unfixed_fix_all({"uri": file.uri, "version": file.version}))
        elif (action := await _fix_all(ls, file, outcome)) is not None:
            result.append(action)
    return result


def _resolves_edits(ls: HullguardServer) -> bool:
    text_document = ls.client_capabilities.text_document
    code_action = text_document.code_action if text_document else None
    resolve = code_action.resolve_support if code_action else None
    return bool(resolve and "edit" in resolve.properties)


def _action_context(ls: HullguardServer, file: OpenFile, outcome: Outcome) -> actions.ActionContext:
    open_buffers = {f.path: (f.version, f.text) for f in ls.state.files.values() if f.path is not None and f is not file}
    return actions.ActionContext(file.uri, file.version, outcome.document, Positions(outcome.source, ls.encoding), ls.support, open_buffers)


async def _fix_all(ls: HullguardServer, file: OpenFile, outcome: Outcome) -> types.CodeAction | None:
    job = ls.state.job(file)

    def fix():
        config = job_config(job)
        return fix_document(load(job, config), config, allow_unsafe=job.settings.unsafe_fixes, file_overrides=job.overrides, project=job.project)

    try:
        fixed = await ls.on_worker(fix)
    except (ConfigError, FixError) as error:  # a broken config is on the file's diagnostics already
        ls.log(str(error), types.MessageType.Warning)
        return None
    if file.version != job.version:
        return None
    return actions.fix_all_action(_action_context(ls, file, outcome), fixed.fixed_text, fixed.other_files)


def _pin_config(job: LintJob, root: str | None) -> Config:
    """The file's config for pinning; ConfigError. Without a config file the lock cache
    goes in the workspace folder (the CLI's is in the current folder, the editor's has none)."""
    config = job_config(job)
    if config.path is None and root is not None:
        config = dataclasses.replace(config, path=Path(root) / CONFIG_FILES[0])
    return config


def _offline_pins(context: actions.ActionContext, findings, job: LintJob, root: str | None, lazy: bool) -> list[types.CodeAction]:
    try:
        config = _pin_config(job, root)
    except ConfigError:  # on the file's diagnostics already
        return []
    return actions.pin_actions(context, findings, config, lazy)


async def _resolve_pin(ls: HullguardServer, action: types.CodeAction, data: dict) -> types.CodeAction:
    """Resolve the digest (network) on the pinning thread; the action gets its edit, or the
    user a one-line message saying why not."""
    found = await ls.current(data["uri"])
    if found is None or found[0].version != data.get("version") or found[1].result is None:
        return action  # edited since: the next code-action request offers a fresh one
    file, outcome = found
    finding = actions.pin_finding(outcome.result.findings, data)
    if finding is None:
        return action
    job, root = ls.state.job(file), ls.state.folder_for(file.path).root

    def resolve():
        pinner = Pinner()
        fix = pin_fix(outcome.document, finding.span, pinner, _pin_config(job, root))
        pinner.save()
        return fix

    try:
        fix = await asyncio.get_running_loop().run_in_executor(ls.pinning, resolve)
    except Exception as error:  # never a crash: the user is told why, in one line
        written = outcome.source.slice(finding.span)
        expected = isinstance(error, (RegistryError, DigestCacheError, ConfigError, OSError))
        if not expected:
            logger.exception("pinning %s failed", written)
        reason = " ".join(str(error).split()) if expected else f"internal error: {type(error).__name__}: {error}"
        message = f"hullguard: cannot pin '{written}': {reason}"
        ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=message))
        return action
    if fix is None or ls.state.files.get(file.uri) is not file or file.version != data.get("version"):
        return action  # edited while resolving: the digest is in the lock cache for the next offer
    pinned = actions.pin_action(_action_context(ls, file, outcome), finding, fix)
    if pinned is not None:
        action.edit = pinned.edit
    return action


@server.feature(types.CODE_ACTION_RESOLVE)
async def code_action_resolve(ls: HullguardServer, action: types.CodeAction) -> types.CodeAction:
    data = action.data if isinstance(action.data, dict) else {}
    if "pin" in data and "uri" in data:
        return await _resolve_pin(ls, action, data)
    if action.kind != actions.FIX_ALL or "uri" not in data:
        return action
    found = await ls.current(data["uri"])
    if found is None or found[0].version != data.get("version") or found[1].result is None:
        return action  # edited since: nothing safe to apply
    resolved = await _fix_all(ls, *found)
    if resolved is not None:
        action.edit = resolved.edit
    return action


@server.feature(types.TEXT_DOCUMENT_HOVER)
async def hover(ls: HullguardServer, params: types.HoverParams) -> types.Hover | None:
    found = await ls.current(params.text_document.uri)
    if found is None or found[1].result is None:
        return None
    positions = Positions(found[1].source, ls.encoding)
    at = positions.from_client(params.position)
    under = [f for f in found[1].result.findings if f.span.start <= at <= f.span.end and f.code in RULES_BY_CODE]
    if not under:
        return None
    text = "\n---\n\n".join(rule_markdown(RULES_BY_CODE[code]) for code in dict.fromkeys(f.code for f in under))
    hover_capability = ls.client_capabilities.text_document.hover if ls.client_capabilities.text_document else None
    formats = hover_capability.content_format if hover_capability else None
    kind = types.MarkupKind.PlainText if formats and types.MarkupKind.Markdown not in formats else types.MarkupKind.Markdown
    return types.Hover(contents=types.MarkupContent(kind=kind, value=text), range=positions.range(under[0].span))


# --- entry point -------------------------------------------------------------------------------


def serve(verbose: bool = False) -> int:
    """Serve over stdio until the client says exit (or closes the pipe)."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, format="hullguard %(levelname)s %(name)s: %(message)s")
    # While the worker lints, the protocol loop and pygls' reader thread need the GIL often
    # enough to read the next edits (and see a burst); Python's default lets a thread keep
    # it for 5 ms at a time, and reading one message takes several hand-overs.
    sys.setswitchinterval(0.0005)
    pace_collector()
    server.start_io()
    return 0 if server.protocol._shutdown else 1  # the protocol's rule: exit without shutdown is an error


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hullguard.server", description="Run the hullguard language server over stdio.")
    add_arguments(parser)
    return serve(parser.parse_args(argv).verbose)
