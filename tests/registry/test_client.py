"""The registry client against a real registry on 127.0.0.1, directly and through an
authenticating front: digests compared with what was written and with skopeo's."""
from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import ssl
import stat
import subprocess

import pytest

from hullguard.registry import DockerConfig, Reference, RegistryClient, RegistryError, RegistrySettings

FAST = RegistrySettings(timeout=5, backoff=0.5)


def client(settings: RegistrySettings = FAST, *, allow_helpers: bool = False) -> tuple[RegistryClient, list[float]]:
    """A client whose waits are recorded instead of slept."""
    waits: list[float] = []
    return RegistryClient(settings, docker_config=DockerConfig(allow_helpers=allow_helpers), sleep=waits.append), waits


def resolve(text: str, settings: RegistrySettings = FAST) -> str:
    return client(settings)[0].resolve(Reference.parse(text))


def failure(text: str, settings: RegistrySettings = FAST) -> RegistryError:
    with pytest.raises(RegistryError) as caught:
        resolve(text, settings)
    return caught.value


def test_single_platform_image_digest_matches_written_and_skopeo(registry):
    written = registry.push_image("library/alpine", "3.20", b"single")
    assert registry.inspect("library/alpine", "3.20") == written
    assert resolve(f"{registry.host}/library/alpine:3.20") == written


def test_multi_platform_image_pins_the_index_digest(registry):
    index, platforms = registry.push_index("team/app", "1.0", b"multi")
    assert registry.inspect("team/app", "1.0") == index
    digest = resolve(f"{registry.host}/team/app:1.0")
    assert digest == index and digest not in platforms


def test_head_answer_is_used_without_downloading(registry, auth_proxy):
    written = registry.push_image("library/alpine", "3.20", b"head")
    proxy = auth_proxy(challenge="none")
    assert resolve(f"{proxy.host}/library/alpine:3.20") == written
    assert proxy.methods("/manifests/") == ["HEAD"]


def test_get_fallback_hashes_the_manifest_when_head_has_no_digest(registry, auth_proxy):
    index, _ = registry.push_index("library/multi", "2", b"fallback")
    proxy = auth_proxy(challenge="none", drop_digest_header=True)
    assert resolve(f"{proxy.host}/library/multi:2") == index
    assert proxy.methods("/manifests/") == ["HEAD", "GET"]


def test_a_digest_header_that_does_not_match_the_manifest_is_refused(registry, auth_proxy):
    registry.push_image("library/alpine", "3.20", b"false")
    proxy = auth_proxy(challenge="none", drop_digest_header=False, false_digest=True)
    client_, _ = client()
    # HEAD's header cannot be checked; make HEAD useless so the GET is what answers
    proxy.behaviour.failures = [(404, None)]
    with pytest.raises(RegistryError) as caught:
        client_.resolve(Reference.parse(f"{proxy.host}/library/alpine:3.20"))
    assert caught.value.kind == "protocol"
    assert str(caught.value).startswith("the registry's Docker-Content-Digest sha256:0000")


def test_no_such_tag(registry):
    registry.push_image("library/alpine", "3.20", b"tag")
    error = failure(f"{registry.host}/library/alpine:9.99")
    assert (error.kind, str(error)) == ("unknown-tag", f"no such tag '9.99' for {registry.host}/library/alpine")


def test_unknown_image(registry):
    error = failure(f"{registry.host}/library/nothing:1")
    assert (error.kind, str(error)) == ("unknown-image", f"no such image in {registry.host}")


def test_connection_refused_is_offline(registry):
    registry.stop()
    error = failure(f"{registry.host}/library/alpine:3.20")
    assert (error.kind, str(error)) == ("offline", f"cannot reach {registry.host}: connection refused")


def test_names_beyond_loopback_are_never_looked_up_here():
    """The isolation of these tests, and the message for a name that does not resolve."""
    error = failure("nginx:1.27")
    assert (error.kind, str(error)) == ("offline", "cannot reach registry-1.docker.io: the name does not resolve (offline?)")


# --- authentication ------------------------------------------------------------------------------


