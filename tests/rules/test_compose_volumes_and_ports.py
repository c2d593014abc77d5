"""rules/_compose.py and rules/_host_paths.py: compose volume and port entries parsed as
docker compose parses them, with the spans of their parts; host path classification."""
from __future__ import annotations

import pytest

from hullguard.compose import parse_compose
from hullguard.rules._compose import exposed_ports, published_ports, volumes
from hullguard.rules._host_paths import normalize, runtime_socket, sensitive
from hullguard.text import SourceText


def service_of(entries: str, key: str):
    compose = parse_compose(SourceText(f"services:\n  app:\n    {key}:\n{entries}"))
    return compose.services[0]


def part_columns(part) -> tuple[int, int, int]:
    return (part.span.start.line, part.span.start.column, part.span.end.column)


# --- volumes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entry, kind, source, read_only",
    [
        ("/etc:/host/etc", "bind", "/etc", False),
        ("/etc:/host/etc:ro", "bind", "/etc", True),
        ("/etc:/host/etc:ro,z", "bind", "/etc", True),
        ("/etc:/host/etc:ro,rw", "bind", "/etc", False),  # the last of ro/rw wins
        ("./data:/data", "bind", "./data", False),
        ("~/.ssh:/root/.ssh:ro", "bind", "~/.ssh", True),
        ("data:/data", "volume", "data", False),
        ("/data", "volume", None, False),  # an anonymous volume at /data
        ("C:\\data:/data", "bind", "C:\\data", False),  # a Windows drive is not cut
        ("c:/data:/data:ro", "bind", "c:/data", True),
        ("\\\\.\\pipe\\docker_engine:\\\\.\\pipe\\docker_engine", "bind", "\\\\.\\pipe\\docker_engine", False),
        ("${DATA:-/srv/a:b}:/data", None, None, False),  # ":" inside ${...} does not cut
    ],
)
def test_short_volume_syntax(entry, kind, source, read_only):
    [volume] = volumes(service_of(f"      - '{entry}'\n", "volumes"))
    assert volume.type == kind
    assert (volume.source.text if volume.source else None) == source
    assert volume.read_only is read_only


def test_short_volume_with_too_many_parts_is_ignored_as_compose_refuses_it():
    assert volumes(service_of("      - /a:/b:ro:extra\n", "volumes")) == []


def test_variable_source_is_unknown_but_spanned():
    [volume] = volumes(service_of("      - ${DATA:-/srv/a:b}:/data\n", "volumes"))
    assert volume.source.text is None
    assert part_columns(volume.source) == (3, 8, 25)


def test_short_volume_source_span_inside_quotes():
    [volume] = volumes(service_of('      - "/var/run/docker.sock:/var/run/docker.sock:ro"\n', "volumes"))
    assert part_columns(volume.source) == (3, 9, 29)


def test_long_volume_syntax():
    entries = (
        "      - type: bind\n        source: /etc\n        target: /x\n        read_only: true\n"
        "      - {type: npipe, source: '\\\\.\\pipe\\docker_engine', target: x, read_only: \"true\"}\n"
        "      - type: volume\n        source: data\n        target: /data\n"
        "      - type: tmpfs\n        target: /tmp\n"
    )
    bind, pipe, named, tmpfs = volumes(service_of(entries, "volumes"))
    assert (bind.type, bind.source.text, bind.read_only, bind.is_host_path) == ("bind", "/etc", True, True)
    assert part_columns(bind.source) == (4, 16, 20)
    assert (pipe.type, pipe.read_only, pipe.is_host_path) == ("npipe", True, True)
    assert (named.type, named.is_host_path) == ("volume", False)
    assert (tmpfs.source, tmpfs.is_host_path) == (None, False)


# --- ports -----------------------------------------------------------------------------------


def shown(part):
    """A part's text: "-" when the entry has no such part, None when a variable hides it."""
    return "-" if part is None else part.text


@pytest.mark.parametrize(
    "entry, host_ip, published, container, everywhere",
    [
        ("5432", "-", "-", "5432", True),
        ("5432:5432", "-", "5432", "5432", True),
        ("15432:5432/tcp", "-", "15432", "5432/tcp", True),
        ("127.0.0.1:5432:5432", "127.0.0.1", "5432", "5432", False),
        ("127.0.0.1::5432", "127.0.0.1", "-", "5432", False),
        ("0.0.0.0:5432:5432", "0.0.0.0", "5432", "5432", True),
        ("[::1]:80:80", "[::1]", "80", "80", False),
        ("[::]:80:80", "[::]", "80", "80", True),
        ("192.168.1.5:80:80", "192.168.1.5", "80", "80", False),
        ("8000-8010:8000-8010", "-", "8000-8010", "8000-8010", True),
        ("${BIND:-0.0.0.0}:5432:5432", None, "5432", "5432", None),
        ("${PORT}:80", "-", None, "80", True),
        ("127.0.0.1:8080:${PORT:-80}", "127.0.0.1", "8080", None, False),
    ],
)
def test_short_port_syntax(entry, host_ip, published, container, everywhere):
    [port] = published_ports(service_of(f'      - "{entry}"\n', "ports"))
    assert (shown(port.host_ip), shown(port.published), port.container.text) == (host_ip, published, container)
    assert port.on_all_interfaces is everywhere


