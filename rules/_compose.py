"""A compose service's ``volumes`` and ``ports`` (and ``expose``) entries, parsed the way
``docker compose`` parses them, with the span of each part for precise findings.

Short syntax is cut at ``:`` as compose-go does (``loader.ParseVolume`` for volumes, where a
one-letter part before ``:`` is a Windows drive, ``C:\\data``; docker's ``nat`` port-spec
splitting for ports, where everything before the last two parts is the host IP, ``[::1]``).
Compose interpolates ``${VAR}`` before parsing, and a variable's value is not known here: a
``:`` inside ``${VAR:-default}`` does not cut the entry, and a part holding a variable is
*unknown* (None), so rules skip what they cannot decide instead of guessing.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from hullguard.compose import Service
from hullguard.rules._ports import PortRange, parse_port_range
from hullguard.text import Span
from hullguard.yamldoc import YamlMapping, YamlNode, YamlScalar
from hullguard.yamlfile import bool_of, items, text_of

# compose reads a boolean field's string (quoted, or after ${VAR} interpolation) as compose-go's
# toBoolean does: these, in any case, are true.
COMPOSE_TRUE = frozenset({"true", "yes", "y", "on"})


@dataclass(frozen=True)
class Part:
    """A piece of an entry: its text (None when a variable makes it unknown) and where it is."""

    text: str | None
    span: Span


def _known(text: str) -> str | None:
    return None if "$" in text else text


def _colons(text: str) -> list[int]:
    """The offsets of the ``:`` that separate parts: not those inside ``${...}``."""
    found, depth, index = [], 0, 0
    while index < len(text):
        char = text[index]
        if text.startswith("${", index):
            depth += 1
            index += 1
        elif char == "}" and depth:
            depth -= 1
        elif char == ":" and not depth:
            found.append(index)
        index += 1
    return found


def _scalar_part(scalar: YamlScalar, start: int, end: int) -> Part:
    text = scalar.value[start:end]
    return Part(_known(text), scalar.sub_span(start, end) or scalar.span)


def _node_part(node: YamlNode | None) -> Part | None:
    if node is None or (isinstance(node, YamlScalar) and node.is_null):
        return None
    text = text_of(node)
    return Part(_known(text) if text is not None else None, node.span)


def compose_true(node: YamlNode | None) -> bool:
    """Whether compose reads a boolean field as true (a YAML boolean, or a string it casts)."""
    return bool_of(node) is True or (isinstance(node, YamlScalar) and not node.is_null and node.value.lower() in COMPOSE_TRUE)


# --- volumes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Volume:
    """One ``volumes`` entry of a service."""

    node: YamlNode  # the entry: a scalar (short syntax) or a mapping (long syntax)
    type: str | None  # "bind", "volume", "tmpfs", "npipe", ...; None when unknown
    source: Part | None  # None when there is none (an anonymous volume)
    read_only: bool

    @property
    def is_host_path(self) -> bool:
        """A bind mount or a Windows named pipe: the source is on the host."""
        return self.type in ("bind", "npipe") and self.source is not None


def _is_file_path(source: str) -> bool:
    """compose-go's test for a short-syntax source that is a host path, not a volume name."""
    if source[:1] in (".", "/", "~") or source.startswith("\\\\"):
        return True
    return len(source) >= 2 and source[0].isalpha() and source[1] == ":"


def _short_volume(scalar: YamlScalar) -> Volume | None:
    text = scalar.value
    if len(text) <= 2:
        return Volume(scalar, "volume", None, False)  # a target only: an anonymous volume
    bounds, start = [], 0
    for index in _colons(text):
        if index - start == 1 and text[start].isalpha():
            continue  # "C:" a Windows drive: compose-go does not cut there
        bounds.append((start, index))
        start = index + 1
    bounds.append((start, len(text)))
    if len(bounds) == 1:
        return Volume(scalar, "volume", None, False)  # an anonymous volume at this target
    if len(bounds) > 3:
        return None  # too many parts: compose refuses the entry
    source = _scalar_part(scalar, *bounds[0])
    read_only = False
    if len(bounds) == 3:
        for option in text[bounds[2][0] : bounds[2][1]].split(","):
            read_only = {"ro": True, "rw": False}.get(option, read_only)
    if source.text is None:
        kind = None
    else:
        kind = "bind" if _is_file_path(source.text) else "volume"
    return Volume(scalar, kind, source, read_only)


