"""`hullguard pin` end to end against a real registry on 127.0.0.1: Dockerfile, compose and
Kubernetes references rewritten to the digests skopeo reads, the lock cache making a second
run offline, `--refresh` after a new push, `--diff`, and the offline error."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hullguard.cli import main

DOCKERFILE = """\
# syntax=docker/dockerfile:1
FROM {host}/library/alpine:3.20 AS base
FROM --platform=$BUILDPLATFORM {host}/team/app:1.0 AS build
COPY --from={host}/library/alpine:3.20 /etc/os-release /tmp/
FROM base
"""
COMPOSE = """\
services:
  web:
    image: "{host}/team/app:1.0"
  worker:
    image: {host}/library/alpine  # the latest tag
"""
MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web}}
spec:
  template:
    spec:
      initContainers:
        - name: setup
          image: {host}/library/alpine:3.20
      containers:
        - name: app
          image: {host}/team/app:1.0
---
apiVersion: batch/v1
kind: CronJob
metadata: {{name: nightly}}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: job
              image: '{host}/library/alpine:3.20'
"""


@pytest.fixture
def project(tmp_path, registry, monkeypatch):
    """A project using three images of the registry; the pushed digests by reference."""
    digests = {
        "library/alpine:3.20": registry.push_image("library/alpine", "3.20", b"alpine 3.20"),
        "library/alpine:latest": registry.push_image("library/alpine", "latest", b"alpine latest"),
        "team/app:1.0": registry.push_index("team/app", "1.0", b"app 1.0")[0],
    }
    folder = tmp_path / "project"
    folder.mkdir()
    originals = {"Dockerfile": DOCKERFILE, "compose.yaml": COMPOSE, "k8s/manifest.yaml": MANIFEST}
    for name, text in originals.items():
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_text(text.format(host=registry.host))
    monkeypatch.chdir(folder)
    return folder, digests, originals


def expected(registry, text: str, digests: dict[str, str]) -> str:
    """``text`` with every reference pinned to the digest skopeo reads for it."""
    host = registry.host
    for reference, digest in digests.items():
        assert registry.inspect(*reference.split(":")) == digest
    return (
        text.format(host=host)
        .replace(f"{host}/library/alpine:3.20", f"{host}/library/alpine:3.20@{digests['library/alpine:3.20']}")
        .replace(f"{host}/team/app:1.0", f"{host}/team/app:1.0@{digests['team/app:1.0']}")
        .replace(f"{host}/library/alpine  #", f"{host}/library/alpine:latest@{digests['library/alpine:latest']}  #")
    )


