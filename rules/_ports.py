"""Port numbers and what usually listens on them, shared by the port rules (HG401, HG402),
and the ``80``, ``8000-8010``, ``53/udp`` port-range syntax of EXPOSE and compose."""
from __future__ import annotations

import re
from dataclasses import dataclass

# Remote administration: the default sensitive ports (the `sensitive-ports` setting adds more).
REMOTE_ADMINISTRATION = {
    22: "SSH",
    23: "Telnet",
    2375: "unencrypted Docker daemon API",
    2376: "Docker daemon API over TLS",
    3389: "RDP",
    5900: "VNC",
}
# Back-end services meant to be reached by the application, not by the network.
BACKEND_SERVICES = {
    1433: "SQL Server",
    1521: "Oracle Database",
    2379: "etcd",
    3306: "MySQL",
    5432: "PostgreSQL",
    5672: "RabbitMQ",
    5984: "CouchDB",
    6379: "Redis",
    7687: "Neo4j Bolt",
    8086: "InfluxDB",
    9042: "Cassandra",
    9092: "Kafka",
    9200: "Elasticsearch",
    11211: "Memcached",
    15672: "RabbitMQ management",
    26257: "CockroachDB",
    27017: "MongoDB",
}
_NAMES = {**BACKEND_SERVICES, **REMOTE_ADMINISTRATION}

_PORT_RANGE = re.compile(r"(\d+)(?:-(\d+))?(?:/([A-Za-z]+))?")


def described(port: int, names: dict[int, str] = _NAMES) -> str:
    """``22 (SSH)``, or the bare number for a port ``names`` does not know."""
    name = names.get(port)
    return f"{port} ({name})" if name else str(port)


@dataclass(frozen=True)
class PortRange:
    low: int
    high: int
    is_range: bool  # written as a range (``8000-8010``)


def parse_port_range(text: str | None) -> PortRange | None:
    """``80``, ``8000-8010``, ``53/udp``; None when unknown (None) or not a port range."""
    match = _PORT_RANGE.fullmatch(text) if text is not None else None
    if match is None:
        return None
    low = int(match.group(1))
    return PortRange(low, int(match.group(2) or low), match.group(2) is not None)
