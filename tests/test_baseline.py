"""The baseline file: ``--write-baseline`` records today's findings, ``--baseline`` reports
only the ones it does not record."""
from __future__ import annotations

import json
import os

import pytest

from hullguard.cli import main
from hullguard.model import Format
from hullguard.rules import RULES_BY_CODE

BAD = "FROM python:3.12-slim\nRUN curl -fsSL https://example.com/install.sh | sh\nUSER root\n"
KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "Dockerfile").write_text(BAD)
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nginx:latest\n    privileged: true\n")
    return tmp_path


def test_write_baseline_records_every_finding_sorted_one_per_line(project, capsys):
    assert run(capsys, "check", "--write-baseline", ".hullguard-baseline.json") == (0, "Wrote 12 findings in 2 files to .hullguard-baseline.json.\n", "")
    text = (project / ".hullguard-baseline.json").read_text()
    lines = text.splitlines()
    assert lines[:3] == ["{", '  "version": 1,', '  "findings": ['] and lines[-2:] == ["  ]", "}"]
    records = [json.loads(line.strip().rstrip(",")) for line in lines[3:-2]]
    assert records == json.loads(text)["findings"] and len(records) == 12
    keys = [(r["path"], r["code"], r["subject"], r["message"], r["fingerprint"]) for r in records]
    assert keys == sorted(keys)
    assert {r["path"] for r in records} == {"compose.yaml", "svc/Dockerfile"}
    root = next(r for r in records if r["code"] == "HG101" and r["path"] == "svc/Dockerfile")
    assert root == {"path": "svc/Dockerfile", "code": "HG101", "subject": "final stage USER", "message": "final stage runs as root (USER root)", "fingerprint": root["fingerprint"]}
    assert len(root["fingerprint"]) == 16
    assert not list(project.glob(".*.hullguard"))  # written atomically: no temporary file left


def test_baseline_hides_recorded_findings_after_edits_and_reports_new_ones(project, capsys):
    run(capsys, "check", "--write-baseline", ".hullguard-baseline.json")
    assert run(capsys, "check", "--baseline", ".hullguard-baseline.json") == (0, "No new findings (12 pre-existing hidden).\n", "")
    (project / "svc" / "Dockerfile").write_text("# the app\n\n" + BAD.replace("USER root", "EXPOSE 22\nUSER root"))
    code, out, _ = run(capsys, "check", "--baseline", ".hullguard-baseline.json")
    assert (code, out.splitlines()) == (1, ["svc/Dockerfile:5:8: HG401 EXPOSE 22 (SSH) exposes a remote-administration service", "Found 1 new finding (12 pre-existing hidden)."])
    code, out, _ = run(capsys, "check", "--baseline", ".hullguard-baseline.json", "--format", "json")
    assert sorted({r["baseline"] for r in json.loads(out)}) == ["existing", "new"]
    code, out, _ = run(capsys, "check", "--baseline", ".hullguard-baseline.json", "--format", "sarif")
    states = [r["baselineState"] for r in json.loads(out)["runs"][0]["results"]]
    assert states.count("new") == 1 and states.count("unchanged") == 12


def test_repeated_findings_are_counted(project, capsys):
    (project / "svc" / "Dockerfile").write_text(BAD + BAD.split("\n", 1)[1])  # the curl | sh RUN twice
    run(capsys, "check", "--select", "HG206", "--write-baseline", "b.json")
    assert len(json.loads((project / "b.json").read_text())["findings"]) == 2
    (project / "svc" / "Dockerfile").write_text(BAD + BAD.split("\n", 1)[1] * 2)
    code, out, _ = run(capsys, "check", "--select", "HG206", "--baseline", "b.json")
    assert (code, out.splitlines()[-1]) == (1, "Found 1 new finding (2 pre-existing hidden).")


