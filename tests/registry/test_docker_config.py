"""Credentials from the Docker config: ``auths`` entries, Docker Hub's key, and credential
helpers that run only when allowed (no network)."""
from __future__ import annotations

import base64
import json
import os
import stat

import pytest

from hullguard.registry import Credentials, DockerConfig, RegistryError, docker_config_path


def write(path, data) -> DockerConfig:
    path.write_text(json.dumps(data))
    return DockerConfig(path)


def test_path_follows_docker_config_variable(docker_config, monkeypatch):
    assert docker_config_path() == docker_config
    monkeypatch.delenv("DOCKER_CONFIG")
    assert docker_config_path().parts[-2:] == (".docker", "config.json")


def test_missing_file_means_no_credentials(docker_config):
    assert DockerConfig(docker_config).credentials("ghcr.io") is None


def test_auth_field_is_base64_of_user_and_password(docker_config):
    config = write(docker_config, {"auths": {"ghcr.io": {"auth": base64.b64encode(b"me:pa:ss").decode()}}})
    assert config.credentials("ghcr.io") == Credentials("me", "pa:ss")
    assert config.credentials("quay.io") is None


def test_username_and_password_fields(docker_config):
    config = write(docker_config, {"auths": {"https://registry.example.com/v2/": {"username": "me", "password": "pw"}}})
    assert config.credentials("registry.example.com") == Credentials("me", "pw")


@pytest.mark.parametrize("key", ["https://index.docker.io/v1/", "docker.io", "index.docker.io", "registry-1.docker.io"])
def test_docker_hub_keys(docker_config, key):
    config = write(docker_config, {"auths": {key: {"username": "me", "password": "pw"}}})
    assert config.credentials("docker.io") == Credentials("me", "pw")


def test_password_is_not_in_repr():
    assert "pw" not in repr(Credentials("me", "pw"))


def test_invalid_files_are_clear_errors(docker_config):
    docker_config.write_text("{not json")
    with pytest.raises(RegistryError) as caught:
        DockerConfig(docker_config).credentials("ghcr.io")
    assert str(caught.value).startswith(f"{docker_config}: cannot read the Docker config: ")
    config = write(docker_config, {"auths": {"ghcr.io": {"auth": "%%%"}}})
    with pytest.raises(RegistryError) as caught:
        config.credentials("ghcr.io")
    assert str(caught.value) == f"{docker_config}: the 'auth' of 'ghcr.io' is not base64 of 'user:password'"


@pytest.fixture
def helper(tmp_path, monkeypatch):
    """A ``docker-credential-fake`` on PATH that records the server it was asked about."""
    asked = tmp_path / "asked"
    program = tmp_path / "bin" / "docker-credential-fake"
    program.parent.mkdir()
    program.write_text(
        f"#!/bin/sh\n[ \"$1\" = get ] || exit 3\ncat > {asked}\n"
        f"if [ \"$(cat {asked})\" = unknown.example ]; then echo 'credentials not found in native keychain'; exit 1; fi\n"
        "echo '{\"ServerURL\": \"x\", \"Username\": \"helper-user\", \"Secret\": \"helper-secret\"}'\n"
    )
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{program.parent}{os.pathsep}{os.environ['PATH']}")
    return asked


def test_helpers_do_not_run_by_default(docker_config, helper):
    config = write(docker_config, {"credsStore": "fake", "credHelpers": {"ghcr.io": "fake"}})
    assert config.credentials("ghcr.io") is None
    assert config.credentials("docker.io") is None
    assert not helper.exists()
    assert config.missing_credentials_hint("ghcr.io") == (
        "credentials for ghcr.io are kept by the credential helper 'fake', which hullguard does not run unless "
        "the setting registry-credential-helpers = true allows it"
    )


def test_allowed_helpers_run(docker_config, helper):
    docker_config.write_text(json.dumps({"credsStore": "fake", "credHelpers": {"ghcr.io": "fake"}}))
    config = DockerConfig(docker_config, allow_helpers=True)
    assert config.credentials("ghcr.io") == Credentials("helper-user", "helper-secret")
    assert helper.read_text() == "ghcr.io"
    assert config.credentials("docker.io") == Credentials("helper-user", "helper-secret")
    assert helper.read_text() == "https://index.docker.io/v1/"
    assert config.credentials("unknown.example") is None


def test_cred_helpers_entry_wins_over_auths(docker_config, helper):
    docker_config.write_text(json.dumps({"auths": {"ghcr.io": {"username": "inline", "password": "pw"}}, "credHelpers": {"ghcr.io": "fake"}}))
    assert DockerConfig(docker_config, allow_helpers=True).credentials("ghcr.io") == Credentials("helper-user", "helper-secret")
    assert DockerConfig(docker_config).credentials("ghcr.io") is None


def test_missing_or_odd_helpers(docker_config):
    config = DockerConfig(docker_config, allow_helpers=True)
    docker_config.write_text(json.dumps({"credsStore": "absent-helper-xyz"}))
    with pytest.raises(RegistryError) as caught:
        config.credentials("ghcr.io")
    assert str(caught.value) == "credential helper docker-credential-absent-helper-xyz is not installed"
    docker_config.write_text(json.dumps({"credsStore": "../evil"}))
    with pytest.raises(RegistryError) as caught:
        DockerConfig(docker_config, allow_helpers=True).credentials("ghcr.io")
    assert str(caught.value) == f"{docker_config}: invalid credential helper name '../evil'"