def _long_volume(mapping: YamlMapping) -> Volume:
    kind = text_of(mapping.get("type"))
    return Volume(mapping, _known(kind) if kind is not None else None, _node_part(mapping.get("source")), compose_true(mapping.get("read_only")))


def volumes(service: Service) -> list[Volume]:
    """The service's ``volumes`` entries compose would accept, in order."""
    found = []
    for item in items(service.mapping.get("volumes") if service.mapping else None):
        if isinstance(item, YamlScalar) and not item.is_null:
            volume = _short_volume(item)
            if volume is not None:
                found.append(volume)
        elif isinstance(item, YamlMapping):
            found.append(_long_volume(item))
    return found


# --- ports -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Port:
    """One ``ports`` entry (published to the host) or ``expose`` entry (not published)."""

    node: YamlNode  # the entry: a scalar (short syntax) or a mapping (long syntax)
    container: Part  # the container port(s), with the protocol if written
    published: Part | None  # the host port(s) as written; None for a random host port
    host_ip: Part | None  # the host IP as written; None when not written

    @property
    def container_range(self) -> PortRange | None:
        return parse_port_range(self.container.text)

    @property
    def on_all_interfaces(self) -> bool | None:
        """Whether the port is published on every host interface: no host IP, or an
        unspecified one (``0.0.0.0``, ``[::]``). None when a variable hides the IP."""
        if self.host_ip is None:
            return True
        if self.host_ip.text is None:
            return None
        text = self.host_ip.text
        if text.startswith("[") and text.endswith("]"):
            text = text[1:-1]
        try:
            return ipaddress.ip_address(text).is_unspecified
        except ValueError:
            return False  # not an address: compose refuses it


def _short_port(scalar: YamlScalar) -> Port:
    text = scalar.value
    colons = _colons(text)
    cuts = [-1] + colons + [len(text)]
    parts = [(cuts[i] + 1, cuts[i + 1]) for i in range(len(cuts) - 1)]
    container = _scalar_part(scalar, *parts[-1])
    if len(parts) == 1:
        return Port(scalar, container, None, None)
    published = _scalar_part(scalar, *parts[-2]) if parts[-2][0] < parts[-2][1] else None
    host_ip = _scalar_part(scalar, parts[0][0], parts[-3][1]) if len(parts) >= 3 else None
    return Port(scalar, container, published, host_ip)


def _long_port(mapping: YamlMapping) -> Port | None:
    target = _node_part(mapping.get("target"))
    if target is None:
        return None
    protocol = text_of(mapping.get("protocol"))
    if target.text is not None and protocol is not None:
        target = Part(target.text + "/" + protocol if _known(protocol) else None, target.span)
    published = _node_part(mapping.get("published"))
    if published is not None and published.text == "":
        published = None
    host_ip = _node_part(mapping.get("host_ip"))
    if host_ip is not None and host_ip.text == "":
        host_ip = None
    return Port(mapping, target, published, host_ip)


def _ports(node: YamlNode | None) -> list[Port]:
    found = []
    for item in items(node):
        if isinstance(item, YamlScalar) and not item.is_null:
            found.append(_short_port(item))
        elif isinstance(item, YamlMapping):
            port = _long_port(item)
            if port is not None:
                found.append(port)
    return found


def published_ports(service: Service) -> list[Port]:
    """The service's ``ports`` entries (published to the host), in order."""
    return _ports(service.mapping.get("ports") if service.mapping else None)


def exposed_ports(service: Service) -> list[Port]:
    """The service's ``expose`` entries (reachable from other containers only), in order."""
    found = []
    for item in items(service.mapping.get("expose") if service.mapping else None):
        if isinstance(item, YamlScalar) and not item.is_null:
            found.append(Port(item, Part(_known(item.value), item.span), None, None))
    return found
