"""Resolving an image tag to its digest with the OCI distribution API (what ``docker pull``
asks a registry first), with the standard library only.

- References are normalised as Docker does: ``nginx`` is ``docker.io/library/nginx:latest``;
  ``index.docker.io`` and ``registry-1.docker.io`` are Docker Hub too; a first component with
  a dot or a port, ``localhost`` or upper-case letters is a registry host.
- ``HEAD /v2/<name>/manifests/<tag>``, then ``GET`` when the answer carries no usable
  ``Docker-Content-Digest``; a ``GET``'s body is hashed and must match the header. ``Accept``
  lists the OCI index and manifest and the Docker manifest list and v2 manifest, so a
  multi-platform image gives its index digest (the same on every platform), never one
  platform's manifest.
- Authentication: a ``401`` with ``WWW-Authenticate: Bearer realm=…,service=…,scope=…`` is
  answered with a token from the realm (anonymous, or with the user's credentials); ``Basic``
  challenges with the credentials. Credentials come from the Docker config's ``auths``;
  credential helpers (``credsStore``, ``credHelpers``) are programs and run only when the
  ``registry-credential-helpers`` setting allows it. Credentials are only ever sent over
  HTTPS, or plain HTTP to a host allowed plain HTTP.
- Plain HTTP only for loopback hosts (127.0.0.0/8, ::1, localhost) and the registries the
  user lists in ``insecure-registries`` (names, ``host:port`` or CIDR ranges); as Docker does,
  those are tried with HTTPS first, without certificate verification.
- Timeouts, and retries with exponential backoff on 429 and 5xx that honour ``Retry-After``
  up to a bound. Every failure is a ``RegistryError`` with a one-line message.
"""
from __future__ import annotations

import base64
import hashlib
import http.client
import ipaddress
import json
import os
import re
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path

from hullguard import __version__

DOCKER_HUB = "docker.io"
DOCKER_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
DOCKER_HUB_API = "registry-1.docker.io"  # where Docker Hub's distribution API answers
DOCKER_HUB_AUTH_KEY = "https://index.docker.io/v1/"  # how the Docker config names Docker Hub

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
MANIFEST_TYPES = (OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST)

MAX_MANIFEST_BYTES = 4 * 1024 * 1024  # the limit registries put on a manifest
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

_DOMAIN_LABEL = r"(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])"
_DOMAIN = re.compile(rf"(?:{_DOMAIN_LABEL}(?:\.{_DOMAIN_LABEL})*|\[[0-9A-Fa-f:.]+\])(?::[0-9]+)?")
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_PATH = re.compile(rf"{_COMPONENT}(?:/{_COMPONENT})*")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
DIGEST = re.compile(r"(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})")
_CHALLENGE_PARAM = re.compile(r'([A-Za-z][\w-]*)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*)')
_HELPER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


class InvalidReference(ValueError):
    """Text that is not an image reference."""


@dataclass(frozen=True)
class Reference:
    """A normalised image reference: ``registry`` is ``docker.io`` for Docker Hub (whatever
    alias was written), ``repository`` has ``library/`` for Docker Hub's official images, and
    ``tag`` is ``latest`` when neither a tag nor a digest is written."""

    registry: str
    repository: str
    tag: str | None
    digest: str | None = None

    @classmethod
    def parse(cls, text: str) -> "Reference":
        name, at, digest = text.partition("@")
        if at and not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}", digest):
            raise InvalidReference(f"'{text}' has an invalid digest")
        tag = None
        slash, colon = name.rfind("/"), name.rfind(":")
        if colon > slash:  # a colon before the last slash belongs to a registry port
            name, tag = name[:colon], name[colon + 1 :]
            if not _TAG.fullmatch(tag):
                raise InvalidReference(f"'{text}' has an invalid tag")
        first, sep, rest = name.partition("/")
        if sep and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
            registry, repository = first.lower(), rest
            if not _DOMAIN.fullmatch(first):
                raise InvalidReference(f"'{text}' has an invalid registry host")
        else:
            registry, repository = DOCKER_HUB, name
        if registry in DOCKER_HUB_ALIASES:
            registry = DOCKER_HUB
            if "/" not in repository:
                repository = "library/" + repository
        if repository != repository.lower():
            raise InvalidReference(f"'{text}': repository names must be lower-case")
        if not _PATH.fullmatch(repository) or len(registry) + 1 + len(repository) > 255:
            raise InvalidReference(f"'{text}' is not a valid image reference")
        if tag is None and not at:
            tag = "latest"
        return cls(registry, repository, tag, digest or None)

    @property
    def name(self) -> str:
        return f"{self.registry}/{self.repository}"

    @property
    def tagged(self) -> str:
        """``registry/repository:tag``: the lock cache's key."""
        if self.tag is None:
            raise ValueError(f"{self} has no tag")
        return f"{self.name}:{self.tag}"

    def __str__(self) -> str:
        return self.name + (f":{self.tag}" if self.tag else "") + (f"@{self.digest}" if self.digest else "")


