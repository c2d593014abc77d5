"""A real registry on 127.0.0.1 and what the tests push into it, without a Docker engine.

- ``registry``: Debian's ``docker-registry`` (the CNCF distribution registry) on a free
  loopback port, storage in the test's temporary folder, stopped at the end. Skipped with the
  reason when ``docker-registry`` or ``skopeo`` is not installed.
- Images are OCI image layouts written here (gzip layers, config, manifest; an OCI index for a
  multi-platform image) and copied with ``skopeo copy --preserve-digests``, so the digest in
  the registry is the digest of the bytes written here; ``skopeo inspect`` reads it back.
- ``auth_proxy``: a small HTTP server in front of the registry that demands a Bearer token
  (or Basic credentials) and serves tokens, to test the authentication flow; it can also
  answer 429/5xx, drop or falsify ``Docker-Content-Digest``, or redirect.
- Every test here may connect to loopback addresses only: other connections and name
  lookups fail (``_loopback_only``), and ``DOCKER_CONFIG`` points at an empty folder so the
  user's own Docker credentials are never read.
"""
from __future__ import annotations

import base64
import gzip
import hashlib
import io
import ipaddress
import json
import shutil
import socket
import subprocess
import tarfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


# --- isolation ---------------------------------------------------------------------------------


def _is_loopback(host) -> bool:
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return str(host) == "localhost"


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch, tmp_path):
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect

    def getaddrinfo(host, *args, **kwargs):
        if host is not None and not _is_loopback(host):
            raise socket.gaierror(socket.EAI_NONAME, f"test isolation: no name lookups beyond loopback ({host})")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            raise ConnectionRefusedError(f"test isolation: no connections beyond loopback ({address[0]})")
        return real_connect(sock, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    docker_config = tmp_path / "docker-config"
    docker_config.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(docker_config))
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def docker_config(tmp_path) -> Path:
    """The Docker config file the code under test reads (``$DOCKER_CONFIG/config.json``)."""
    return tmp_path / "docker-config" / "config.json"


# --- OCI image layouts ---------------------------------------------------------------------------


def _blob(layout: Path, data: bytes, media_type: str) -> dict:
    digest = hashlib.sha256(data).hexdigest()
    folder = layout / "blobs" / "sha256"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / digest).write_bytes(data)
    return {"mediaType": media_type, "digest": f"sha256:{digest}", "size": len(data)}


def _layer(content: bytes) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo("hello.txt")
        info.size, info.mtime = len(content), 0
        tar.addfile(info, io.BytesIO(content))
    return gzip.compress(buffer.getvalue(), mtime=0)


def _manifest(layout: Path, content: bytes, architecture: str) -> dict:
    layer = _blob(layout, _layer(content), "application/vnd.oci.image.layer.v1.tar+gzip")
    diff_id = "sha256:" + hashlib.sha256(gzip.decompress(_layer(content))).hexdigest()
    config = {"architecture": architecture, "os": "linux", "rootfs": {"type": "layers", "diff_ids": [diff_id]}, "config": {}}
    config_blob = _blob(layout, json.dumps(config).encode(), "application/vnd.oci.image.config.v1+json")
    manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config_blob, "layers": [layer]}
    return _blob(layout, json.dumps(manifest).encode(), OCI_MANIFEST)


def _write_layout(layout: Path, top: dict) -> None:
    (layout / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    top = dict(top, annotations={"org.opencontainers.image.ref.name": "image"})
    (layout / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [top]}))


def single_image_layout(layout: Path, content: bytes) -> str:
    """An OCI layout holding one single-platform image; the manifest's digest."""
    top = _manifest(layout, content, "amd64")
    _write_layout(layout, top)
    return top["digest"]


