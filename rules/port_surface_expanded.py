"""HG405 port-surface-expanded: a change opens ports that the compared revision did not
(``check --since`` only): EXPOSE, compose ports and expose, Kubernetes containerPort,
hostPort, Service ports and Service type."""
from __future__ import annotations

from dataclasses import dataclass

from hullguard.compose import ComposeFile, Service
from hullguard.context import RuleContext
from hullguard.dockerfile import Dockerfile, Stage
from hullguard.identity import stage_owner
from hullguard.kubernetes import Container, KubernetesFile
from hullguard.model import Format, Rule, RuleDocs, Severity
from hullguard.rules._compose import Port, exposed_ports, published_ports
from hullguard.rules._ports import parse_port_range
from hullguard.rules._previous import paired_containers, paired_objects, paired_services, paired_stages, previous
from hullguard.rules._variables import variables_before
from hullguard.text import Span
from hullguard.words import substitute
from hullguard.yamldoc import YamlMapping, YamlNode
from hullguard.yamlfile import int_of, items, node_at, text_of

# How far a Service type reaches: a ClusterIP inside the cluster, a NodePort on every node, a
# LoadBalancer through an external load balancer.
SERVICE_REACH = {"ClusterIP": 0, "NodePort": 1, "LoadBalancer": 2}
REACH = {"NodePort": "now reachable on a port of every node", "LoadBalancer": "now reachable through an external load balancer"}


@dataclass(frozen=True)
class PortSet:
    """Ports by protocol, as the written ranges."""

    ranges: tuple[tuple[int, int, str], ...] = ()  # (low, high, protocol in lower case)

    def covers(self, low: int, high: int, protocol: str) -> bool:
        """Whether every port of ``low``-``high`` is in the set."""
        current = low
        for start, end, kind in sorted(self.ranges):
            if kind != protocol or end < current:
                continue
            if start > current:
                return False
            current = end + 1
            if current > high:
                return True
        return current > high

    def with_range(self, low: int, high: int, protocol: str) -> "PortSet":
        return PortSet(self.ranges + ((low, high, protocol),))


def _shown(low: int, high: int, protocol: str) -> str:
    return (f"{low}" if low == high else f"{low}-{high}") + f"/{protocol}"


def _before(written: list[str]) -> str:
    return ", ".join(written) if written else "none"


# --- Dockerfile ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exposed:
    low: int
    high: int
    protocol: str
    span: Span
    written: str


def _exposed(dockerfile: Dockerfile, stage: Stage) -> list[Exposed]:
    """The ports a stage's EXPOSE instructions give, their variables resolved from the
    defaults in scope (a port whose value is unknown is left out)."""
    found = []
    for instruction in stage.instructions:
        if instruction.keyword != "EXPOSE":
            continue
        variables = variables_before(dockerfile, instruction) if "$" in instruction.text else {}
        for word in instruction.words:
            value, resolved = substitute(word.value, variables)
            number, _, protocol = value.strip().partition("/")
            ports = parse_port_range(number) if resolved else None
            if ports is not None:
                found.append(Exposed(ports.low, ports.high, (protocol or "tcp").lower(), instruction.span(word.start, word.end), word.value))
    return found


def check_dockerfile(dockerfile: Dockerfile, context: RuleContext):
    old = previous(context, Dockerfile)
    if old is None:
        return
    for stage, old_stage in paired_stages(dockerfile, old):
        before = _exposed(old, old_stage)
        known = PortSet(tuple((port.low, port.high, port.protocol) for port in before))
        for port in _exposed(dockerfile, stage):
            if not known.covers(port.low, port.high, port.protocol):
                shown = _shown(port.low, port.high, port.protocol)
                was = _before([_shown(p.low, p.high, p.protocol) for p in before])
                yield RULE.finding(port.span, f"{stage_owner(dockerfile, stage)} now exposes {shown} (before: {was})")


# --- compose ---------------------------------------------------------------------------------