def test_anonymous_bearer_token_flow(registry, auth_proxy):
    written = registry.push_image("library/alpine", "3.20", b"anonymous")
    proxy = auth_proxy()
    assert resolve(f"{proxy.host}/library/alpine:3.20") == written
    token_requests = [(query, authorization) for method, path, query, authorization in proxy.log if path == "/token"]
    assert token_requests == [({"service": "test-registry", "scope": "repository:library/alpine:pull"}, None)]
    assert proxy.log[-1][3] == "Bearer token-0"


def test_token_is_reused_for_the_same_repository(registry, auth_proxy):
    registry.push_image("library/alpine", "3.20", b"one")
    registry.push_image("library/alpine", "3.21", b"two")
    proxy = auth_proxy()
    client_, _ = client()
    client_.resolve(Reference.parse(f"{proxy.host}/library/alpine:3.20"))
    client_.resolve(Reference.parse(f"{proxy.host}/library/alpine:3.21"))
    assert [path for _, path, _, _ in proxy.log].count("/token") == 1


@pytest.mark.parametrize("entry", [
    lambda user, password: {"auth": base64.b64encode(f"{user}:{password}".encode()).decode()},
    lambda user, password: {"username": user, "password": password},
], ids=["auth", "username-password"])
def test_bearer_token_with_docker_config_credentials(registry, auth_proxy, docker_config, entry):
    written = registry.push_image("team/private", "1", b"private")
    proxy = auth_proxy(credentials=("robot", "s3cret:with-colon"))
    docker_config.write_text(json.dumps({"auths": {f"http://{proxy.host}": entry("robot", "s3cret:with-colon")}}))
    assert resolve(f"{proxy.host}/team/private:1") == written


def test_bearer_token_without_credentials_says_where_they_were_looked_for(registry, auth_proxy, docker_config):
    proxy = auth_proxy(credentials=("robot", "pw"))
    error = failure(f"{proxy.host}/team/private:1")
    assert (error.kind, str(error)) == ("auth", f"authentication required (no credentials for {proxy.host} in {docker_config})")


def test_wrong_credentials_are_reported_without_their_value(registry, auth_proxy, docker_config):
    proxy = auth_proxy(credentials=("robot", "right"))
    docker_config.write_text(json.dumps({"auths": {proxy.host: {"username": "robot", "password": "wrong-password"}}}))
    error = failure(f"{proxy.host}/team/private:1")
    assert error.kind == "auth" and "wrong-password" not in str(error)
    assert str(error) == f"access denied with the credentials for {proxy.host} from {docker_config} (wrong credentials, or no pull access)"


