"""Helpers and fixtures for the language server's end-to-end tests: the real server process
over stdio, driven by pytest-lsp's client with the capabilities real editors send.

A server takes seconds to start on a busy machine, so a test module shares one server per
client (module scope) and each test works on files of its own. (Not a conftest.py: the
suite's tests import `conftest` by name.)"""
from __future__ import annotations

import asyncio
import itertools
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

SERVER = [sys.executable, "-m", "hullguard.server"]
CLIENTS = ["visual-studio-code", "neovim@v0.7.0"]
TIMEOUT = 20.0  # seconds; generous for a loaded machine, a passing test takes far less
_names = itertools.count()


def make_client() -> LanguageClient:
    """pytest-lsp's client, also recording every diagnostics notification (not only the
    latest) and the capabilities the server registers."""
    client = LanguageClient(converter_factory=default_converter)
    defaults = {method: handler for method, handler in DEFAULT_CLIENT_FEATURES.items() if method != types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS}
    register_lsp_features(client, defaults)
    client.published = []  # every PublishDiagnosticsParams, in order
    client.registrations = []

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def publish(params: types.PublishDiagnosticsParams):
        client.diagnostics[params.uri] = params.diagnostics
        client.published.append(params)

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams):
        client.registrations.extend(params.registrations)

    return client


def server_config(command=SERVER) -> ClientServerConfig:
    return ClientServerConfig(server_command=command, client_factory=make_client)


async def start(client: LanguageClient, capabilities: str, root: Path, options=None) -> None:
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(capabilities),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="project")],
            initialization_options=options,
        )
    )


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("workspace")


@pytest_lsp.fixture(scope="module", params=CLIENTS, config=server_config())
async def client(lsp_client: LanguageClient, request, workspace: Path):
    lsp_client.name = request.param
    await start(lsp_client, request.param, workspace)
    yield
    await lsp_client.shutdown_session()


def fresh_folder(workspace: Path) -> Path:
    """A folder of its own for one test's files."""
    folder = workspace / f"t{next(_names)}"
    folder.mkdir()
    return folder


def open_file(client: LanguageClient, path: Path, text: str, language_id: str = "dockerfile", version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id=language_id, version=version, text=text)))
    return uri


def change(client: LanguageClient, uri: str, version: int, start: tuple[int, int], end: tuple[int, int], text: str) -> None:
    rng = types.Range(types.Position(*start), types.Position(*end))
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangePartial(range=rng, text=text)],
        )
    )


async def wait_for(condition, what: str):
    """Poll until ``condition()`` is truthy; its value."""
    deadline = asyncio.get_running_loop().time() + TIMEOUT
    while not (value := condition()):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)
    return value


async def diagnostics(client: LanguageClient, uri: str, version: int | None = None, after: int = 0) -> list[types.Diagnostic]:
    """The diagnostics of the first publication for ``uri`` (with ``version``, when given)
    among those received after the first ``after`` publications."""

    def found():
        for params in client.published[after:]:
            if params.uri == uri and (version is None or params.version == version):
                return params
        return None

    return list((await wait_for(found, f"diagnostics of {uri} version {version}")).diagnostics)


def codes(found: list[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in found)


def by_code(found: list[types.Diagnostic], code: str) -> types.Diagnostic:
    return next(d for d in found if d.code == code)


def units(char: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(char.encode("utf-8"))
    return 2 if encoding == "utf-16" and ord(char) > 0xFFFF else 1


def offset(text: str, position: types.Position, encoding: str = "utf-16") -> int:
    """The client's view: a position in ``encoding`` code units to an offset in ``text``."""
    lines = text.split("\n")
    start = sum(len(line) + 1 for line in lines[: position.line])
    line = lines[position.line] if position.line < len(lines) else ""
    count = 0
    for column, char in enumerate(line):
        if count >= position.character:
            return start + column
        count += units(char, encoding)
    return start + len(line)


def apply(text: str, edits: list[types.TextEdit], encoding: str = "utf-16") -> str:
    """Apply LSP text edits as a client does (all positions refer to the original text)."""
    spans = sorted(((offset(text, e.range.start, encoding), offset(text, e.range.end, encoding), e.new_text) for e in edits), reverse=True)
    for start, end, new_text in spans:
        text = text[:start] + new_text + text[end:]
    return text


def edits_for(edit: types.WorkspaceEdit, uri: str) -> list[types.TextEdit]:
    """The text edits of ``uri`` in a WorkspaceEdit, whichever form the server used."""
    if edit.document_changes:
        return [e for change in edit.document_changes if isinstance(change, types.TextDocumentEdit) and change.text_document.uri == uri for e in change.edits]
    return list((edit.changes or {}).get(uri, []))


async def code_actions(client: LanguageClient, uri: str, diagnostic: types.Diagnostic | None = None, only=None) -> list[types.CodeAction]:
    rng = diagnostic.range if diagnostic else types.Range(types.Position(0, 0), types.Position(0, 0))
    context = types.CodeActionContext(diagnostics=[diagnostic] if diagnostic else [], only=only)
    result = await client.text_document_code_action_async(types.CodeActionParams(text_document=types.TextDocumentIdentifier(uri=uri), range=rng, context=context))
    return list(result or [])