def _range(port: Port) -> tuple[int, int, str] | None:
    text = port.container.text
    if text is None:
        return None  # a variable: unknown
    number, _, protocol = text.partition("/")
    ports = parse_port_range(number)
    return (ports.low, ports.high, (protocol or "tcp").lower()) if ports is not None else None


def _written(port: Port) -> str:
    """An entry as short syntax: ``127.0.0.1:8080:80/tcp``."""
    parts = [part.text or "${…}" for part in (port.host_ip, port.published) if part is not None]
    return "'" + ":".join(parts + [port.container.text or "${…}"]) + "'"


def check_compose(compose: ComposeFile, context: RuleContext):
    old = previous(context, ComposeFile)
    if old is None:
        return
    for service, old_service in paired_services(compose, old):
        yield from _published(service, published_ports(old_service))
        yield from _exposed_to_containers(service, published_ports(old_service) + exposed_ports(old_service))


def _published(service: Service, before: list[Port]):
    """A published entry is new surface unless the same container ports were published
    before, and on every interface if it now is."""
    anywhere, everywhere = PortSet(), PortSet()
    for port in before:
        ports = _range(port)
        if ports is not None:
            anywhere = anywhere.with_range(*ports)
            if port.on_all_interfaces is not False:
                everywhere = everywhere.with_range(*ports)
    for port in published_ports(service):
        ports = _range(port)
        if ports is None:
            continue
        if not anywhere.covers(*ports):
            reach = ""
        elif port.on_all_interfaces is True and not everywhere.covers(*ports):
            reach = " on all interfaces"
        else:
            continue
        message = f"{service.label} now publishes {_written(port)}{reach} (before: {_before([_written(p) for p in before])})"
        yield RULE.finding(port.node.span, message)


def _exposed_to_containers(service: Service, before: list[Port]):
    known = PortSet(tuple(ports for ports in map(_range, before) if ports is not None))
    for port in exposed_ports(service):
        ports = _range(port)
        if ports is not None and not known.covers(*ports):
            message = f"{service.label} now exposes {_written(port)} to other containers (before: {_before([_written(p) for p in before])})"
            yield RULE.finding(port.node.span, message)


# --- Kubernetes --------------------------------------------------------------------------


def _port_entries(container: Container, field: str) -> list[tuple[int, str, YamlNode]]:
    """(number, protocol, value node) of the container's ``ports[].<field>`` values."""
    found = []
    for entry in items(container.mapping.get("ports")):
        if isinstance(entry, YamlMapping):
            number = int_of(entry.get(field))
            if number is not None:
                found.append((number, text_of(entry.get("protocol")) or "TCP", entry.get(field)))
    return found


def _service_ports(mapping: YamlMapping) -> list[tuple[int, str, YamlNode]]:
    found = []
    for entry in items(node_at(mapping, "spec", "ports")):
        if isinstance(entry, YamlMapping):
            number = int_of(entry.get("port"))
            if number is not None:
                found.append((number, text_of(entry.get("protocol")) or "TCP", entry.get("port")))
    return found


def _added(label: str, what: str, now: list[tuple[int, str, YamlNode]], before: list[tuple[int, str, YamlNode]]):
    known = {(number, protocol.upper()) for number, protocol, _ in before}
    was = _before([f"{number}/{protocol}" for number, protocol, _ in before])
    for number, protocol, node in now:
        if (number, protocol.upper()) not in known:
            yield RULE.finding(node.span, f"{label} now {what} {number}/{protocol} (before: {was})")


def check_kubernetes(manifest: KubernetesFile, context: RuleContext):
    old = previous(context, KubernetesFile)
    if old is None:
        return
    for _, container, _, old_container in paired_containers(manifest, old):
        yield from _added(container.label, "declares containerPort", _port_entries(container, "containerPort"), _port_entries(old_container, "containerPort"))
        yield from _added(container.label, "binds host port", _port_entries(container, "hostPort"), _port_entries(old_container, "hostPort"))
    for obj, old_obj in paired_objects(manifest, old):
        if obj.kind != "Service":
            continue
        type_node = node_at(obj.mapping, "spec", "type")
        kind, old_kind = text_of(type_node) or "ClusterIP", text_of(node_at(old_obj.mapping, "spec", "type")) or "ClusterIP"
        if SERVICE_REACH.get(kind, 0) > SERVICE_REACH.get(old_kind, 0):
            yield RULE.finding(type_node.span, f"{obj.label} type changed from {old_kind} to {kind}: {REACH[kind]}")
        yield from _added(obj.label, "exposes port", _service_ports(obj.mapping), _service_ports(old_obj.mapping))


