"""HG402 port-published-on-all-interfaces: a compose service publishes a database, cache or
remote-administration port on every interface of the host."""
from __future__ import annotations

from hullguard.compose import ComposeFile, Service
from hullguard.context import RuleContext
from hullguard.edits import replace
from hullguard.model import Applicability, Fix, Format, Rule, RuleDocs, Severity, TextEdit
from hullguard.rules._compose import Port, published_ports
from hullguard.rules._ports import BACKEND_SERVICES, described
from hullguard.text import SourceText
from hullguard.yamldoc import YamlMapping, YamlScalar
from hullguard.yamledit import merge_into, render_scalar, replace_scalar


def _local_address(port: Port) -> str:
    """The loopback address of the same family as the port's unspecified one."""
    return "[::1]" if port.host_ip is not None and ":" in (port.host_ip.text or "") else "127.0.0.1"


def _short_form(port: Port, scalar: YamlScalar) -> str:
    """The entry's text bound to the loopback address."""
    text = scalar.value
    local = _local_address(port)
    if port.host_ip is not None:  # "0.0.0.0:5432:5432": the address is written first
        return local + text[len(port.host_ip.text) :]
    if port.published is not None:  # "5432:5432"
        return f"{local}:{text}"
    return f"{local}::{text}"  # "5432": a random host port


def _fixes(source: SourceText, port: Port) -> list[Fix]:
    local = _local_address(port)
    edits: list[TextEdit] | None
    if isinstance(port.node, YamlMapping):
        edits = merge_into(source, port.node, {"host_ip": local.strip("[]")})
    else:
        scalar = port.node
        new_value = _short_form(port, scalar)
        edit = replace_scalar(scalar, new_value)
        if edit is None and scalar.style is None and scalar.sub_span(0, len(scalar.value)) is not None:
            # A plain number (5432) or YAML 1.1 base-60 number (22:22) becomes a string.
            edit = replace(scalar.span, render_scalar(new_value))
        edits = [edit] if edit else None
    if not edits:
        return []
    return [Fix(f"Publish on {local} only", Applicability.UNSAFE, tuple(edits))]


def _finding_span(port: Port):
    if port.host_ip is not None:
        return port.host_ip.span
    return (port.published or port.container).span


def check_compose(compose: ComposeFile, context: RuleContext):
    for service in compose.services:
        if _host_network(service):
            continue  # published ports are ignored; the host network itself is HG106's
        for port in published_ports(service):
            if port.on_all_interfaces is not True:
                continue
            ports = port.container_range
            if ports is None:
                continue
            matched = sorted(number for number in set(context.sensitive_ports) | set(BACKEND_SERVICES) if ports.low <= number <= ports.high)
            if not matched:
                continue
            names = ", ".join(map(described, matched))
            where = "on all host interfaces" if port.host_ip is None else f"on all host interfaces ({port.host_ip.text})"
            noun = "port" if len(matched) == 1 else "ports"
            message = f"{service.label} publishes container {noun} {names} {where}"
            yield RULE.finding(_finding_span(port), message, _fixes(compose.source, port))


def _host_network(service: Service) -> bool:
    value = service.mapping.get("network_mode") if service.mapping else None
    return isinstance(value, YamlScalar) and value.value == "host"


RULE = Rule(
    code="HG402",
    name="port-published-on-all-interfaces",
    severity=Severity.WARNING,
    summary="Back-end port published on all host interfaces",
    docs=RuleDocs(
        what="Checks the `ports` a compose service publishes. It fires when a port is published "
        "on every interface of the host (no host IP, or `0.0.0.0` / `[::]`) and the container "
        "port is one of a back-end service meant to be reached by the application rather than "
        "by the network: databases, caches and brokers (PostgreSQL 5432, MySQL 3306, SQL Server "
        "1433, Oracle 1521, MongoDB 27017, Redis 6379, Memcached 11211, Elasticsearch 9200, "
        "CouchDB 5984, Cassandra 9042, InfluxDB 8086, Neo4j 7687, CockroachDB 26257, etcd 2379, "
        "Kafka 9092, RabbitMQ 5672 and 15672), plus the sensitive ports of HG401 (SSH, Telnet, "
        "the Docker API, RDP, VNC and the `sensitive-ports` setting). Other published ports, "
        "such as a web server's 80 or 8080, are meant to be reachable and are not reported.\n\n"
        "Every port syntax is understood: `\"5432:5432\"`, `\"5432\"` (a random host port, on all "
        "interfaces too), `\"0.0.0.0:5432:5432\"`, `\"[::]:5432:5432\"`, ranges "
        "(`\"6370-6380:6370-6380\"` fires when the range holds a listed port), `/tcp` and `/udp`, "
        "and the long syntax (`target`, `published`, `host_ip`). The container port decides "
        "(`\"15432:5432\"` is PostgreSQL). Entries bound to an address (`127.0.0.1:`, "
        "`[::1]:`, a LAN address) pass, and so do a host IP or a container port from a "
        "variable (`${DB_BIND}:5432:5432`), which are unknown; a host port from a variable "
        "(`${DB_PORT}:5432`) is still published on all interfaces. A service with `network_mode: host` is "
        "skipped: Docker ignores its `ports` (HG106 reports the host network). The finding "
        "points at the host IP, else the published port, else the container port.",
        why="Docker publishes a port without a host IP on `0.0.0.0` and `[::]`, and it inserts "
        "its own firewall rules ahead of the host's (ufw, firewalld), so a database published "
        "for local development is reachable from the whole network, often with the default or "
        "no password. Internet-wide scans find such Redis, MongoDB and Elasticsearch instances "
        "within hours. Other services of the project reach the database over the compose "
        "network without any published port.",
        example="```yaml\nservices:\n  db:\n    image: postgres:16\n    ports:\n"
        "      - \"5432:5432\"   # HG402\n  cache:\n    image: redis:7\n    ports:\n"
        "      - target: 6379\n        published: 6379   # HG402\n```\nFixed:\n```yaml\nservices:\n"
        "  db:\n    image: postgres:16\n    ports:\n      - \"127.0.0.1:5432:5432\"\n  cache:\n"
        "    image: redis:7\n    ports:\n      - target: 6379\n        published: 6379\n"
        "        host_ip: 127.0.0.1\n```\nOr remove `ports:` altogether when only other services "
        "use the database.",
        fix="Unsafe (the port is no longer reachable from other hosts): binds the port to the "
        "loopback address, `127.0.0.1` (`[::1]` for an IPv6 entry). Short syntax keeps the "
        "entry's quoting (`\"5432:5432\"` becomes `\"127.0.0.1:5432:5432\"`, `\"5432\"` becomes "
        "`\"127.0.0.1::5432\"`, `0.0.0.0` is replaced); a plain number (`- 5432`) becomes a "
        "string. The long syntax gets `host_ip: 127.0.0.1`.",
        peers="hadolint, checkov and trivy have no equivalent for compose files. The Docker daemon setting `\"ip\": \"127.0.0.1\"` changes the default "
        "for every container (not visible in the compose file, so the rule still reports).",
    ),
    checks={Format.COMPOSE: check_compose},
    fix=Applicability.UNSAFE,
)
