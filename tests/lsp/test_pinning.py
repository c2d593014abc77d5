"""The HG202 quick fix "Pin <ref> to its digest": from the lock cache at once, else resolved
when chosen (codeAction/resolve); a failed resolution is a message, never a crash. No
registry here (tests/registry/test_lsp_pin.py resolves against a real one)."""
from __future__ import annotations

import json
import socket

import pytest
from lsprotocol import types
from lsp_helpers import apply, by_code, client, code_actions, codes, diagnostics, edits_for, fresh_folder, open_file, wait_for, workspace  # noqa: F401

pytestmark = pytest.mark.asyncio(loop_scope="module")

DIGEST = "sha256:" + "c" * 64


def project(workspace, lock: dict | None = None):
    """A folder with a config file (the lock cache's home) and, given, its lock cache."""
    folder = fresh_folder(workspace)
    (folder / ".hullguard.toml").write_text("")
    if lock is not None:
        (folder / ".hullguard").mkdir()
        entries = {key: {"digest": digest, "resolved_at": "2026-01-02T03:04:05Z"} for key, digest in lock.items()}
        (folder / ".hullguard" / "digests.json").write_text(json.dumps(entries))
    return folder


def pin_action(actions: list[types.CodeAction], ref: str) -> types.CodeAction:
    return next(a for a in actions if a.title == f"Pin {ref} to its digest")


def resend(client, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))


async def test_digest_in_the_lock_cache_is_a_quick_fix_with_its_edit(client, workspace):
    folder = project(workspace, {"docker.io/library/nginx:1.27": DIGEST})
    text = "FROM nginx:1.27 AS web\nUSER nobody\n"
    uri = open_file(client, folder / "Dockerfile", text)
    hg202 = by_code(await diagnostics(client, uri), "HG202")
    action = pin_action(await code_actions(client, uri, hg202, only=[types.CodeActionKind.QuickFix]), "nginx:1.27")
    assert action.kind == types.CodeActionKind.QuickFix and action.is_preferred and action.data is None
    assert [d.code for d in action.diagnostics] == ["HG202"]
    fixed = apply(text, edits_for(action.edit, uri))
    assert fixed == f"FROM nginx:1.27@{DIGEST} AS web\nUSER nobody\n"
    resend(client, uri, 2, fixed)
    assert "HG202" not in codes(await diagnostics(client, uri, 2))


async def test_compose_image_keeps_its_quotes_and_a_missing_tag_is_written_out(client, workspace):
    folder = project(workspace, {"docker.io/library/redis:latest": DIGEST})
    text = 'services:\n  cache:\n    image: "redis"\n'
    uri = open_file(client, folder / "compose.yaml", text, language_id="dockercompose")
    hg202 = by_code(await diagnostics(client, uri), "HG202")
    action = pin_action(await code_actions(client, uri, hg202), "redis")
    assert apply(text, edits_for(action.edit, uri)) == f'services:\n  cache:\n    image: "redis:latest@{DIGEST}"\n'


async def test_lock_cache_beside_the_workspace_folder_without_a_config_file(client, workspace):
    (workspace / ".hullguard").mkdir(exist_ok=True)
    (workspace / ".hullguard" / "digests.json").write_text(json.dumps({"docker.io/library/alpine:3.20": {"digest": DIGEST, "resolved_at": "2026-01-02T03:04:05Z"}}))
    text = "FROM alpine:3.20\n"
    uri = open_file(client, fresh_folder(workspace) / "Dockerfile", text)
    hg202 = by_code(await diagnostics(client, uri), "HG202")
    action = pin_action(await code_actions(client, uri, hg202), "alpine:3.20")
    assert apply(text, edits_for(action.edit, uri)) == f"FROM alpine:3.20@{DIGEST}\n"


async def test_unresolvable_reference_is_resolved_lazily_and_fails_with_a_message(client, workspace):
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    ref = f"127.0.0.1:{port}/team/app:1.0"
    folder = project(workspace, {"docker.io/library/nginx:1.27": DIGEST})
    text = f"FROM {ref}\nUSER nobody\n"
    uri = open_file(client, folder / "Dockerfile", text)
    hg202 = by_code(await diagnostics(client, uri), "HG202")
    action = pin_action(await code_actions(client, uri, hg202), ref)
    assert action.edit is None and action.data["pin"] == [0, 5, 0, 5 + len(ref)]
    shown = len(client.messages)
    resolved = await client.code_action_resolve_async(action)
    assert resolved.edit is None
    message = (await wait_for(lambda: client.messages[shown:], "the failure message"))[0]
    assert message.type == types.MessageType.Error
    assert message.message.startswith(f"hullguard: cannot pin '{ref}': ") and "\n" not in message.message
    assert json.loads((folder / ".hullguard" / "digests.json").read_text()).keys() == {"docker.io/library/nginx:1.27"}
    resend(client, uri, 2, text + "RUN true\n")  # the server carries on
    assert "HG202" in codes(await diagnostics(client, uri, 2))


async def test_resolve_after_an_edit_gives_no_edit(client, workspace):
    folder = project(workspace)
    text = "FROM python:3.12\n"
    uri = open_file(client, folder / "Dockerfile", text)
    hg202 = by_code(await diagnostics(client, uri), "HG202")
    action = pin_action(await code_actions(client, uri, hg202), "python:3.12")
    resend(client, uri, 2, "FROM python:3.13\n")
    await diagnostics(client, uri, 2)
    assert (await client.code_action_resolve_async(action)).edit is None
    assert not (folder / ".hullguard").exists()  # nothing was resolved