def test_credential_helper_is_not_run_unless_allowed(registry, auth_proxy, docker_config, tmp_path, monkeypatch):
    proxy = auth_proxy(credentials=("robot", "from-helper"))
    marker = tmp_path / "helper-ran"
    helper = tmp_path / "bin" / "docker-credential-testhelper"
    helper.parent.mkdir()
    helper.write_text(f"#!/bin/sh\ntouch {marker}\ncat >/dev/null\necho '{{\"Username\": \"robot\", \"Secret\": \"from-helper\"}}'\n")
    helper.chmod(helper.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{helper.parent}{os.pathsep}{os.environ['PATH']}")
    docker_config.write_text(json.dumps({"auths": {proxy.host: {}}, "credsStore": "testhelper"}))
    error = failure(f"{proxy.host}/team/private:1")
    assert str(error) == (f"authentication required (credentials for {proxy.host} are kept by the credential helper "
                          "'testhelper', which hullguard does not run unless the setting registry-credential-helpers = true allows it)")
    assert not marker.exists()

    written = registry.push_image("team/private", "1", b"helper")
    allowed, _ = client(RegistrySettings(credential_helpers=True), allow_helpers=True)
    assert allowed.resolve(Reference.parse(f"{proxy.host}/team/private:1")) == written
    assert marker.exists()


def test_basic_challenge_with_credentials(registry, auth_proxy, docker_config):
    written = registry.push_image("team/basic", "1", b"basic")
    proxy = auth_proxy(challenge="basic", credentials=("robot", "pw"))
    docker_config.write_text(json.dumps({"auths": {proxy.host: {"username": "robot", "password": "pw"}}}))
    assert resolve(f"{proxy.host}/team/basic:1") == written


def test_token_realm_over_plain_http_beyond_loopback_is_refused(registry, auth_proxy):
    proxy = auth_proxy(realm="http://10.1.2.3/token")
    error = failure(f"{proxy.host}/library/alpine:3.20")
    assert (error.kind, str(error)) == ("tls", f"the token service of {proxy.host} (10.1.2.3) is plain HTTP; refused")


def test_redirect_to_plain_http_beyond_loopback_is_refused(registry, auth_proxy):
    proxy = auth_proxy(challenge="none", redirect_to="http://10.1.2.3/v2/x/manifests/1")
    error = failure(f"{proxy.host}/library/alpine:3.20")
    assert (error.kind, str(error)) == ("tls", f"{proxy.host} redirected to plain HTTP (10.1.2.3); refused")


# --- retries ---------------------------------------------------------------------------------


def test_retry_after_is_honoured(registry, auth_proxy):
    written = registry.push_image("library/alpine", "3.20", b"retry")
    proxy = auth_proxy(challenge="none", failures=[(429, "2"), (503, None)])
    client_, waits = client()
    assert client_.resolve(Reference.parse(f"{proxy.host}/library/alpine:3.20")) == written
    assert waits == [2.0, 1.0]  # Retry-After, then the second backoff step


def test_retries_are_bounded(registry, auth_proxy):
    proxy = auth_proxy(challenge="none", failures=[(503, None)] * 10)
    client_, waits = client()
    with pytest.raises(RegistryError) as caught:
        client_.resolve(Reference.parse(f"{proxy.host}/library/alpine:3.20"))
    assert (caught.value.kind, str(caught.value)) == ("server", f"{proxy.host} failed with HTTP 503")
    assert waits == [0.5, 1.0, 2.0]


def test_a_long_retry_after_gives_up_at_once(registry, auth_proxy):
    proxy = auth_proxy(challenge="none", failures=[(429, "3600")])
    client_, waits = client()
    with pytest.raises(RegistryError) as caught:
        client_.resolve(Reference.parse(f"{proxy.host}/library/alpine:3.20"))
    assert (caught.value.kind, str(caught.value)) == ("rate-limited", f"rate limited by {proxy.host} (retry after 3600 s)")
    assert waits == []


# --- TLS -------------------------------------------------------------------------------------


@pytest.fixture
def named_host(monkeypatch):
    """``registry.test`` resolves to 127.0.0.1: a registry that is not loopback by its name."""
    lookup = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        return lookup("127.0.0.1" if host == "registry.test" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return "registry.test"


@pytest.fixture
def tls_proxy(auth_proxy, named_host, tmp_path):
    """A front speaking HTTPS with a self-signed certificate for ``registry.test``."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed; it makes the test's self-signed certificate")
    key, certificate = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(certificate),
         "-days", "1", "-subj", f"/CN={named_host}", "-addext", f"subjectAltName=DNS:{named_host}"],
        check=True, capture_output=True, timeout=60,
    )
    proxy = auth_proxy(challenge="none")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    proxy.socket = context.wrap_socket(proxy.socket, server_side=True)
    return f"{named_host}:{proxy.server_address[1]}"


def test_untrusted_certificate_is_a_tls_error(registry, tls_proxy):
    registry.push_image("library/alpine", "3.20", b"tls")
    error = failure(f"{tls_proxy}/library/alpine:3.20")
    assert (error.kind, str(error)) == ("tls", f"TLS error with {tls_proxy}: self-signed certificate (list it in insecure-registries only if you trust the network)")


def test_insecure_registry_skips_certificate_checks(registry, tls_proxy):
    written = registry.push_image("library/alpine", "3.20", b"tls")
    assert resolve(f"{tls_proxy}/library/alpine:3.20", RegistrySettings(insecure_registries=(tls_proxy,))) == written


def test_plain_http_only_for_listed_registries(registry, auth_proxy, named_host):
    written = registry.push_image("library/alpine", "3.20", b"plain")
    host = f"{named_host}:{auth_proxy(challenge='none').server_address[1]}"
    error = failure(f"{host}/library/alpine:3.20")
    assert error.kind == "tls" and str(error).startswith(f"TLS error with {host}: ")  # HTTPS only: never plain HTTP
    assert resolve(f"{host}/library/alpine:3.20", RegistrySettings(insecure_registries=(f"http://{host}",))) == written