RULE = Rule(
    code="HG405",
    name="port-surface-expanded",
    severity=Severity.WARNING,
    summary="Change opens ports that were not open before (--since only)",
    docs=RuleDocs(
        what="A regression rule: it runs only under `hullguard check --since REF`, comparing each "
        "file with its version at `REF`, and reports the ports the change opens. It compares "
        "each stage, service, workload container and Service with the same one at `REF` (a "
        "stage by name, the unnamed last stage as the final stage; a service by name; an object "
        "by kind, namespace and name, a container by name); what is new altogether is not "
        "compared, as the other rules report new files and new services in full.\n\n"
        "- **Dockerfile**: ports of `EXPOSE` not exposed by that stage before (ranges count port "
        "by port; `80` is `80/tcp`; variables resolved from literal `ARG`/`ENV` defaults).\n"
        "- **Compose**: a `ports` entry whose container ports were not published before, or "
        "that is now published on all host interfaces where before it was bound to one address "
        "(`127.0.0.1:5432:5432` to `5432:5432`); an `expose` entry whose ports were neither "
        "exposed nor published before. Entries whose container ports come from variables are skipped.\n"
        "- **Kubernetes**: a container's new `containerPort` or `hostPort` (with its protocol, "
        "`TCP` by default); a Service's new `port`, and a Service `type` that reaches further "
        "than before (`ClusterIP` to `NodePort` to `LoadBalancer`).\n\n"
        "Each finding names the new port and lists what was open before.",
        why="Every open port is a way in. A review sees the lines a change touches, not the "
        "surface the result exposes; a new `EXPOSE`, a database port published on all "
        "interfaces or a Service turned into a LoadBalancer are easy to miss in a diff and "
        "hard to notice once deployed. Reporting them when they are introduced lets the author "
        "and reviewer confirm each one is intended.",
        example="At `REF`:\n```dockerfile\nFROM nginx:1.27.3\nEXPOSE 80\n```\nNow "
        "(`hullguard check --since REF`):\n```dockerfile\nFROM nginx:1.27.3\n"
        "EXPOSE 80 8080   # HG405: final stage now exposes 8080/tcp (before: 80/tcp)\n```\n"
        "Compose, at `REF` `- \"127.0.0.1:5432:5432\"`, now:\n```yaml\nservices:\n  db:\n"
        "    image: postgres:16.4\n    ports:\n      - \"5432:5432\"   # HG405: on all interfaces\n```\n"
        "Kubernetes, at `REF` `type: ClusterIP`, now:\n```yaml\napiVersion: v1\nkind: Service\n"
        "metadata:\n  name: web\nspec:\n  type: LoadBalancer   # HG405\n  ports:\n    - port: 80\n```\n"
        "Fixed: drop the port if it is not needed, bind it to `127.0.0.1`, or keep it "
        "deliberately (the finding goes away once `REF` includes the change).",
        fix="None: only you know whether the port should be open. Suppress a deliberate one "
        "with `# hullguard: ignore[HG405] reason`, or simply merge: the next comparison starts "
        "from the new state.",
        peers="None of hadolint, checkov, trivy or kube-linter compares with an earlier "
        "version; HG401 (sensitive ports), HG402 (all interfaces) and HG403 (host ports) judge "
        "single files.",
    ),
    checks={Format.DOCKERFILE: check_dockerfile, Format.COMPOSE: check_compose, Format.KUBERNETES: check_kubernetes},
    needs_previous=True,
)