class RegistryError(Exception):
    """A resolution that failed, with a one-line message that does not repeat the reference
    (the caller names it). ``kind`` is one of
    ``unknown-image``, ``unknown-tag``, ``auth``, ``offline``, ``tls``, ``rate-limited``,
    ``server``, ``protocol``, ``config`` or ``not-cached``."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind


# --- hosts -----------------------------------------------------------------------------------


def split_host(registry: str) -> tuple[str, int | None]:
    """``host[:port]`` (``[v6]:port`` for IPv6) to (host, port)."""
    if registry.startswith("["):
        host, _, rest = registry[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") else None
    host, colon, port = registry.rpartition(":")
    return (host, int(port)) if colon and port.isdigit() else (registry, None)


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def is_loopback(registry: str) -> bool:
    host, _ = split_host(registry)
    address = _ip(host)
    return host.lower() == "localhost" if address is None else address.is_loopback


def _normalised_entry(entry: str) -> str:
    entry = entry.strip().lower()
    for scheme in ("https://", "http://"):
        entry = entry.removeprefix(scheme)
    return entry.rstrip("/")


def allows_plain_http(registry: str, insecure_registries: tuple[str, ...] = ()) -> bool:
    """Loopback hosts, and the registries listed as insecure (``host``, ``host:port`` exactly
    as the reference writes it, or a CIDR range holding the host's address)."""
    if is_loopback(registry):
        return True
    address = _ip(split_host(registry)[0])
    for entry in map(_normalised_entry, insecure_registries):
        if entry == registry.lower():
            return True
        if address is not None and "/" in entry:
            try:
                if address in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                continue
    return False


# --- credentials ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = field(repr=False)

    def basic(self) -> str:
        return "Basic " + base64.b64encode(f"{self.username}:{self.password}".encode()).decode("ascii")


def docker_config_path() -> Path:
    """``$DOCKER_CONFIG/config.json``, else ``~/.docker/config.json``."""
    folder = os.environ.get("DOCKER_CONFIG")
    return Path(folder) / "config.json" if folder else Path.home() / ".docker" / "config.json"


def _auth_key_registry(key: str) -> str:
    """The registry an ``auths`` key names: ``https://index.docker.io/v1/`` is Docker Hub."""
    host = _normalised_entry(key).split("/", 1)[0]
    return DOCKER_HUB if host in DOCKER_HUB_ALIASES else host


class DockerConfig:
    """The user's Docker client config, read once: ``auths``, ``credsStore``, ``credHelpers``."""

    def __init__(self, path: Path | None = None, *, allow_helpers: bool = False, helper_timeout: float = 30.0):
        self.path = path or docker_config_path()
        self.allow_helpers = allow_helpers
        self.helper_timeout = helper_timeout
        self._data: dict | None = None

    @property
    def data(self) -> dict:
        if self._data is None:
            try:
                data = json.loads(self.path.read_bytes())
            except FileNotFoundError:
                data = {}
            except (OSError, ValueError) as error:
                raise RegistryError(f"{self.path}: cannot read the Docker config: {getattr(error, 'strerror', None) or error}", "config") from None
            self._data = data if isinstance(data, dict) else {}
        return self._data

    def helper_for(self, registry: str) -> str | None:
        """The credential helper the config names for ``registry``, if any."""
        helpers = self.data.get("credHelpers")
        if isinstance(helpers, dict):
            for key, helper in helpers.items():
                if _auth_key_registry(key) == registry and isinstance(helper, str):
                    return helper
        store = self.data.get("credsStore")
        return store if isinstance(store, str) and store else None

    def inline_credentials(self, registry: str) -> Credentials | None:
        auths = self.data.get("auths")
        if not isinstance(auths, dict):
            return None
        for key, entry in auths.items():
            if _auth_key_registry(key) != registry or not isinstance(entry, dict):
                continue
            if isinstance(entry.get("auth"), str) and entry["auth"]:
                try:
                    username, colon, password = base64.b64decode(entry["auth"], validate=True).decode("utf-8").partition(":")
                except (ValueError, UnicodeDecodeError):
                    raise RegistryError(f"{self.path}: the 'auth' of {key!r} is not base64 of 'user:password'", "config") from None
                if colon:
                    return Credentials(username, password)
            if isinstance(entry.get("username"), str) and isinstance(entry.get("password"), str):
                return Credentials(entry["username"], entry["password"])
        return None

    def credentials(self, registry: str) -> Credentials | None:
        """The credentials for ``registry``: its ``credHelpers`` helper, else its ``auths``
        entry, else the ``credsStore`` helper. Helpers run only when allowed."""
        helpers = self.data.get("credHelpers")
        named = isinstance(helpers, dict) and any(_auth_key_registry(key) == registry for key in helpers)
        if not named:
            found = self.inline_credentials(registry)
            if found is not None:
                return found
        helper = self.helper_for(registry)
        if helper is None or not self.allow_helpers:
            return None
        return self._run_helper(helper, registry)

    def _run_helper(self, helper: str, registry: str) -> Credentials | None:
        if not _HELPER_NAME.fullmatch(helper):
            raise RegistryError(f"{self.path}: invalid credential helper name {helper!r}", "config")
        program = f"docker-credential-{helper}"
        server = DOCKER_HUB_AUTH_KEY if registry == DOCKER_HUB else registry
        try:
            done = subprocess.run([program, "get"], input=server.encode(), capture_output=True, timeout=self.helper_timeout, check=False)
        except FileNotFoundError:
            raise RegistryError(f"credential helper {program} is not installed", "config") from None
        except subprocess.TimeoutExpired:
            raise RegistryError(f"credential helper {program} did not answer within {self.helper_timeout:g} s", "config") from None
        if done.returncode != 0:
            return None  # "credentials not found"
        try:
            answer = json.loads(done.stdout)
            username, secret = answer["Username"], answer["Secret"]
        except (ValueError, KeyError, TypeError):
            raise RegistryError(f"credential helper {program} gave an answer that is not JSON with Username and Secret", "config") from None
        return Credentials(username, secret) if username != "<token>" else None  # identity tokens: not supported

    def missing_credentials_hint(self, registry: str) -> str:
        """Why no credentials were sent, for an "authentication required" message."""
        helper = self.helper_for(registry)
        if helper is not None and not self.allow_helpers:
            return (f"credentials for {registry} are kept by the credential helper '{helper}', which hullguard "
                    "does not run unless the setting registry-credential-helpers = true allows it")
        return f"no credentials for {registry} in {self.path}"


# --- the client -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistrySettings:
    insecure_registries: tuple[str, ...] = ()
    timeout: float = 10.0  # seconds, per request
    credential_helpers: bool = False  # run credsStore/credHelpers programs
    retries: int = 3  # further attempts after a 429 or 5xx
    max_retry_wait: float = 30.0  # a longer Retry-After gives up at once
    backoff: float = 0.5  # seconds before the first retry, doubled each time


@dataclass
class _Response:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def error_codes(self) -> list[str]:
        try:
            errors = json.loads(self.body).get("errors") or []
            return [str(error.get("code")) for error in errors if isinstance(error, dict)]
        except (ValueError, AttributeError):
            return []


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Keep the method; drop credentials when the host changes; never downgrade to plain
    HTTP (except to a host allowed plain HTTP)."""

    def __init__(self, insecure_registries: tuple[str, ...]):
        self.insecure_registries = insecure_registries

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        old, new = urllib.parse.urlsplit(req.full_url), urllib.parse.urlsplit(newurl)
        if new.scheme == "http" and not allows_plain_http(new.netloc, self.insecure_registries):
            raise RegistryError(f"{old.netloc} redirected to plain HTTP ({new.netloc}); refused", "tls")
        headers = {k: v for k, v in req.header_items() if k.lower() not in ("content-length", "content-type")}
        if new.netloc != old.netloc:
            headers.pop("Authorization", None)
        return urllib.request.Request(newurl, headers=headers, method=req.get_method())


class RegistryClient:
    """Resolves tags to digests. One client per run: it remembers each host's scheme and the
    tokens it was given."""

    def __init__(self, settings: RegistrySettings = RegistrySettings(), *, docker_config: DockerConfig | None = None, sleep=time.sleep):
        self.settings = settings
        self.docker_config = docker_config or DockerConfig(allow_helpers=settings.credential_helpers)
        self.sleep = sleep
        self._schemes: dict[str, str] = {}  # host -> the scheme that answered
        self._tokens: dict[tuple[str, str], tuple[str, float]] = {}  # (host, scope) -> (token, expiry)
        self._basic: set[str] = set()  # hosts that asked for Basic credentials
        self._credentials: dict[str, Credentials | None] = {}
        self._openers: dict[str, urllib.request.OpenerDirector] = {}

    # -- public ---------------------------------------------------------------------------

    def resolve(self, reference: Reference) -> str:
        """The digest ``reference``'s tag points at: a multi-platform image's index digest."""
        if reference.tag is None:
            raise ValueError(f"{reference} has no tag to resolve")
        path = f"/v2/{reference.repository}/manifests/{urllib.parse.quote(reference.tag, safe='')}"
        head = self._call("HEAD", reference, path)
        if head.status == 200:
            digest = head.header("Docker-Content-Digest")
            media = (head.header("Content-Type") or "").split(";")[0].strip()
            if digest and DIGEST.fullmatch(digest) and (not media or media in MANIFEST_TYPES):
                return digest
        elif head.status in (401, 403) or head.status in RETRY_STATUSES:
            raise self._error(head, reference)  # already authenticated or retried
        got = self._call("GET", reference, path)
        if got.status != 200:
            raise self._error(got, reference)
        return self._verified_digest(got, reference)

    # -- requests ---------------------------------------------------------------------------

    def _api_host(self, registry: str) -> str:
        return DOCKER_HUB_API if registry == DOCKER_HUB else registry

    def _call(self, method: str, reference: Reference, path: str) -> _Response:
        """One API call: authentication on a 401, retries on 429 and 5xx."""
        host = self._api_host(reference.registry)
        scope = f"repository:{reference.repository}:pull"
        response = self._with_retries(method, host, path, self._authorization(host, reference.registry, scope))
        if response.status == 401:
            authorization = self._authenticate(response, host, reference, scope)
            if authorization is not None:
                response = self._with_retries(method, host, path, authorization)
        return response

    def _with_retries(self, method: str, host: str, path: str, authorization: str | None) -> _Response:
        for attempt in range(self.settings.retries + 1):
            response = self._send(method, host, path, authorization)
            if response.status not in RETRY_STATUSES or attempt == self.settings.retries:
                return response
            wait = _retry_after(response.header("Retry-After"))
            if wait is None:
                wait = self.settings.backoff * 2**attempt
            if wait > self.settings.max_retry_wait:
                return response  # not worth waiting for: report it
            self.sleep(wait)
        raise AssertionError("unreachable")

    def _send(self, method: str, host: str, path: str, authorization: str | None) -> _Response:
        """A request to ``host``: over HTTPS, or for a host allowed plain HTTP, HTTPS without
        verification and then HTTP (remembering which answered)."""
        headers = {"Accept": ", ".join(MANIFEST_TYPES), "User-Agent": f"hullguard/{__version__}"}
        if authorization:
            headers["Authorization"] = authorization
        if host in self._schemes:
            return self._fetch(method, f"{self._schemes[host]}://{host}{path}", headers, host)
        plain = allows_plain_http(host, self.settings.insecure_registries)
        try:
            response = self._fetch(method, f"https://{host}{path}", headers, host)
        except RegistryError as error:
            if not plain or error.kind not in ("offline", "tls"):
                raise
            response = self._fetch(method, f"http://{host}{path}", headers, host)
            self._schemes[host] = "http"
            return response
        self._schemes[host] = "https"
        return response

    def _opener(self, host: str) -> urllib.request.OpenerDirector:
        if host not in self._openers:  # loading the CA certificates takes tens of milliseconds
            self._openers[host] = self._new_opener(host)
        return self._openers[host]

    def _new_opener(self, host: str) -> urllib.request.OpenerDirector:
        plain = allows_plain_http(host, self.settings.insecure_registries)
        context = ssl.create_default_context()
        if plain:  # as Docker treats insecure and loopback registries: TLS without verification
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        handlers = [urllib.request.HTTPSHandler(context=context), _Redirects(self.settings.insecure_registries)]
        if is_loopback(host):
            handlers.append(urllib.request.ProxyHandler({}))  # never send loopback traffic to a proxy
        return urllib.request.build_opener(*handlers)

    def _fetch(self, method: str, url: str, headers: dict[str, str], host: str) -> _Response:
        request = urllib.request.Request(url, headers=headers, method=method)
        try:
            with self._opener(host).open(request, timeout=self.settings.timeout) as answer:
                return _Response(answer.status, _lower(answer.headers), _read_limited(answer, host) if method != "HEAD" else b"")
        except urllib.error.HTTPError as answer:
            with answer:
                return _Response(answer.code, _lower(answer.headers), _read_limited(answer, host) if method != "HEAD" else b"")
        except urllib.error.URLError as error:
            raise _connection_error(error.reason, host, self.settings.timeout) from None
        except (OSError, http.client.HTTPException) as error:  # timeouts, resets, garbage while reading
            raise _connection_error(error, host, self.settings.timeout) from None

    # -- authentication -------------------------------------------------------------------

    def _credentials_for(self, registry: str) -> Credentials | None:
        if registry not in self._credentials:
            self._credentials[registry] = self.docker_config.credentials(registry)
        return self._credentials[registry]

    def _authorization(self, host: str, registry: str, scope: str) -> str | None:
        token = self._tokens.get((host, scope))
        if token and token[1] > time.monotonic():
            return f"Bearer {token[0]}"
        if host in self._basic:
            credentials = self._credentials_for(registry)
            return credentials.basic() if credentials else None
        return None

    def _authenticate(self, response: _Response, host: str, reference: Reference, default_scope: str) -> str | None:
        """The Authorization header that answers a 401's challenge; None when none can."""
        scheme, params = parse_challenge(response.header("WWW-Authenticate") or "")
        credentials = self._credentials_for(reference.registry)
        if scheme == "basic":
            if credentials is None:
                return None
            if not (self._schemes.get(host) == "https" or allows_plain_http(host, self.settings.insecure_registries)):
                return None
            self._basic.add(host)
            return credentials.basic()
        if scheme != "bearer" or "realm" not in params:
            return None
        scope = params.get("scope") or default_scope
        token = self._token(params["realm"], params.get("service"), scope, credentials, reference)
        self._tokens[(host, default_scope)] = token
        return f"Bearer {token[0]}"

    def _token(self, realm: str, service: str | None, scope: str, credentials: Credentials | None, reference: Reference) -> tuple[str, float]:
        parts = urllib.parse.urlsplit(realm)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise RegistryError(f"the token realm {realm!r} of {reference.registry} is not an HTTP(S) URL", "protocol")
        if parts.scheme == "http" and not allows_plain_http(parts.netloc, self.settings.insecure_registries):
            raise RegistryError(f"the token service of {reference.registry} ({parts.netloc}) is plain HTTP; refused", "tls")
        query = [("service", service)] if service else []
        query.append(("scope", scope))
        url = realm + ("&" if parts.query else "?") + urllib.parse.urlencode(query)
        headers = {"User-Agent": f"hullguard/{__version__}", "Accept": "application/json"}
        if credentials is not None:
            headers["Authorization"] = credentials.basic()
        answer = self._fetch("GET", url, headers, parts.netloc)
        if answer.status in (401, 403):
            raise self._auth_error(reference, credentials)
        if answer.status != 200:
            raise RegistryError(f"the token service of {reference.registry} ({parts.netloc}) answered HTTP {answer.status}", "auth")
        try:
            payload = json.loads(answer.body)
            token = payload.get("token") or payload.get("access_token")
            lifetime = float(payload.get("expires_in") or 60)
        except (ValueError, AttributeError, TypeError):
            token = None
        if not isinstance(token, str) or not token:
            raise RegistryError(f"the token service of {reference.registry} ({parts.netloc}) gave no token", "protocol")
        return token, time.monotonic() + max(lifetime - 5, 1)

    # -- answers -----------------------------------------------------------------------------

    def _verified_digest(self, response: _Response, reference: Reference) -> str:
        media = (response.header("Content-Type") or "").split(";")[0].strip()
        if media not in MANIFEST_TYPES:
            try:
                media = json.loads(response.body).get("mediaType") or media
            except (ValueError, AttributeError):
                pass
        if media not in MANIFEST_TYPES:
            raise RegistryError(f"the registry answered with an unsupported manifest type {media or '(none)'!r}", "protocol")
        claimed = response.header("Docker-Content-Digest")
        algorithm = claimed.split(":", 1)[0] if claimed and DIGEST.fullmatch(claimed) else "sha256"
        digest = f"{algorithm}:{hashlib.new(algorithm, response.body).hexdigest()}"
        if claimed and claimed != digest:
            raise RegistryError(f"the registry's Docker-Content-Digest {claimed} does not match the manifest it sent ({digest})", "protocol")
        return digest

    def _repository_exists(self, reference: Reference) -> bool | None:
        """Whether the registry knows the repository (its tag list answers); None when it
        does not say."""
        try:
            answer = self._call("GET", reference, f"/v2/{reference.repository}/tags/list?n=1")
        except RegistryError:
            return None
        if answer.status == 200:
            return True
        return False if answer.status == 404 and "NAME_UNKNOWN" in answer.error_codes() else None

    def _auth_error(self, reference: Reference, credentials: Credentials | None) -> RegistryError:
        if credentials is not None:
            return RegistryError(f"access denied with the credentials for {reference.registry} from {self.docker_config.path} (wrong credentials, or no pull access)", "auth")
        return RegistryError(f"authentication required ({self.docker_config.missing_credentials_hint(reference.registry)})", "auth")

    def _error(self, response: _Response, reference: Reference) -> RegistryError:
        codes = response.error_codes()
        status = response.status
        if status == 404 or "NAME_UNKNOWN" in codes or "MANIFEST_UNKNOWN" in codes:
            # The CNCF registry says MANIFEST_UNKNOWN for an unknown repository too: its tag
            # list tells the two apart.
            exists = False if "NAME_UNKNOWN" in codes else self._repository_exists(reference)
            if exists is False:
                return RegistryError(f"no such image in {reference.registry}", "unknown-image")
            if exists or "MANIFEST_UNKNOWN" in codes:
                return RegistryError(f"no such tag '{reference.tag}' for {reference.name}", "unknown-tag")
            return RegistryError(f"not found in {reference.registry} (no such image or tag)", "unknown-image")
        if status in (401, 403):
            credentials = self._credentials_for(reference.registry)
            if "DENIED" in codes or "UNAUTHORIZED" in codes or status == 401:
                if credentials is None:
                    hint = self.docker_config.missing_credentials_hint(reference.registry)
                    return RegistryError(f"access denied: no such image, or it needs credentials ({hint})", "auth")
                return self._auth_error(reference, credentials)
            return RegistryError(f"access denied by {reference.registry}", "auth")
        if status == 429:
            wait = response.header("Retry-After")
            return RegistryError(f"rate limited by {reference.registry}" + (f" (retry after {wait} s)" if wait else ""), "rate-limited")
        if status >= 500:
            return RegistryError(f"{reference.registry} failed with HTTP {status}", "server")
        return RegistryError(f"{reference.registry} answered HTTP {status}", "protocol")


def parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    """``Bearer realm="…",service="…"`` to ("bearer", {"realm": …, "service": …})."""
    scheme, _, rest = header.strip().partition(" ")
    params = {}
    for name, value in _CHALLENGE_PARAM.findall(rest):
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        params[name.lower()] = value
    return scheme.lower(), params


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError, OverflowError):
        return None


