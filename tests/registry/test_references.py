"""Reference normalisation, which hosts may use plain HTTP, and parsing registry answers'
headers (no network)."""
from __future__ import annotations

import pytest

from hullguard.registry import InvalidReference, Reference, _retry_after, allows_plain_http, is_loopback, parse_challenge, split_host

DIGEST = "sha256:" + "ab" * 32


@pytest.mark.parametrize("text, registry, repository, tag, digest", [
    ("nginx", "docker.io", "library/nginx", "latest", None),
    ("nginx:1.27", "docker.io", "library/nginx", "1.27", None),
    ("library/nginx:1.27", "docker.io", "library/nginx", "1.27", None),
    ("docker.io/nginx", "docker.io", "library/nginx", "latest", None),
    ("index.docker.io/library/nginx:1", "docker.io", "library/nginx", "1", None),
    ("registry-1.docker.io/nginx:1", "docker.io", "library/nginx", "1", None),
    ("bitnami/redis:7.2", "docker.io", "bitnami/redis", "7.2", None),
    ("ghcr.io/org/team/app:v1.0.0", "ghcr.io", "org/team/app", "v1.0.0", None),
    ("localhost/app", "localhost", "app", "latest", None),
    ("localhost:5000/app:dev", "localhost:5000", "app", "dev", None),
    ("127.0.0.1:5000/a/b:c", "127.0.0.1:5000", "a/b", "c", None),
    ("[::1]:5000/app:1", "[::1]:5000", "app", "1", None),
    ("Registry.Example.COM/app:1", "registry.example.com", "app", "1", None),
    ("My/app:1", "my", "app", "1", None),  # upper case: a host, as Docker reads it
    (f"nginx:1.27@{DIGEST}", "docker.io", "library/nginx", "1.27", DIGEST),
    (f"nginx@{DIGEST}", "docker.io", "library/nginx", None, DIGEST),
    ("localhost:5000", "docker.io", "library/localhost", "5000", None),  # no slash: an image named localhost
])
def test_normalisation(text, registry, repository, tag, digest):
    assert Reference.parse(text) == Reference(registry, repository, tag, digest)


def test_string_forms():
    reference = Reference.parse("nginx")
    assert (str(reference), reference.name, reference.tagged) == ("docker.io/library/nginx:latest", "docker.io/library/nginx", "docker.io/library/nginx:latest")
    assert str(Reference.parse(f"quay.io/a/b:1@{DIGEST}")) == f"quay.io/a/b:1@{DIGEST}"
    with pytest.raises(ValueError):
        Reference.parse(f"nginx@{DIGEST}").tagged


@pytest.mark.parametrize("text, message", [
    ("", "'' is not a valid image reference"),
    ("nginx:", "'nginx:' has an invalid tag"),
    ("nginx:1.2 3", "'nginx:1.2 3' has an invalid tag"),
    ("nginx:é", "'nginx:é' has an invalid tag"),
    ("nginx@sha256:xyz", "'nginx@sha256:xyz' has an invalid digest"),
    ("quay.io/Org/app:1", "'quay.io/Org/app:1': repository names must be lower-case"),
    ("-bad/app", "'-bad/app' is not a valid image reference"),
    ("bad_host.io:x/app", "'bad_host.io:x/app' has an invalid registry host"),
])
def test_invalid_references(text, message):
    with pytest.raises(InvalidReference) as caught:
        Reference.parse(text)
    assert str(caught.value) == message


@pytest.mark.parametrize("registry, expected", [
    ("127.0.0.1:5000", True), ("127.8.9.1", True), ("localhost", True), ("LOCALHOST:80", True), ("[::1]:5000", True),
    ("10.0.0.1:5000", False), ("example.com", False), ("localhost.example.com", False),
])
def test_loopback(registry, expected):
    assert is_loopback(registry) is expected


def test_plain_http_for_loopback_and_listed_registries_only():
    assert allows_plain_http("127.0.0.1:5000")
    assert not allows_plain_http("registry.lan:5000")
    listed = ("registry.lan:5000", "http://other.lan/", "10.0.0.0/8")
    assert allows_plain_http("registry.lan:5000", listed)
    assert not allows_plain_http("registry.lan", listed)  # host:port exactly, as Docker matches
    assert allows_plain_http("other.lan", listed)
    assert allows_plain_http("10.2.3.4:5000", listed)
    assert not allows_plain_http("11.2.3.4:5000", listed)


def test_split_host():
    assert split_host("example.com") == ("example.com", None)
    assert split_host("example.com:5000") == ("example.com", 5000)
    assert split_host("[::1]:5000") == ("::1", 5000)
    assert split_host("[::1]") == ("::1", None)


def test_bearer_challenge():
    header = 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"'
    assert parse_challenge(header) == ("bearer", {"realm": "https://auth.docker.io/token", "service": "registry.docker.io", "scope": "repository:library/nginx:pull"})
    assert parse_challenge('Basic realm="x \\"y\\""') == ("basic", {"realm": 'x "y"'})
    assert parse_challenge("") == ("", {})


def test_retry_after():
    assert _retry_after("3") == 3.0
    assert _retry_after(None) is None
    assert _retry_after("soon") is None
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: at once
