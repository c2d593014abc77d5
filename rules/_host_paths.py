"""Host paths that matter when mounted into a container: container-runtime sockets (HG108)
and sensitive host directories and files (HG107). Shared by the compose and Kubernetes checks.

Paths are compared after normalisation (``//etc/``, ``/etc/.`` and ``/usr/../etc`` are
``/etc``); paths holding a variable or not absolute (``./data``, relative to the project) are
not judged. ``/var/run`` is a symlink to ``/run`` on current distributions, so both spellings
are listed.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from hullguard.kubernetes import KubeObject, KubernetesFile
from hullguard.text import Span
from hullguard.yamldoc import YamlMapping, YamlScalar
from hullguard.yamlfile import items, node_at, text_of

# The sockets through which a container controls the container runtime, and so the host.
_RUNTIME_SOCKETS = (
    (re.compile(r"(?:/var)?/run/docker\.sock"), "Docker daemon socket"),
    (re.compile(r"(?:/var)?/run/user/\d+/docker\.sock"), "rootless Docker daemon socket"),
    (re.compile(r"(?:/var)?/run/(?:k3s/)?containerd/containerd\.sock"), "containerd socket"),
    (re.compile(r"(?:/var)?/run/crio/crio\.sock"), "CRI-O socket"),
    (re.compile(r"(?:/var)?/run/(?:user/\d+/)?podman/podman\.sock"), "Podman socket"),
    (re.compile(r"(?:/var)?/run/cri-dockerd\.sock"), "cri-dockerd socket"),
)
# Docker Desktop and Docker on Windows: the daemon's named pipe (either slash style).
_DOCKER_PIPE = re.compile(r"[\\/]{2}\.[\\/]pipe[\\/]docker_engine", re.IGNORECASE)


def normalize(path: str) -> str | None:
    """The absolute path in canonical form (``~`` for the home directory itself); None when
    it holds a variable or is relative."""
    if "$" in path:
        return None
    if path.rstrip("/") == "~":
        return "~"
    if not path.startswith("/"):
        return None
    return "/" + posixpath.normpath(path).lstrip("/")


def runtime_socket(path: str) -> str | None:
    """What the path is ("Docker daemon socket", ...) when it is a container-runtime socket."""
    if _DOCKER_PIPE.fullmatch(path):
        return "Docker daemon named pipe"
    normalized = normalize(path)
    if normalized is None:
        return None
    return next((what for pattern, what in _RUNTIME_SOCKETS if pattern.fullmatch(normalized)), None)


@dataclass(frozen=True)
class SensitivePath:
    path: str
    what: str  # what the container gets
    subtree: bool  # everything below it is sensitive too (else the path itself and its parents)
    read_only_ok: bool  # the danger is writing: a read-only mount is acceptable


_CREDENTIALS, _SOCKETS = "credentials and keys", "host daemon sockets"
SENSITIVE_PATHS = (
    SensitivePath("/", "the host's whole filesystem", False, False),
    SensitivePath("/etc", "host configuration and credentials", False, False),
    SensitivePath("/etc/shadow", "host password hashes", True, False),
    SensitivePath("/etc/gshadow", "host password hashes", True, False),
    SensitivePath("/etc/ssh", "the host's SSH keys", True, False),
    SensitivePath("/etc/kubernetes", "Kubernetes credentials and certificates", True, False),
    SensitivePath("/etc/docker", "Docker daemon configuration and TLS keys", True, False),
    SensitivePath("/etc/passwd", "host accounts", True, True),
    SensitivePath("/etc/group", "host accounts", True, True),
    SensitivePath("/etc/sudoers", "host sudo rules", True, True),
    SensitivePath("/etc/sudoers.d", "host sudo rules", True, True),
    SensitivePath("/etc/crontab", "host scheduled jobs", True, True),
    SensitivePath("/etc/cron.d", "host scheduled jobs", True, True),
    SensitivePath("/etc/systemd", "host services", True, True),
    SensitivePath("/etc/ld.so.preload", "libraries preloaded into every host process", True, True),
    SensitivePath("/root", "root's home directory, with its " + _CREDENTIALS, True, False),
    SensitivePath("/home", "users' home directories, with their " + _CREDENTIALS, False, False),
    SensitivePath("~", "the home directory, with its " + _CREDENTIALS, False, False),
    SensitivePath("/run", _SOCKETS, True, False),
    SensitivePath("/var/run", _SOCKETS, True, False),
    SensitivePath("/proc", "host processes and kernel settings", True, False),
    SensitivePath("/sys", "kernel and device settings", True, True),
    SensitivePath("/dev", "host devices", False, False),
    SensitivePath("/boot", "the host's kernel and boot loader", True, True),
    SensitivePath("/usr", "host programs and libraries", True, True),
    SensitivePath("/bin", "host programs", True, True),
    SensitivePath("/sbin", "host programs", True, True),
    SensitivePath("/lib", "host libraries and kernel modules", True, True),
    SensitivePath("/lib32", "host libraries", True, True),
    SensitivePath("/lib64", "host libraries", True, True),
    SensitivePath("/var/lib/docker", "every Docker container's files and volumes", True, False),
    SensitivePath("/var/lib/containerd", "every container's files", True, False),
    SensitivePath("/var/lib/kubelet", "the kubelet's credentials and every pod's secrets", True, False),
    SensitivePath("/var/lib/etcd", "the cluster's etcd data, every Secret included", True, False),
)


@dataclass(frozen=True)
class Sensitivity:
    entry: SensitivePath
    relation: str  # "is", "inside" (the path is below the entry) or "contains" (above it)

    def describe(self, written: str) -> str:
        """``/var`` → "/var, which contains /var/lib/docker (every Docker container's ...)"."""
        entry = self.entry
        if self.relation == "is":
            return f"{written} ({entry.what})"
        if self.relation == "inside":
            return f"{written}, inside {entry.path} ({entry.what})"
        return f"{written}, which contains {entry.path} ({entry.what})"


def _relation(path: str, entry: SensitivePath) -> str | None:
    if path == entry.path:
        return "is"
    if entry.subtree and path.startswith(entry.path + "/"):
        return "inside"
    if path != "~" and entry.path.startswith(path.rstrip("/") + "/"):
        return "contains"
    return None


def sensitive(path: str, read_only: bool) -> Sensitivity | None:
    """Why mounting host ``path`` (read-only or not) is dangerous; None when it is not, when
    it cannot be judged, and for runtime sockets (reported as such by HG108)."""
    normalized = normalize(path)
    if normalized is None or runtime_socket(normalized):
        return None
    found = []
    for entry in SENSITIVE_PATHS:
        relation = _relation(normalized, entry)
        if relation is not None and not (read_only and entry.read_only_ok):
            found.append(Sensitivity(entry, relation))
    if not found:
        return None
    # The path itself or its closest sensitive parent, else the first sensitive path inside it.
    own = [item for item in found if item.relation != "contains"]
    return max(own, key=lambda item: len(item.entry.path)) if own else found[0]


@dataclass(frozen=True)
class HostPathVolume:
    """A ``spec.volumes[]`` entry of a workload's pod template with a ``hostPath`` source."""

    workload: KubeObject
    name: str | None
    path: str | None  # None when not written (or not a string)
    span: Span  # the path's value, else the ``hostPath`` key

    @property
    def label(self) -> str:
        volume = f"volume '{self.name}'" if self.name else "a volume"
        return f"{volume} of {self.workload.label}"


def host_path_volumes(manifest: KubernetesFile) -> list[HostPathVolume]:
    """Every hostPath volume of the manifest's workloads. A ``hostPath:`` with no value is no
    source at all (the API server defaults such a volume to an ``emptyDir``)."""
    found = []
    for workload in manifest.workloads:
        for volume in items(workload.pod.spec.get("volumes") if workload.pod.spec else None):
            if not isinstance(volume, YamlMapping):
                continue
            pair = volume.get_pair("hostPath")
            if pair is None or (isinstance(pair[1], YamlScalar) and pair[1].is_null):
                continue
            path_node = node_at(pair[1], "path")
            path = text_of(path_node)
            span = path_node.span if path is not None else pair[0].span
            found.append(HostPathVolume(workload, text_of(volume.get("name")), path, span))
    return found