def _lower(headers) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def _read_limited(answer, host: str) -> bytes:
    body = answer.read(MAX_MANIFEST_BYTES + 1)
    if len(body) > MAX_MANIFEST_BYTES:
        raise RegistryError(f"{host}: answer larger than {MAX_MANIFEST_BYTES} bytes; refused", "protocol")
    return body


def _connection_error(reason, host: str, timeout: float) -> RegistryError:
    if isinstance(reason, RegistryError):
        return reason
    if isinstance(reason, ssl.SSLCertVerificationError):
        return RegistryError(f"TLS error with {host}: {reason.verify_message or reason.reason} (list it in insecure-registries only if you trust the network)", "tls")
    if isinstance(reason, ssl.SSLError):
        return RegistryError(f"TLS error with {host}: {reason.reason or reason}", "tls")
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return RegistryError(f"cannot reach {host}: no answer within {timeout:g} s (offline?)", "offline")
    if isinstance(reason, ConnectionRefusedError):
        return RegistryError(f"cannot reach {host}: connection refused", "offline")
    if isinstance(reason, socket.gaierror):
        return RegistryError(f"cannot reach {host}: the name does not resolve (offline?)", "offline")
    if isinstance(reason, http.client.HTTPException):
        return RegistryError(f"cannot reach {host}: not an HTTP answer ({type(reason).__name__})", "offline")
    if isinstance(reason, OSError):
        return RegistryError(f"cannot reach {host}: {reason.strerror or reason}", "offline")
    return RegistryError(f"cannot reach {host}: {reason}", "offline")