def test_short_port_part_spans():
    [port] = published_ports(service_of('      - "0.0.0.0:15432:5432/tcp"\n', "ports"))
    assert part_columns(port.host_ip) == (3, 9, 16)
    assert part_columns(port.published) == (3, 17, 22)
    assert part_columns(port.container) == (3, 23, 31)
    assert (port.container_range.low, port.container_range.high) == (5432, 5432)


def test_plain_number_and_yaml_base_60_entries_are_read_as_written():
    plain, base60 = published_ports(service_of("      - 5432\n      - 22:22\n", "ports"))
    assert (plain.published, plain.container.text) == (None, "5432")
    assert (base60.published.text, base60.container.text) == ("22", "22")


def test_long_port_syntax():
    entries = (
        "      - target: 5432\n        published: \"15432\"\n        protocol: udp\n"
        "      - {target: 80, host_ip: 127.0.0.1}\n"
        "      - target: ${PORT}\n"
        "      - published: 80\n"
    )
    first, second, third = published_ports(service_of(entries, "ports"))  # no target: not a port
    assert (first.container.text, first.published.text, first.host_ip, first.on_all_interfaces) == ("5432/udp", "15432", None, True)
    assert part_columns(first.published) == (4, 19, 26)
    assert (second.host_ip.text, second.published, second.on_all_interfaces) == ("127.0.0.1", None, False)
    assert third.container.text is None and third.container_range is None


def test_expose_entries():
    ports = exposed_ports(service_of('      - "22"\n      - 3000-3005\n      - 53/udp\n', "expose"))
    assert [(p.container_range.low, p.container_range.high) for p in ports] == [(22, 22), (3000, 3005), (53, 53)]
    assert all(p.published is None and p.host_ip is None for p in ports)


# --- host paths ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, normalized",
    [("/etc/", "/etc"), ("//etc/.", "/etc"), ("/usr/../etc", "/etc"), ("/", "/"), ("~", "~"), ("~/", "~"), ("./etc", None), ("${X}/etc", None), ("~/.ssh", None)],
)
def test_normalize(path, normalized):
    assert normalize(path) == normalized


@pytest.mark.parametrize(
    "path, what",
    [
        ("/var/run/docker.sock", "Docker daemon socket"),
        ("/run/docker.sock", "Docker daemon socket"),
        ("//var/run//docker.sock", "Docker daemon socket"),
        ("/run/user/1000/docker.sock", "rootless Docker daemon socket"),
        ("/run/containerd/containerd.sock", "containerd socket"),
        ("/run/k3s/containerd/containerd.sock", "containerd socket"),
        ("/var/run/crio/crio.sock", "CRI-O socket"),
        ("/run/podman/podman.sock", "Podman socket"),
        ("/run/user/1000/podman/podman.sock", "Podman socket"),
        ("\\\\.\\pipe\\docker_engine", "Docker daemon named pipe"),
        ("//./pipe/docker_engine", "Docker daemon named pipe"),
        ("/var/run/docker", None),
        ("/tmp/docker.sock", None),
        ("/var/run", None),
    ],
)
def test_runtime_sockets(path, what):
    assert runtime_socket(path) == what


@pytest.mark.parametrize(
    "path, read_only, relation, entry",
    [
        ("/", True, "is", "/"),
        ("/etc", True, "is", "/etc"),
        ("/etc/ssh", True, "is", "/etc/ssh"),
        ("/etc/ssh/ssh_host_rsa_key", True, "inside", "/etc/ssh"),
        ("/etc/passwd", False, "is", "/etc/passwd"),
        ("/var", True, "contains", "/var/run"),
        ("/var/lib", False, "contains", "/var/lib/docker"),
        ("/usr/bin", False, "inside", "/usr"),
        ("/proc/1/root", True, "inside", "/proc"),
        ("/home", False, "is", "/home"),
        ("~", True, "is", "~"),
        ("/var/run/dbus/system_bus_socket", True, "inside", "/var/run"),
        ("/dev", True, "is", "/dev"),
    ],
)
def test_sensitive_paths(path, read_only, relation, entry):
    found = sensitive(path, read_only)
    assert (found.relation, found.entry.path) == (relation, entry)


@pytest.mark.parametrize(
    "path, read_only",
    [
        ("/etc/localtime", True),
        ("/etc/nginx/nginx.conf", False),
        ("/usr", True),
        ("/usr/share/zoneinfo", True),
        ("/etc/passwd", True),
        ("/sys/fs/cgroup", True),
        ("/lib/modules", True),
        ("/home/me/project", False),
        ("/dev/log", False),
        ("/srv/data", False),
        ("./etc", False),
        ("/var/run/docker.sock", False),  # HG108's
    ],
)
def test_not_sensitive(path, read_only):
    assert sensitive(path, read_only) is None
