"""Settings from initializationOptions, workspace/configuration and didChangeConfiguration,
on top of the project's config file; and the negotiated position encoding."""
from __future__ import annotations

import pytest
import pytest_lsp
from lsprotocol import types
from lsp_helpers import by_code, change, codes, diagnostics, fresh_folder, open_file, server_config, start, workspace  # noqa: F401
from pytest_lsp import LanguageClient

pytestmark = pytest.mark.asyncio(loop_scope="module")

DOCKERFILE = "FROM python:3.12\nUSER root\n"


def configuration_changed(client, settings=None) -> None:
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=settings))


def settle(client, settings: dict) -> None:
    """The editor's settings become ``settings`` (the server pulls them on the signal)."""
    client.set_configuration(settings, section="hullguard")
    configuration_changed(client)


@pytest_lsp.fixture(scope="module", config=server_config())
async def vscode(lsp_client: LanguageClient, workspace):
    """Settings pulled with workspace/configuration, over initializationOptions."""
    await start(lsp_client, "visual-studio-code", workspace, options={"hullguard": {"ignore": ["HG202"], "select": ["HG1", "HG2", "NOPE"]}})
    yield
    await lsp_client.shutdown_session()


async def test_initialization_options_and_pulled_settings(vscode, workspace):
    uri = open_file(vscode, fresh_folder(workspace) / "Dockerfile", DOCKERFILE)
    assert codes(await diagnostics(vscode, uri, 1)) == ["HG101"]  # HG202 ignored
    assert any("'NOPE'" in m.message for m in vscode.log_messages)  # an unknown code is reported
    vscode.set_configuration({"select": ["HG202"], "ignore": []}, section="hullguard")
    before = len(vscode.published)
    configuration_changed(vscode)  # VS Code's signal to pull the settings again
    assert codes(await diagnostics(vscode, uri, after=before)) == ["HG202"]


async def test_the_project_config_still_applies(vscode, workspace):
    settle(vscode, {})  # the initialization options: HG202 ignored
    folder = fresh_folder(workspace)
    config = folder / ".hullguard.toml"
    config.write_text('ignore = ["HG101"]\n')
    uri = open_file(vscode, folder / "Dockerfile", DOCKERFILE)
    assert codes(await diagnostics(vscode, uri, 1)) == []  # project ignores HG101, editor HG202
    config.write_text('severity = {HG101 = "warning"}\n')  # changed on disk, then reported by the watcher
    before = len(vscode.published)
    vscode.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams([types.FileEvent(config.as_uri(), types.FileChangeType.Changed)]))
    assert by_code(await diagnostics(vscode, uri, after=before), "HG101").severity == types.DiagnosticSeverity.Warning
    config.write_text("ignore = [\n")  # broken: reported on the file, not a crash
    before = len(vscode.published)
    vscode.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams([types.FileEvent(config.as_uri(), types.FileChangeType.Changed)]))
    [problem] = await diagnostics(vscode, uri, after=before)
    assert problem.message.startswith("hullguard configuration error:") and ".hullguard.toml" in problem.message


async def test_run_on_save(vscode, workspace):
    settle(vscode, {"run": "onSave"})
    folder = fresh_folder(workspace)
    uri = open_file(vscode, folder / "Dockerfile", DOCKERFILE)
    assert "HG101" in codes(await diagnostics(vscode, uri, 1))  # on open
    change(vscode, uri, 2, (1, 5), (1, 9), "app")
    change(vscode, uri, 3, (0, 0), (0, 0), "# comment\n")
    vscode.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri=uri)))
    await diagnostics(vscode, uri, 3)
    assert [p.version for p in vscode.published if p.uri == uri] == [1, 3]  # nothing while typing


@pytest_lsp.fixture(scope="module", config=server_config())
async def neovim(lsp_client: LanguageClient, workspace):
    """Neovim 0.7 does not offer workspace/configuration: settings are pushed."""
    await start(lsp_client, "neovim@v0.7.0", workspace, options={"select": ["HG101"]})
    yield
    await lsp_client.shutdown_session()


async def test_pushed_settings(neovim, workspace):
    uri = open_file(neovim, fresh_folder(workspace) / "Dockerfile", DOCKERFILE)
    assert codes(await diagnostics(neovim, uri, 1)) == ["HG101"]
    before = len(neovim.published)
    configuration_changed(neovim, {"hullguard": {"select": ["HG202"]}})
    assert codes(await diagnostics(neovim, uri, after=before)) == ["HG202"]


ENCODINGS = [("neovim@v0.11.0", "utf-8"), ("emacs", "utf-32"), ("visual-studio-code", "utf-16")]


@pytest_lsp.fixture(scope="module", params=ENCODINGS, ids=[e for _, e in ENCODINGS], config=server_config())
async def encoded(lsp_client: LanguageClient, request, workspace):
    capabilities, lsp_client.encoding = request.param
    result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=pytest_lsp.client_capabilities(capabilities),
            workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="project")],
        )
    )
    lsp_client.negotiated = result.capabilities.position_encoding
    yield
    await lsp_client.shutdown_session()


def units(text: str, encoding: str) -> int:
    return len(text.encode(encoding + ("-le" if encoding != "utf-8" else ""))) // {"utf-8": 1, "utf-16": 2, "utf-32": 4}[encoding]


async def test_positions_in_the_negotiated_encoding(encoded, workspace):
    assert encoded.negotiated == encoded.encoding
    # Flow style puts the finding (HG404 at the name) after non-ASCII text on its line.
    line = 'metadata: {labels: {note: "😀 café"}, name: web}'
    text = f"apiVersion: v1\nkind: Pod\n{line}\nspec:\n  containers: [{{name: app, image: nginx:1.27}}]\n"
    uri = open_file(encoded, fresh_folder(workspace) / "pod.yaml", text, language_id="yaml")
    hg404 = by_code(await diagnostics(encoded, uri, 1), "HG404")
    column = units(line[: line.index("web")], encoded.encoding)
    assert hg404.range == types.Range(types.Position(2, column), types.Position(2, column + 3))
    # An incremental edit in the same units: insert "x" right after "😀".
    after_emoji = units(line[: line.index("😀") + 1], encoded.encoding)
    change(encoded, uri, 2, (2, after_emoji), (2, after_emoji), "x")
    moved = by_code(await diagnostics(encoded, uri, 2), "HG404")
    assert moved.range.start.character == column + 1
