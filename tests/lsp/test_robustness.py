"""The server survives bad requests and broken rules, and shuts down cleanly."""
from __future__ import annotations

import asyncio
import json
import sys
from concurrent.futures import Future
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient
from lsp_helpers import TIMEOUT, by_code, change, client, codes, diagnostics, fresh_folder, open_file, server_config, start, workspace  # noqa: F401
from pygls.exceptions import JsonRpcInvalidParams, JsonRpcMethodNotFound

pytestmark = pytest.mark.asyncio(loop_scope="module")

DOCKERFILE = "FROM python:3.12\nUSER root\n"


async def still_alive(client, workspace) -> None:
    uri = open_file(client, fresh_folder(workspace) / "Dockerfile", DOCKERFILE)
    assert "HG101" in codes(await diagnostics(client, uri))


def send_raw(client, body: bytes) -> None:
    client.protocol.writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)


async def raw_request(client, message_id: str, method: str, params) -> None:
    """Send a request the typed client could not build; wait for its response."""
    future: Future = Future()
    client.protocol._request_futures[message_id] = future  # where the client matches responses
    send_raw(client, json.dumps({"jsonrpc": "2.0", "id": message_id, "method": method, "params": params}).encode())
    return await asyncio.wait_for(asyncio.wrap_future(future), TIMEOUT)


async def test_a_malformed_request_gets_an_error_response(client, workspace):
    with pytest.raises(JsonRpcInvalidParams, match="textDocument/hover"):
        await raw_request(client, "bad-hover", types.TEXT_DOCUMENT_HOVER, {"textDocument": 5, "position": "here"})
    with pytest.raises(JsonRpcMethodNotFound):
        await raw_request(client, "no-method", "hullguard/noSuchMethod", {})
    send_raw(client, b"{this is not json")
    send_raw(client, json.dumps({"jsonrpc": "2.0", "method": types.TEXT_DOCUMENT_DID_CHANGE, "params": {"textDocument": None}}).encode())
    await still_alive(client, workspace)


async def test_requests_about_unknown_or_odd_documents(client, workspace):
    nowhere = types.TextDocumentIdentifier(uri=(workspace / "never-opened" / "Dockerfile").as_uri())
    assert await client.text_document_hover_async(types.HoverParams(nowhere, types.Position(0, 0))) is None
    context = types.CodeActionContext(diagnostics=[])
    far = types.Range(types.Position(500, 0), types.Position(900, 40))
    assert await client.text_document_code_action_async(types.CodeActionParams(nowhere, far, context)) is None
    uri = open_file(client, fresh_folder(workspace) / "Dockerfile", DOCKERFILE)
    await diagnostics(client, uri)
    actions = await client.text_document_code_action_async(types.CodeActionParams(types.TextDocumentIdentifier(uri=uri), far, context))
    assert all(action.kind != types.CodeActionKind.QuickFix for action in actions or [])  # past the end: no finding there
    # Binary content and an untitled buffer.
    binary = open_file(client, fresh_folder(workspace) / "Dockerfile", "FROM x\x00\n")
    assert codes(await diagnostics(client, binary)) == ["HG000"]
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri="untitled:Untitled-1", language_id="dockerfile", version=1, text=DOCKERFILE)))
    assert "HG101" in codes(await diagnostics(client, "untitled:Untitled-1"))
    await still_alive(client, workspace)


@pytest_lsp.fixture(scope="module", config=server_config([sys.executable, str(Path(__file__).with_name("crashing_server.py"))]))
async def crashing(lsp_client: LanguageClient, workspace):
    await start(lsp_client, "visual-studio-code", workspace)
    yield
    await lsp_client.shutdown_session()


async def test_a_rule_that_raises_is_reported_once_and_the_others_still_published(crashing, workspace):
    uri = open_file(crashing, fresh_folder(workspace) / "Dockerfile", DOCKERFILE)
    found = await diagnostics(crashing, uri, 1)
    failure = by_code(found, "HG101")
    assert failure.range.start == types.Position(0, 0)
    assert "RuntimeError: deliberately broken for the test" in failure.message
    assert "HG202" in codes(found)  # the other rules' findings are there
    change(crashing, uri, 2, (0, 0), (0, 0), "# edited\n")
    assert "HG202" in codes(await diagnostics(crashing, uri, 2))
    logged = [m for m in crashing.log_messages if "deliberately broken" in m.message]
    assert len(logged) == 1 and logged[0].type == types.MessageType.Error


@pytest_lsp.fixture(scope="module", config=server_config())
async def session(lsp_client: LanguageClient, workspace):
    await start(lsp_client, "neovim@v0.7.0", workspace)
    yield


async def test_shutdown_and_exit_end_the_process_cleanly(session, workspace):
    uri = open_file(session, fresh_folder(workspace) / "Dockerfile", DOCKERFILE)
    await diagnostics(session, uri)
    await session.shutdown_session()
    assert session._server.returncode == 0  # exit after shutdown: 0, as the protocol asks
