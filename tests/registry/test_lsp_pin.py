"""The editor's HG202 quick fix against a real registry: resolved when chosen
(codeAction/resolve), the digest skopeo reads, recorded in the lock cache, offered at once
the next time."""
from __future__ import annotations

import json

import pytest
from lsprotocol import types

from lsp.lsp_helpers import apply, by_code, client, code_actions, diagnostics, edits_for, fresh_folder, open_file, workspace  # noqa: F401

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_quick_fix_resolves_the_digest_from_the_registry_then_from_the_lock_cache(client, workspace, registry):
    pushed = registry.push_image("team/app", "1.0", b"lsp")
    folder = fresh_folder(workspace)
    (folder / ".hullguard.toml").write_text("")
    ref = f"{registry.host}/team/app:1.0"
    text = f"FROM {ref} AS app\nUSER nobody\n"
    uri = open_file(client, folder / "Dockerfile", text)
    hg202 = by_code(await diagnostics(client, uri), "HG202")
    lazy = next(a for a in await code_actions(client, uri, hg202) if a.title == f"Pin {ref} to its digest")
    assert lazy.edit is None and lazy.kind == types.CodeActionKind.QuickFix
    resolved = await client.code_action_resolve_async(lazy)
    digest = registry.inspect("team/app", "1.0")
    assert digest == pushed
    assert apply(text, edits_for(resolved.edit, uri)) == f"FROM {ref}@{digest} AS app\nUSER nobody\n"
    lock = json.loads((folder / ".hullguard" / "digests.json").read_text())
    assert lock[f"{registry.host}/team/app:1.0"]["digest"] == digest
    registry.stop()  # the second offer needs no registry
    other = open_file(client, folder / "Dockerfile.prod", f"FROM {ref}\n")
    hg202 = by_code(await diagnostics(client, other), "HG202")
    cached = next(a for a in await code_actions(client, other, hg202) if a.title == f"Pin {ref} to its digest")
    assert apply(f"FROM {ref}\n", edits_for(cached.edit, other)) == f"FROM {ref}@{digest}\n"
