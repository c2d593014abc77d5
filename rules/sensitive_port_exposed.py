"""HG401 sensitive-port-exposed: EXPOSE of a remote-administration port such as SSH."""
from __future__ import annotations

import re

from hullguard.context import RuleContext
from hullguard.dockerfile import Dockerfile
from hullguard.model import Format, Rule, RuleDocs, Severity
from hullguard.rules._variables import variables_before
from hullguard.words import substitute

SERVICES = {
    22: "SSH",
    23: "Telnet",
    2375: "unencrypted Docker daemon API",
    2376: "Docker daemon API over TLS",
    3389: "RDP",
    5900: "VNC",
}
PORT = re.compile(r"^(\d+)(?:-(\d+))?(?:/[A-Za-z]+)?$")


def _described(port: int) -> str:
    service = SERVICES.get(port)
    return f"{port} ({service})" if service else str(port)


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
            match = PORT.match(value.strip())
            if not match:
                continue
            low = int(match.group(1))
            high = int(match.group(2) or low)
            ports = sorted(port for port in context.sensitive_ports if low <= port <= high)
            if not ports:
                continue
            known = all(port in SERVICES for port in ports)
            if match.group(2) is None:
                notes = [value] if value != word.value else []  # what a variable resolved to
                notes += [SERVICES[low]] if low in SERVICES else []
                shown = f"{word.value} ({', '.join(notes)})" if notes else word.value
                kind = "a remote-administration service" if known else "a port configured as sensitive"
                message = f"EXPOSE {shown} exposes {kind}"
            else:
                shown = word.value if value == word.value else f"{word.value} ({value})"
                kind = "remote-administration services" if known else "ports configured as sensitive"
                message = f"EXPOSE {shown} exposes {kind}: {', '.join(map(_described, ports))}"
            yield RULE.finding(instruction.span(word.start, word.end), message)


RULE = Rule(
    code="HG401",
    name="sensitive-port-exposed",
    severity=Severity.WARNING,
    summary="Sensitive port exposed",
    docs=RuleDocs(
        what="Checks every port of `EXPOSE` against the sensitive ports: 22 (SSH), 23 (Telnet), "
        "2375 and 2376 (Docker daemon), 3389 (RDP) and 5900 (VNC) by default, plus those "
        "listed in the `sensitive-ports` setting. `22/tcp` and `22/udp` count, a range "
        "(`2370-2380`) counts when it covers one, and a variable (`EXPOSE $SSH_PORT`) is "
        "resolved from the literal `ARG`/`ENV` defaults in scope. The finding points at the "
        "port and names the service.",
        why="A container that runs SSH, Telnet, RDP or VNC is usually treated as a small "
        "virtual machine: another login to guard, with credentials or keys baked in and a "
        "daemon to patch. Exposing the Docker daemon hands out control of the host. Use "
        "`docker exec`/`kubectl exec` to get a shell instead.",
        example="```dockerfile\nFROM ubuntu:24.04\nRUN apt-get update && apt-get install -y openssh-server\n"
        "EXPOSE 22   # HG401\n```\nFixed:\n```dockerfile\nFROM ubuntu:24.04\n"
        "# no SSH server: use docker exec / kubectl exec\n```",
        fix="None automatic: removing the port does not remove the service behind it. Drop "
        "the remote-access daemon from the image, or suppress the finding where it is the "
        "image's purpose (a bastion, a CI runner).",
        peers="checkov CKV_DOCKER_1 (port 22 only); trivy DS004 (port 22 only). hadolint has no equivalent.",
    ),
    checks={Format.DOCKERFILE: check_dockerfile},
)