def multi_arch_layout(layout: Path, content: bytes) -> tuple[str, list[str]]:
    """An OCI layout holding an index of an amd64 and an arm64 image; (index digest, the
    platform manifests' digests)."""
    children = []
    for architecture in ("amd64", "arm64"):
        child = _manifest(layout, content + architecture.encode(), architecture)
        children.append(dict(child, platform={"architecture": architecture, "os": "linux"}))
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": children}
    top = _blob(layout, json.dumps(index).encode(), OCI_INDEX)
    _write_layout(layout, top)
    return top["digest"], [child["digest"] for child in children]


# --- the registry ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _direct_opener():
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class LocalRegistry:
    folder: Path
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen | None = None
    pushed: int = 0

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        config = self.folder / "config.yml"
        config.write_text(
            "version: 0.1\nlog: {level: error}\n"
            f"storage: {{filesystem: {{rootdirectory: {self.folder / 'storage'}}}, delete: {{enabled: true}}}}\n"
            f"http: {{addr: '{self.host}'}}\n"
        )
        log = open(self.folder / "registry.log", "ab")
        self.process = subprocess.Popen(["docker-registry", "serve", str(config)], stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"docker-registry exited: {(self.folder / 'registry.log').read_text()[-2000:]}")
            try:
                with _direct_opener().open(f"http://{self.host}/v2/", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("docker-registry did not answer within 15 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def _layout(self) -> Path:
        self.pushed += 1
        layout = self.folder / f"layout-{self.pushed}"
        layout.mkdir()
        return layout

    def _copy(self, layout: Path, repository: str, tag: str, *extra: str) -> None:
        subprocess.run(
            ["skopeo", "--insecure-policy", "copy", "--quiet", "--preserve-digests", *extra, "--dest-tls-verify=false",
             f"oci:{layout}:image", f"docker://{self.host}/{repository}:{tag}"],
            check=True, capture_output=True, timeout=60,
        )

    def push_image(self, repository: str, tag: str, content: bytes) -> str:
        """Push a single-platform image; the digest of the manifest written."""
        layout = self._layout()
        digest = single_image_layout(layout, content)
        self._copy(layout, repository, tag)
        return digest

    def push_index(self, repository: str, tag: str, content: bytes) -> tuple[str, list[str]]:
        """Push a two-platform image; (index digest, platform manifest digests)."""
        layout = self._layout()
        digests = multi_arch_layout(layout, content)
        self._copy(layout, repository, tag, "--all")
        return digests

    def inspect(self, repository: str, tag: str) -> str:
        """The digest skopeo reads for ``repository:tag``."""
        done = subprocess.run(
            ["skopeo", "--insecure-policy", "inspect", "--tls-verify=false", "--format", "{{.Digest}}", f"docker://{self.host}/{repository}:{tag}"],
            check=True, capture_output=True, text=True, timeout=60,
        )
        return done.stdout.strip()


def _require(program: str, package: str) -> None:
    if shutil.which(program) is None:
        pytest.skip(f"{program} is not installed (Debian: apt-get install -y {package}); the real-registry tests need it")


@pytest.fixture
def registry(tmp_path):
    """A running registry on 127.0.0.1 with its storage in the test's temporary folder."""
    _require("docker-registry", "docker-registry")
    _require("skopeo", "skopeo")
    folder = tmp_path / "registry"
    folder.mkdir()
    running = LocalRegistry(folder)
    running.start()
    yield running
    running.stop()


# --- an authenticating front for it ----------------------------------------------------------------


@dataclass
class ProxyBehaviour:
    challenge: str = "bearer"  # "bearer", "basic" or "none"
    credentials: tuple[str, str] | None = None  # demanded by the token endpoint (bearer) or the registry (basic)
    service: str = "test-registry"
    realm: str | None = None  # default: this server's /token
    failures: list[tuple[int, str | None]] = field(default_factory=list)  # (status, Retry-After) answered first
    drop_digest_header: bool = False
    false_digest: bool = False  # a GET's Docker-Content-Digest that is not the body's
    redirect_to: str | None = None  # answer manifests with a 307 to this URL


class _ProxyHandler(BaseHTTPRequestHandler):
    server: "AuthProxy"

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_HEAD(self) -> None:
        self._handle()

    def _reply(self, status: int, headers: dict[str, str], body: bytes = b"") -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _basic_ok(self) -> bool:
        wanted = self.server.behaviour.credentials
        if wanted is None:
            return True
        expected = "Basic " + base64.b64encode(f"{wanted[0]}:{wanted[1]}".encode()).decode()
        return self.headers.get("Authorization") == expected

    def _handle(self) -> None:
        behaviour = self.server.behaviour
        url = urllib.parse.urlsplit(self.path)
        self.server.log.append((self.command, url.path, dict(urllib.parse.parse_qsl(url.query)), self.headers.get("Authorization")))
        if url.path == "/token":
            if not self._basic_ok():
                return self._reply(401, {"Content-Type": "application/json"}, b'{"errors":[{"code":"UNAUTHORIZED"}]}')
            token = f"token-{len(self.server.tokens)}"
            self.server.tokens.append(token)
            return self._reply(200, {"Content-Type": "application/json"}, json.dumps({"token": token, "expires_in": 300}).encode())
        if behaviour.challenge == "bearer":
            given = self.headers.get("Authorization", "")
            if not (given.startswith("Bearer ") and given[7:] in self.server.tokens):
                realm = behaviour.realm or f"http://{self.server.host}/token"
                repository = url.path.split("/v2/", 1)[-1].rsplit("/manifests/", 1)[0].rsplit("/tags/", 1)[0]
                challenge = f'Bearer realm="{realm}",service="{behaviour.service}",scope="repository:{repository}:pull"'
                return self._reply(401, {"WWW-Authenticate": challenge, "Content-Type": "application/json"}, b'{"errors":[{"code":"UNAUTHORIZED"}]}')
        elif behaviour.challenge == "basic" and not (self.headers.get("Authorization") and self._basic_ok()):
            return self._reply(401, {"WWW-Authenticate": 'Basic realm="test"', "Content-Type": "application/json"}, b'{"errors":[{"code":"UNAUTHORIZED"}]}')
        if behaviour.failures:
            status, retry_after = behaviour.failures.pop(0)
            return self._reply(status, {"Retry-After": retry_after} if retry_after else {})
        if behaviour.redirect_to:
            return self._reply(307, {"Location": behaviour.redirect_to})
        self._forward()

    def _forward(self) -> None:
        behaviour = self.server.behaviour
        request = urllib.request.Request(f"http://{self.server.upstream}{self.path}", method=self.command, headers={"Accept": self.headers.get("Accept", "")})
        try:
            answer = _direct_opener().open(request, timeout=10)
        except urllib.error.HTTPError as error:
            answer = error
        with answer:
            body = answer.read()
            headers = {name: answer.headers[name] for name in ("Content-Type", "Docker-Content-Digest", "Content-Length") if answer.headers[name]}
            status = answer.status if hasattr(answer, "status") and answer.status else answer.code
        if behaviour.drop_digest_header:
            headers.pop("Docker-Content-Digest", None)
        if behaviour.false_digest and self.command == "GET" and "Docker-Content-Digest" in headers:
            headers["Docker-Content-Digest"] = "sha256:" + "0" * 64
        self._reply(status, headers, body)


class AuthProxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: str, behaviour: ProxyBehaviour):
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.upstream = upstream
        self.behaviour = behaviour
        self.tokens: list[str] = []
        self.log: list[tuple[str, str, dict, str | None]] = []  # (method, path, query, Authorization)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"

    def methods(self, path_part: str) -> list[str]:
        return [method for method, path, _, _ in self.log if path_part in path]


@pytest.fixture
def auth_proxy(registry):
    """``auth_proxy(**behaviour)`` starts an authenticating front for ``registry``."""
    started: list[AuthProxy] = []

    def start(**behaviour) -> AuthProxy:
        proxy = AuthProxy(registry.host, ProxyBehaviour(**behaviour))
        threading.Thread(target=proxy.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        started.append(proxy)
        return proxy

    yield start
    for proxy in started:
        proxy.shutdown()
        proxy.server_close()