def pin(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["pin", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_pins_dockerfile_compose_and_kubernetes(registry, project, capsys):
    folder, digests, originals = project
    code, out, err = pin(capsys)
    assert (code, err) == (0, "")
    for name, text in originals.items():
        assert (folder / name).read_text() == expected(registry, text, digests), name
    host, alpine, app = registry.host, digests["library/alpine:3.20"], digests["team/app:1.0"]
    assert out.splitlines() == [
        f"Dockerfile:2:6: {host}/library/alpine:3.20 -> {host}/library/alpine:3.20@{alpine}",
        f"Dockerfile:3:32: {host}/team/app:1.0 -> {host}/team/app:1.0@{app}",
        f"Dockerfile:4:13: {host}/library/alpine:3.20 -> {host}/library/alpine:3.20@{alpine}",
        f"compose.yaml:3:12: {host}/team/app:1.0 -> {host}/team/app:1.0@{app}",
        f"compose.yaml:5:12: {host}/library/alpine -> {host}/library/alpine:latest@{digests['library/alpine:latest']}",
        f"k8s/manifest.yaml:9:18: {host}/library/alpine:3.20 -> {host}/library/alpine:3.20@{alpine}",
        f"k8s/manifest.yaml:12:18: {host}/team/app:1.0 -> {host}/team/app:1.0@{app}",
        f"k8s/manifest.yaml:25:22: {host}/library/alpine:3.20 -> {host}/library/alpine:3.20@{alpine}",
        "pinned 8 image references in 3 files",
    ]
    lock = json.loads((folder / ".hullguard" / "digests.json").read_text())
    assert {key: value["digest"] for key, value in lock.items()} == {f"{host}/{reference}": digest for reference, digest in digests.items()}
    assert list(lock) == sorted(lock)


def test_pinned_files_are_left_alone_on_a_second_run(registry, project, capsys):
    folder, _, originals = project
    assert pin(capsys)[0] == 0
    pinned = {name: (folder / name).read_bytes() for name in originals}
    assert pin(capsys) == (0, "nothing to change\n", "")
    assert {name: (folder / name).read_bytes() for name in originals} == pinned


def test_lock_cache_makes_the_second_run_offline(registry, project, capsys):
    folder, digests, originals = project
    assert pin(capsys)[0] == 0
    for name, text in originals.items():  # back to tags only
        (folder / name).write_text(text.format(host=registry.host))
    registry.stop()
    code, out, err = pin(capsys)
    assert (code, err, out.splitlines()[-1]) == (0, "", "pinned 8 image references in 3 files")
    registry.start()  # for skopeo's digests in expected()
    for name, text in originals.items():
        assert (folder / name).read_text() == expected(registry, text, digests), name


def test_refresh_updates_digests_after_a_new_push(registry, project, capsys):
    folder, digests, _ = project
    assert pin(capsys)[0] == 0
    old = digests["team/app:1.0"]
    new, _ = registry.push_index("team/app", "1.0", b"app 1.0, rebuilt")
    assert new != old and registry.inspect("team/app", "1.0") == new

    assert pin(capsys) == (0, "nothing to change\n", "")  # the lock cache answers: no network
    assert old in (folder / "compose.yaml").read_text()

    code, out, err = pin(capsys, "--refresh")
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "updated 3 image references in 3 files"
    assert f"{registry.host}/team/app:1.0@{old} -> {registry.host}/team/app:1.0@{new}" in out
    for name in ("Dockerfile", "compose.yaml", "k8s/manifest.yaml"):
        text = (folder / name).read_text()
        assert old not in text and new in text
    lock = json.loads((folder / ".hullguard" / "digests.json").read_text())
    assert lock[f"{registry.host}/team/app:1.0"]["digest"] == new
    assert lock[f"{registry.host}/library/alpine:3.20"]["digest"] == digests["library/alpine:3.20"]


def test_offline_without_lock_cache_is_a_clear_error(registry, project, capsys):
    folder, _, originals = project
    registry.stop()
    code, out, err = pin(capsys, "Dockerfile")
    assert code == 2
    host = registry.host
    assert err.splitlines() == [
        f"hullguard: error: Dockerfile:2:6: cannot pin '{host}/library/alpine:3.20': cannot reach {host}: connection refused",
        f"hullguard: error: Dockerfile:3:32: cannot pin '{host}/team/app:1.0': cannot reach {host}: connection refused",
        f"hullguard: error: Dockerfile:4:13: cannot pin '{host}/library/alpine:3.20': cannot reach {host}: connection refused",
    ]
    assert out == "nothing to change\n"
    assert (folder / "Dockerfile").read_text() == originals["Dockerfile"].format(host=host)
    assert not (folder / ".hullguard").exists()


def test_partial_failure_writes_what_resolved_and_exits_2(registry, project, capsys):
    folder, digests, _ = project
    (folder / "Dockerfile").write_text(f"FROM {registry.host}/library/alpine:3.20\nFROM {registry.host}/library/alpine:9\n")
    code, out, err = pin(capsys, "Dockerfile")
    assert code == 2
    assert err == f"hullguard: error: Dockerfile:2:6: cannot pin '{registry.host}/library/alpine:9': no such tag '9' for {registry.host}/library/alpine\n"
    assert (folder / "Dockerfile").read_text() == f"FROM {registry.host}/library/alpine:3.20@{digests['library/alpine:3.20']}\nFROM {registry.host}/library/alpine:9\n"


@pytest.mark.parametrize("flag", ["--diff", "--dry-run"])
def test_diff_writes_nothing(registry, project, capsys, flag):
    folder, digests, originals = project
    code, out, err = pin(capsys, flag, "compose.yaml")
    assert (code, err) == (1, "")
    host = registry.host
    assert out == (
        "--- a/compose.yaml\n+++ b/compose.yaml\n@@ -1,5 +1,5 @@\n services:\n   web:\n"
        f'-    image: "{host}/team/app:1.0"\n+    image: "{host}/team/app:1.0@{digests["team/app:1.0"]}"\n'
        f"   worker:\n-    image: {host}/library/alpine  # the latest tag\n"
        f"+    image: {host}/library/alpine:latest@{digests['library/alpine:latest']}  # the latest tag\n"
    )
    assert (folder / "compose.yaml").read_text() == originals["compose.yaml"].format(host=host)
    assert not (folder / ".hullguard").exists()


def test_lock_cache_lives_beside_the_config_file(registry, project, capsys, monkeypatch):
    folder, digests, _ = project
    (folder / ".hullguard.toml").write_text("registry-timeout = 5\n")
    monkeypatch.chdir(folder / "k8s")
    assert pin(capsys, ".")[0] == 0
    assert not (folder / "k8s" / ".hullguard").exists()
    lock = json.loads((folder / ".hullguard" / "digests.json").read_text())
    assert set(lock) == {f"{registry.host}/library/alpine:3.20", f"{registry.host}/team/app:1.0"}


def test_the_installed_command(registry, project):
    """The real entry point in a child process: exit code and the file it writes."""
    folder, digests, originals = project
    done = subprocess.run([sys.executable, "-m", "hullguard.cli", "pin", "Dockerfile"], cwd=folder, capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines()[-1] == "pinned 3 image references in 1 file"
    assert (folder / "Dockerfile").read_text() == expected(registry, originals["Dockerfile"], digests)
    registry.stop()
    (folder / "Dockerfile").write_text("FROM 127.0.0.1:1/library/alpine:3.20\n")
    done = subprocess.run([sys.executable, "-m", "hullguard.cli", "pin", "Dockerfile"], cwd=folder, capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert (done.returncode, done.stderr) == (2, "hullguard: error: Dockerfile:1:6: cannot pin '127.0.0.1:1/library/alpine:3.20': cannot reach 127.0.0.1:1: connection refused\n")


def test_check_fix_pins_with_resolve_digests(registry, project, capsys):
    folder, digests, originals = project
    assert main(["check", "--select", "HG202", "--fix", "."]) == 1  # off by default: nothing pinned, findings stay
    capsys.readouterr()
    assert (folder / "Dockerfile").read_text() == originals["Dockerfile"].format(host=registry.host)
    (folder / ".hullguard.toml").write_text("resolve-digests = true\n")
    code = main(["check", "--select", "HG202", "--fix", "."])
    out, err = capsys.readouterr()
    assert (code, err) == (0, ""), out + err
    for name, text in originals.items():
        assert (folder / name).read_text() == expected(registry, text, digests), name
    assert (folder / ".hullguard" / "digests.json").is_file()


def test_check_fix_reports_what_it_cannot_pin(registry, project, capsys):
    folder, _, _ = project
    (folder / ".hullguard.toml").write_text("resolve-digests = true\n")
    registry.stop()
    code = main(["check", "--select", "HG202", "--fix", "Dockerfile"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"hullguard: error: Dockerfile:2:6: cannot pin: " in err and "connection refused" in err
