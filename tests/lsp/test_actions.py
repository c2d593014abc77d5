"""Code actions (quick fixes, suppression comments, fix-all, file creation) and hover."""
from __future__ import annotations

import pytest
from lsprotocol import types
from lsp_helpers import apply, by_code, client, code_actions, codes, diagnostics, edits_for, fresh_folder, open_file, workspace  # noqa: F401

pytestmark = pytest.mark.asyncio(loop_scope="module")

FIX_ALL = "source.fixAll.hullguard"


def replace_all(client, uri: str, version: int, text: str) -> None:
    """Send the buffer after the client applied an edit (a full-text change)."""
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def apply_action(client, uri: str, text: str, action: types.CodeAction, version: int = 2) -> tuple[str, list[types.Diagnostic]]:
    """Apply the action's edit to the buffer, send it, and return the text and the new diagnostics."""
    fixed = apply(text, edits_for(action.edit, uri))
    replace_all(client, uri, version, fixed)
    return fixed, await diagnostics(client, uri, version)


def titled(actions: list[types.CodeAction], title: str) -> types.CodeAction:
    return next(a for a in actions if a.title == title)


async def test_quick_fix_is_the_engine_fix_and_removes_the_finding(client, workspace):
    text = "FROM python:3.12\nADD ./app /app\n"
    uri = open_file(client, fresh_folder(workspace) / "Dockerfile", text)
    hg204 = by_code(await diagnostics(client, uri), "HG204")
    actions = await code_actions(client, uri, hg204, only=[types.CodeActionKind.QuickFix])
    fix = titled(actions, "Replace ADD with COPY")
    assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred  # a safe fix
    assert [d.code for d in fix.diagnostics] == ["HG204"]
    fixed, found = await apply_action(client, uri, text, fix)
    assert fixed == "FROM python:3.12\nCOPY ./app /app\n"
    assert "HG204" not in codes(found)


async def test_unsafe_fix_is_offered_but_not_preferred(client, workspace):
    text = "FROM python:3.12\nUSER root\n"
    uri = open_file(client, fresh_folder(workspace) / "Dockerfile", text)
    hg101 = by_code(await diagnostics(client, uri), "HG101")
    actions = await code_actions(client, uri, hg101)
    fix = next(a for a in actions if a.title.endswith("(unsafe)"))
    assert not fix.is_preferred
    _, found = await apply_action(client, uri, text, fix)
    assert "HG101" not in codes(found)


async def test_disable_for_this_line_inserts_the_suppression_comment(client, workspace):
    text = "FROM python:3.12\nRUN echo hi\n  USER root\n"
    uri = open_file(client, fresh_folder(workspace) / "Dockerfile", text)
    hg101 = by_code(await diagnostics(client, uri), "HG101")
    action = titled(await code_actions(client, uri, hg101), "Disable HG101 for this line")
    fixed, found = await apply_action(client, uri, text, action)
    assert fixed == "FROM python:3.12\nRUN echo hi\n  # hullguard: ignore[HG101]\n  USER root\n"
    assert "HG101" not in codes(found) and "HG001" not in codes(found)
    # Another rule on the same instruction goes into the same comment.
    text = "FROM python:3.12\n# hullguard: ignore[HG202]\nFROM python:3.12 AS final\n"
    uri = open_file(client, fresh_folder(workspace) / "Dockerfile", text)
    hg101 = [d for d in await diagnostics(client, uri) if d.code == "HG101" and d.range.start.line == 2][0]
    action = titled(await code_actions(client, uri, hg101), "Disable HG101 for this line")
    fixed, found = await apply_action(client, uri, text, action)
    assert fixed.splitlines()[1] == "# hullguard: ignore[HG202, HG101]"


async def test_disable_for_this_file_goes_after_the_parser_directives(client, workspace):
    text = "# syntax=docker/dockerfile:1\n# escape=\\\nFROM python:3.12\nUSER root\n"
    uri = open_file(client, fresh_folder(workspace) / "Dockerfile", text)
    hg101 = by_code(await diagnostics(client, uri), "HG101")
    action = titled(await code_actions(client, uri, hg101), "Disable HG101 for this file")
    fixed, found = await apply_action(client, uri, text, action)
    assert fixed == "# syntax=docker/dockerfile:1\n# escape=\\\n# hullguard: ignore-file[HG101]\nFROM python:3.12\nUSER root\n"
    assert "HG101" not in codes(found) and "HG000" not in codes(found)


