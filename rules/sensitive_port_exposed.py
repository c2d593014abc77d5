"""HG401 sensitive-port-exposed: a container offers a remote-administration port such as SSH
(Dockerfile EXPOSE, compose ports and expose, Kubernetes containerPort)."""
from __future__ import annotations

from hullguard.compose import ComposeFile
from hullguard.context import RuleContext
from hullguard.dockerfile import Dockerfile
from hullguard.kubernetes import KubernetesFile
from hullguard.model import Format, Rule, RuleDocs, Severity
from hullguard.rules._compose import exposed_ports, published_ports
from hullguard.rules._ports import REMOTE_ADMINISTRATION, PortRange, described, parse_port_range
from hullguard.rules._variables import variables_before
from hullguard.words import substitute
from hullguard.yamldoc import YamlMapping
from hullguard.yamlfile import int_of, items


def _sensitive(context: RuleContext, low: int, high: int) -> list[int]:
    return sorted(port for port in context.sensitive_ports if low <= port <= high)


def _kind(ports: list[int], single: bool) -> str:
    """What the sensitive ``ports`` are: services hullguard knows, or ports the user listed."""
    known = all(port in REMOTE_ADMINISTRATION for port in ports)
    if single:
        return "a remote-administration service" if known else "a port configured as sensitive"
    kind = "remote-administration services" if known else "ports configured as sensitive"
    return f"{kind}: {', '.join(described(port, REMOTE_ADMINISTRATION) for port in ports)}"


def check_dockerfile(dockerfile: Dockerfile, context: RuleContext):
    for instruction in dockerfile.instructions:
        if instruction.keyword != "EXPOSE":
            continue
        variables = None
        for word in instruction.words:
            value = word.value
            if "$" in value:
                variables = variables if variables is not None else variables_before(dockerfile, instruction)
                value, resolved = substitute(value, variables)
                if not resolved:
                    continue
            written = parse_port_range(value.strip())
            ports = _sensitive(context, written.low, written.high) if written else []
            if not ports:
                continue
            if not written.is_range:
                notes = [value] if value != word.value else []  # what a variable resolved to
                notes += [REMOTE_ADMINISTRATION[written.low]] if written.low in REMOTE_ADMINISTRATION else []
                shown = f"{word.value} ({', '.join(notes)})" if notes else word.value
                message = f"EXPOSE {shown} exposes {_kind(ports, single=True)}"
            else:
                shown = word.value if value == word.value else f"{word.value} ({value})"
                message = f"EXPOSE {shown} exposes {_kind(ports, single=False)}"
            yield RULE.finding(instruction.span(word.start, word.end), message)


def _yaml_message(subject: str, verb: str, written: str, ports_range: PortRange, ports: list[int]) -> str:
    if not ports_range.is_range:
        low = ports_range.low
        shown = f"{written} ({REMOTE_ADMINISTRATION[low]})" if low in REMOTE_ADMINISTRATION else written
        return f"{subject} {verb} port {shown}, {_kind(ports, single=True)}"
    return f"{subject} {verb} ports {written}, which include {_kind(ports, single=False)}"


def check_compose(compose: ComposeFile, context: RuleContext):
    for service in compose.services:
        for verb, entries in (("publishes", published_ports(service)), ("exposes", exposed_ports(service))):
            for port in entries:
                ports_range = port.container_range
                ports = _sensitive(context, ports_range.low, ports_range.high) if ports_range else []
                if ports:
                    message = _yaml_message(service.label, verb, port.container.text, ports_range, ports)
                    yield RULE.finding(port.container.span, message)


def check_kubernetes(manifest: KubernetesFile, context: RuleContext):
    for obj in manifest.workloads:
        for container in obj.pod.containers:
            for port in items(container.mapping.get("ports")):
                value = port.get("containerPort") if isinstance(port, YamlMapping) else None
                number = int_of(value)
                if number is not None and _sensitive(context, number, number):
                    yield RULE.finding(value.span, _yaml_message(container.label, "declares", str(number), PortRange(number, number, False), [number]))


RULE = Rule(
    code="HG401",
    name="sensitive-port-exposed",
    severity=Severity.WARNING,
    summary="Sensitive port exposed",
    docs=RuleDocs(
        what="Checks the ports a container offers against the sensitive ports: 22 (SSH), 23 "
        "(Telnet), 2375 and 2376 (Docker daemon), 3389 (RDP) and 5900 (VNC) by default, plus "
        "those listed in the `sensitive-ports` setting. The question is always which service "
        "runs *in the container*, so the container side of a port counts:\n\n"
        "- **Dockerfile**: every port of `EXPOSE`. `22/tcp` and `22/udp` count, a range "
        "(`2370-2380`) counts when it covers one, and a variable (`EXPOSE $SSH_PORT`) is "
        "resolved from the literal `ARG`/`ENV` defaults in scope.\n"
        "- **Compose**: the container port of each `ports` entry, short syntax (`\"2222:22\"` is "
        "SSH; `\"22:8080\"` is not) or long syntax (`target`), and each `expose` entry; ranges "
        "as above. A port from a variable (`${SSH_PORT}`) is unknown and not reported.\n"
        "- **Kubernetes**: each `containerPort` of every container, init container and "
        "ephemeral container.\n\n"
        "The finding points at the port and names the service. Whether a published port is "
        "reachable from other hosts is HG402's question; a Kubernetes `hostPort` is HG403's.",
        why="A container that runs SSH, Telnet, RDP or VNC is usually treated as a small "
        "virtual machine: another login to guard, with credentials or keys baked in and a "
        "daemon to patch. Exposing the Docker daemon hands out control of the host. Use "
        "`docker exec`/`kubectl exec` to get a shell instead.",
        example="```dockerfile\nFROM ubuntu:24.04\nRUN apt-get update && apt-get install -y openssh-server\n"
        "EXPOSE 22   # HG401\n```\nFixed:\n```dockerfile\nFROM ubuntu:24.04\n"
        "# no SSH server: use docker exec / kubectl exec\n```\nCompose:\n```yaml\nservices:\n"
        "  devbox:\n    image: example/devbox:1.0\n    ports:\n      - \"2222:22\"   # HG401\n"
        "    expose:\n      - \"5900\"      # HG401\n```\nKubernetes:\n```yaml\napiVersion: v1\n"
        "kind: Pod\nmetadata:\n  name: devbox\nspec:\n  containers:\n    - name: devbox\n"
        "      image: example/devbox:1.0\n      ports:\n        - containerPort: 22   # HG401\n```\n"
        "Fixed: remove the SSH and VNC servers (and their ports) from the image; use `docker "
        "compose exec` / `kubectl exec` for a shell.",
        fix="None automatic: removing the port does not remove the service behind it. Drop "
        "the remote-access daemon from the image, or suppress the finding where it is the "
        "image's purpose (a bastion, a CI runner).",
        peers="checkov CKV_DOCKER_1 (port 22 only); trivy DS004 (port 22 only); kube-linter "
        "ssh-port (Kubernetes, port 22 only). hadolint has no equivalent.",
    ),
    checks={Format.DOCKERFILE: check_dockerfile, Format.COMPOSE: check_compose, Format.KUBERNETES: check_kubernetes},
)