def test_a_secret_is_never_stored_and_another_secret_is_new(project, capsys):
    (project / "svc" / "Dockerfile").write_text(f"FROM alpine:3.20\nENV AWS_SECRET_ACCESS_KEY={KEY}\n")
    run(capsys, "check", "--select", "HG301", "--write-baseline", "b.json")
    text = (project / "b.json").read_text()
    assert KEY[:4] not in text and KEY[4:] not in text
    [record] = json.loads(text)["findings"]
    assert record["secret"] is True and "****" in record["message"]
    (project / "svc" / "Dockerfile").write_text(f"FROM alpine:3.20\nRUN true\nENV AWS_SECRET_ACCESS_KEY={KEY}\n")
    assert run(capsys, "check", "--select", "HG301", "--baseline", "b.json")[:2] == (0, "No new findings (1 pre-existing hidden).\n")
    (project / "svc" / "Dockerfile").write_text(f"FROM alpine:3.20\nENV AWS_SECRET_ACCESS_KEY={KEY[:-1]}Q\n")
    assert run(capsys, "check", "--select", "HG301", "--baseline", "b.json")[0] == 1


def test_paths_are_relative_to_the_baseline_file_wherever_hullguard_runs(project, capsys, monkeypatch):
    (project / "ci").mkdir()
    run(capsys, "check", "--select", "HG101", "--write-baseline", "ci/baseline.json", "svc")
    assert [r["path"] for r in json.loads((project / "ci" / "baseline.json").read_text())["findings"]] == ["../svc/Dockerfile"]
    monkeypatch.chdir(project / "svc")
    assert run(capsys, "check", "--select", "HG101", "--baseline", "../ci/baseline.json", "Dockerfile")[:2] == (0, "No new findings (1 pre-existing hidden).\n")


def test_rewriting_replaces_the_file_and_keeps_its_mode(project, capsys):
    baseline = project / "b.json"
    baseline.write_text("old\n")
    os.chmod(baseline, 0o640)
    run(capsys, "check", "--select", "HG101", "--write-baseline", "b.json")
    assert json.loads(baseline.read_text())["version"] == 1 and baseline.stat().st_mode & 0o777 == 0o640
    (project / "svc" / "Dockerfile").write_text("FROM python:3.12-slim\nUSER 10001\n")
    (project / "compose.yaml").unlink()
    assert run(capsys, "check", "--select", "HG101", "--write-baseline", "b.json")[1] == "Wrote 0 findings in 0 files to b.json.\n"
    assert baseline.read_text() == '{\n  "version": 1,\n  "findings": []\n}\n'


@pytest.mark.parametrize(
    "content, error",
    [
        (None, "b.json: no such baseline file (create it with --write-baseline b.json)"),
        ("not json", "b.json: not a baseline file: Expecting value: line 1 column 1 (char 0)"),
        ('{"version": 2, "findings": []}', "b.json: baseline version 2 is not supported (this hullguard reads version 1; write it again with --write-baseline)"),
        ('{"version": 1, "findings": [{"path": "Dockerfile"}]}', "b.json: finding 1 is not a baseline record (needs path, code, subject, message, fingerprint)"),
        ('{"version": 1}', "b.json: not a baseline file (no findings list)"),
    ],
)
def test_a_baseline_that_cannot_be_read_is_a_usage_error(project, capsys, content, error):
    if content is not None:
        (project / "b.json").write_text(content)
    assert run(capsys, "check", "--baseline", "b.json") == (2, "", f"hullguard: error: {error}\n")


def test_write_baseline_refuses_other_comparisons_and_incomplete_runs(project, capsys):
    assert run(capsys, "check", "--write-baseline", "b.json", "--baseline", "b.json")[2] == "hullguard: error: --write-baseline records every finding; it cannot be combined with --since or --baseline\n"
    assert run(capsys, "check", "--baseline", "b.json", "--diff")[2] == "hullguard: error: --baseline cannot be combined with --fix or --diff\n"


def test_write_baseline_writes_nothing_when_a_rule_failed(project, capsys, monkeypatch):
    def broken(model, context):
        raise RuntimeError("boom")

    monkeypatch.setitem(RULES_BY_CODE["HG101"].checks, Format.DOCKERFILE, broken)
    code, _, err = run(capsys, "check", "--write-baseline", "b.json")
    assert code == 2 and err.splitlines()[-1] == "hullguard: error: b.json not written: not every file could be linted"
    assert not (project / "b.json").exists()