async def test_disable_for_this_line_in_yaml_goes_before_the_node(client, workspace):
    text = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  namespace: shop\n  name: web\n"
        "spec:\n  template:\n    metadata:\n      labels: {app: web}\n"
        "    spec:\n      containers:\n        - name: app\n          image: nginx:1.27\n"
    )
    uri = open_file(client, fresh_folder(workspace) / "deployment.yaml", text, language_id="yaml")
    hg404 = by_code(await diagnostics(client, uri), "HG404")
    action = titled(await code_actions(client, uri, hg404), "Disable HG404 for this line")
    fixed, found = await apply_action(client, uri, text, action)
    assert "  namespace: shop\n  # hullguard: ignore[HG404]\n  name: web\n" in fixed
    assert "HG404" not in codes(found) and "HG001" not in codes(found)


async def test_fix_all_applies_the_safe_fixes_only(client, workspace):
    text = "FROM python:3.12\nADD ./app /app\nADD ./lib /lib\nUSER root\n"
    uri = open_file(client, fresh_folder(workspace) / "Dockerfile", text)
    await diagnostics(client, uri)
    actions = await code_actions(client, uri, only=[FIX_ALL])
    assert [a.kind for a in actions] == [FIX_ALL]
    action = actions[0]
    assert action.edit is None  # both clients resolve the edit when the action is chosen
    action = await client.code_action_resolve_async(action)
    fixed, found = await apply_action(client, uri, text, action)
    assert fixed == "FROM python:3.12\nCOPY ./app /app\nCOPY ./lib /lib\nUSER root\n"  # USER root: unsafe, kept
    assert "HG204" not in codes(found) and "HG101" in codes(found)
    assert await code_actions(client, uri, only=[FIX_ALL]) == []  # nothing left to fix safely


async def test_a_fix_creating_a_file_uses_create_file(client, workspace):
    folder = fresh_folder(workspace)
    uri = open_file(client, folder / "Dockerfile", "FROM python:3.12\nCOPY . /app\n")
    hg303 = by_code(await diagnostics(client, uri), "HG303")
    fix = next(a for a in await code_actions(client, uri, hg303) if a.title.startswith("Create .dockerignore"))
    ignore_uri = (folder / ".dockerignore").as_uri()
    changes = fix.edit.document_changes  # both clients can create files
    assert isinstance(changes[0], types.CreateFile) and changes[0].uri == ignore_uri
    created = apply("", edits_for(fix.edit, ignore_uri))
    assert ".git\n" in created and ".env\n" in created


async def test_hover_on_a_finding_shows_the_rule_docs(client, workspace):
    uri = open_file(client, fresh_folder(workspace) / "Dockerfile", "FROM python:3.12\nUSER root\n")
    await diagnostics(client, uri)
    hover = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri=uri), types.Position(1, 7)))
    assert hover.contents.kind == types.MarkupKind.Markdown
    assert hover.contents.value.startswith("# HG101 run-as-root")
    assert hover.range == types.Range(types.Position(1, 5), types.Position(1, 9))
    nothing = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri=uri), types.Position(1, 1)))
    assert nothing is None


async def test_a_fix_several_findings_offer_is_listed_once(client, workspace):
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n"
        "    - name: app\n      image: nginx:1.27\n"
    )
    uri = open_file(client, fresh_folder(workspace) / "pod.yaml", text)
    hg104 = by_code(await diagnostics(client, uri), "HG104")
    actions = await code_actions(client, uri, hg104, only=[types.CodeActionKind.QuickFix])
    harden = [a for a in actions if a.title.startswith("Harden container 'app'")]
    assert len(harden) == 1, [a.title for a in actions]
    assert {"HG101", "HG103", "HG104"} <= {d.code for d in harden[0].diagnostics}


async def test_quick_fixes_for_a_file_whose_model_was_dropped(client, workspace):
    # With many files open, only the most recently used keep their parsed model; the first
    # file's quick fix still comes, from a fresh parse.
    from hullguard.server.workspace import MODELS_KEPT

    folder = fresh_folder(workspace)
    text = "FROM python:3.12\nADD ./app /app\n"
    first = open_file(client, folder / "Dockerfile", text)
    hg204 = by_code(await diagnostics(client, first), "HG204")
    for number in range(MODELS_KEPT + 1):
        await diagnostics(client, open_file(client, folder / f"{number}.Dockerfile", text))
    actions = await code_actions(client, first, hg204, only=[types.CodeActionKind.QuickFix])
    fixed, found = await apply_action(client, first, text, titled(actions, "Replace ADD with COPY"))
    assert fixed == "FROM python:3.12\nCOPY ./app /app\n" and "HG204" not in codes(found)
