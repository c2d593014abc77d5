"""Diagnostics: on open and on change, with versions, positions in the client's encoding,
cross-file dependants, and bad documents."""
from __future__ import annotations

import pytest
from lsprotocol import types
from lsp_helpers import by_code, change, client, codes, diagnostics, fresh_folder, open_file, wait_for, workspace  # noqa: F401

pytestmark = pytest.mark.asyncio(loop_scope="module")

DOCKERFILE = "FROM python:3.12\nUSER root\n"
DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: app
          image: nginx:1.27
"""
POLICY = """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
"""


async def test_open_publishes_findings_with_the_version(client, workspace):
    uri = open_file(client, fresh_folder(workspace) / "Dockerfile", DOCKERFILE, version=7)
    found = await diagnostics(client, uri, 7)
    root = by_code(found, "HG101")
    assert root.range == types.Range(types.Position(1, 5), types.Position(1, 9))  # the `root` of USER root
    assert root.severity == types.DiagnosticSeverity.Error
    assert root.source == "hullguard"
    assert root.message == "final stage runs as root (USER root)"
    assert root.code_description.href.endswith("#hg101-run-as-root")
    assert by_code(found, "HG202").severity == types.DiagnosticSeverity.Warning


async def test_edit_republishes_with_the_new_version(client, workspace):
    uri = open_file(client, fresh_folder(workspace) / "Dockerfile", DOCKERFILE)
    assert "HG101" in codes(await diagnostics(client, uri, 1))
    change(client, uri, 2, (1, 5), (1, 9), "app")  # USER root -> USER app
    assert codes(await diagnostics(client, uri, 2)) == ["HG202"]
    change(client, uri, 3, (1, 5), (1, 8), "0")  # USER 0 is root again
    assert by_code(await diagnostics(client, uri, 3), "HG101").range.start == types.Position(1, 5)


async def test_a_burst_of_edits_is_linted_once_at_its_latest_version(client, workspace):
    # Long enough that a lint takes a while, so the edits arrive while the first one runs.
    body = "".join(f"RUN echo step {number} && ls /tmp\n" for number in range(300))
    uri = open_file(client, fresh_folder(workspace) / "Dockerfile", "FROM python:3.12\n" + body + "USER root\n")
    await diagnostics(client, uri, 1)
    before = len(client.published)
    for version in range(2, 32):  # 30 edits: a comment line added at the top each time
        change(client, uri, version, (0, 0), (0, 0), f"# edit {version}\n")
    found = await diagnostics(client, uri, 31, after=before)
    assert by_code(found, "HG101").range.start.line == 301 + 30  # computed from the latest text
    versions = [p.version for p in client.published[before:] if p.uri == uri]
    assert versions == sorted(versions) and versions[-1] == 31
    assert len(versions) <= 3, versions  # no backlog of one lint per keystroke


async def test_close_clears_the_diagnostics(client, workspace):
    uri = open_file(client, fresh_folder(workspace) / "Dockerfile", DOCKERFILE)
    assert await diagnostics(client, uri)
    before = len(client.published)
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri=uri)))
    assert await diagnostics(client, uri, after=before) == []


async def test_a_non_ascii_line_gives_the_column_in_utf16_code_units(client, workspace):
    line = "COPY 😀é.txt . /app/"  # HG303: the `.` copies the whole context (no .dockerignore)
    uri = open_file(client, fresh_folder(workspace) / "Dockerfile", f"FROM python:3.12\n{line}\n")
    found = by_code(await diagnostics(client, uri), "HG303")
    prefix = line[: line.index(" . ") + 1]
    assert found.range.start == types.Position(1, len(prefix.encode("utf-16-le")) // 2)  # 😀 is 2 units
    assert found.range.end.character == found.range.start.character + 1


async def test_files_hullguard_does_not_lint_get_no_diagnostics(client, workspace):
    folder = fresh_folder(workspace)
    readme = open_file(client, folder / "README.md", "# hello\n", language_id="markdown")
    uri = open_file(client, folder / "Dockerfile", DOCKERFILE)
    await diagnostics(client, uri)
    assert all(p.uri != readme for p in client.published)


async def test_kubernetes_manifest_and_a_policy_in_another_open_file(client, workspace):
    folder = fresh_folder(workspace)
    uri = open_file(client, folder / "deployment.yaml", DEPLOYMENT, language_id="yaml")
    hg404 = by_code(await diagnostics(client, uri), "HG404")
    assert hg404.range == types.Range(types.Position(3, 8), types.Position(3, 11))  # `web`
    # A NetworkPolicy of the same namespace, opened (not saved): the Deployment is isolated now.
    before = len(client.published)
    open_file(client, folder / "policy.yaml", POLICY, language_id="yaml")
    found = await wait_for(lambda: [p for p in client.published[before:] if p.uri == uri], "the deployment re-published")
    assert "HG404" not in codes(found[-1].diagnostics)


async def test_bad_documents_give_hg000_and_the_server_goes_on(client, workspace):
    folder = fresh_folder(workspace)
    broken_yaml = open_file(client, folder / "manifest.yaml", "apiVersion: v1\nkind: Pod\nmetadata: [unclosed\n", language_id="yaml")
    assert "HG000" in codes(await diagnostics(client, broken_yaml))
    broken_dockerfile = open_file(client, folder / "Dockerfile", "# escape=x\nFROM python:3.12\n")
    assert codes(await diagnostics(client, broken_dockerfile)) == ["HG000"]
    fine = open_file(client, folder / "app.Dockerfile", DOCKERFILE)
    assert "HG101" in codes(await diagnostics(client, fine))


async def test_dependant_republished_when_a_file_it_read_changes_on_disk(client, workspace):
    folder = fresh_folder(workspace)
    uri = open_file(client, folder / "Dockerfile", "FROM python:3.12\nCOPY . /app\n")
    assert "HG303" in codes(await diagnostics(client, uri))
    if client.name == "visual-studio-code":  # it registers watchers dynamically; the server asks
        watched = [r for r in client.registrations if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES]
        assert watched and {"globPattern": "**/.dockerignore"} in watched[0].register_options["watchers"]
    (folder / ".dockerignore").write_text(".git\n.env\n*.pem\n*.key\n")
    before = len(client.published)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=(folder / ".dockerignore").as_uri(), type=types.FileChangeType.Created)])
    )
    found = await diagnostics(client, uri, after=before)
    assert "HG303" not in codes(found)


async def test_dependant_follows_an_open_unsaved_buffer(client, workspace):
    folder = fresh_folder(workspace)
    uri = open_file(client, folder / "Dockerfile", "FROM python:3.12\nCOPY . /app\n")
    assert "HG303" in codes(await diagnostics(client, uri))
    ignore = open_file(client, folder / ".dockerignore", "", language_id="ignore")  # a new buffer, not on disk
    before = len(client.published)
    change(client, ignore, 2, (0, 0), (0, 0), ".git\n.env\n*.pem\n*.key\n")
    assert "HG303" not in codes(await diagnostics(client, uri, after=before))
    before = len(client.published)
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri=ignore)))
    assert "HG303" in codes(await diagnostics(client, uri, after=before))  # closed unsaved: the disk has none


async def test_opening_a_saved_policy_file_relints_no_other_manifest(client, workspace):
    # The policy is on disk, so the Deployment was linted with it already: opening the
    # policy file (unchanged) must not re-lint every open manifest.
    folder = fresh_folder(workspace)
    (folder / "policy.yaml").write_text(POLICY)
    (folder / "deployment.yaml").write_text(DEPLOYMENT)
    deployment = open_file(client, folder / "deployment.yaml", DEPLOYMENT, language_id="yaml")
    assert "HG404" not in codes(await diagnostics(client, deployment))
    policy = open_file(client, folder / "policy.yaml", POLICY, language_id="yaml")
    await diagnostics(client, policy)
    # A lint queued after any re-lint the policy caused; then count the Deployment's publications.
    probe = open_file(client, folder / "Dockerfile", DOCKERFILE)
    await diagnostics(client, probe)
    assert len([p for p in client.published if p.uri == deployment]) == 1


async def test_a_policy_edited_to_select_other_pods_relints_the_manifest(client, workspace):
    folder = fresh_folder(workspace)
    # A namespace of its own: the server's index holds the policies of the other tests too.
    policy_text, deployment_text = (text.replace("namespace: shop", f"namespace: {folder.name}") for text in (POLICY, DEPLOYMENT))
    (folder / "policy.yaml").write_text(policy_text)
    deployment = open_file(client, folder / "deployment.yaml", deployment_text, language_id="yaml")
    assert "HG404" not in codes(await diagnostics(client, deployment))
    policy = open_file(client, folder / "policy.yaml", policy_text, language_id="yaml")
    await diagnostics(client, policy)
    before = len(client.published)
    change(client, policy, 2, (6, 15), (6, 17), "{matchLabels: {app: db}}")  # podSelector: {} -> only app=db
    assert "HG404" in codes(await diagnostics(client, deployment, after=before))


async def test_an_edit_that_moves_documents_of_a_stream_moves_their_diagnostics(client, workspace):
    uri = open_file(client, fresh_folder(workspace) / "all.yaml", f"{DEPLOYMENT}---\n{DEPLOYMENT.replace('name: web', 'name: api')}", language_id="yaml")
    first = {(d.code, d.range.start.line) for d in await diagnostics(client, uri, 1)}
    assert {line for _, line in first} >= {3, 17}  # both Deployments' names (lines 4 and 18)
    change(client, uri, 2, (0, 0), (0, 0), "# two lines\n# above\n")
    moved = {(d.code, d.range.start.line) for d in await diagnostics(client, uri, 2)}
    assert moved == {(code, line + 2) for code, line in first}
