"""HG510 host-probes-and-lifecycle: a probe or lifecycle hook sends the kubelet to another
host (Pod Security Standards baseline control hostProbesAndHostLifecycle, v1.34 and later)."""
from __future__ import annotations

from hullguard.context import RuleContext
from hullguard.kubernetes import KubernetesFile
from hullguard.model import Applicability, Fix, Format, Rule, RuleDocs, Severity
from hullguard.yamldoc import YamlMapping
from hullguard.yamledit import remove_entry
from hullguard.yamlfile import mapping_at, text_of

HANDLERS = (("livenessProbe",), ("readinessProbe",), ("startupProbe",), ("lifecycle", "postStart"), ("lifecycle", "preStop"))


def check_kubernetes(manifest: KubernetesFile, context: RuleContext):
    if not context.pss_at_least(1, 34):
        return
    for obj in manifest.workloads:
        for container in obj.pod.containers:
            hosts = []  # (the mapping holding the host, its value node, field path)
            for path in HANDLERS:
                for action in ("httpGet", "tcpSocket"):
                    action_mapping = mapping_at(container.mapping, *path, action)
                    node = action_mapping.get("host") if action_mapping else None
                    if text_of(node):  # unset and "" pass; any other host fails, localhost too
                        hosts.append((action_mapping, node, ".".join((*path, action, "host"))))
            if not hosts:
                continue
            described = ", ".join(f"{field}: {text_of(node)}" for _, node, field in hosts)
            message = f"{container.label} sends the kubelet's probes or hooks to another host ({described}); PSS baseline v1.34+ forbids them"
            yield RULE.finding(hosts[0][1].span, message, _remove_hosts(manifest, [mapping for mapping, *_ in hosts]))


def _remove_hosts(manifest: KubernetesFile, mappings: list[YamlMapping]) -> list[Fix]:
    edits = [remove_entry(manifest.source, mapping, "host") for mapping in mappings]
    if any(edit is None for edit in edits):
        return []
    return [Fix("Remove host (the kubelet then connects to the pod's IP)", Applicability.UNSAFE, tuple(edits))]


RULE = Rule(
    code="HG510",
    name="host-probes-and-lifecycle",
    severity=Severity.ERROR,
    summary="Probe or lifecycle hook targets another host",
    docs=RuleDocs(
        what="From `pss-version` v1.34 (and at `latest`), checks the `host` of every "
        "`livenessProbe`, `readinessProbe` and `startupProbe` and of the `postStart` and "
        "`preStop` lifecycle hooks, for both `httpGet` and `tcpSocket` handlers, in containers, "
        "init containers and ephemeral containers, at both levels, as the Pod Security Standards "
        "baseline control does: any non-empty `host` is reported, `localhost`, `127.0.0.1` and "
        "`::1` included; unset or `\"\"` is fine. `exec` and `grpc` handlers have no host, and an "
        "`httpHeaders` entry named `Host` is not a target. One finding per container, at its first "
        "host, naming them all. Below v1.34 the rule is silent.",
        why="The kubelet, not the container, runs HTTP and TCP probes and hooks, from the node. "
        "A `host` makes it connect wherever the manifest says: to services on the node itself "
        "(`localhost` is the node, not the pod, unless the pod uses the host network), to the "
        "cloud metadata endpoint or to any address inside the cluster network, from a trusted "
        "source. Without `host` the kubelet connects to the pod's own IP.",
        example="```yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n"
        "    spec:\n      containers:\n        - name: app\n          image: nginx:1.27\n"
        "          livenessProbe:\n            httpGet:\n              host: localhost   # HG510\n"
        "              path: /healthz\n              port: 8080\n```\nFixed:\n```yaml\napiVersion: apps/v1\n"
        "kind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n"
        "        - name: app\n          image: nginx:1.27\n          livenessProbe:\n            httpGet:\n"
        "              path: /healthz\n              port: 8080\n```",
        fix="Unsafe: removes every `host` of the container's probes and hooks, so the kubelet "
        "connects to the pod's IP. An application that listens only on 127.0.0.1 of a "
        "host-network pod then fails its probes; make it listen on the pod's address (or use an "
        "`exec` probe). No fix is offered when a `host` cannot be removed safely (an anchored or "
        "merged mapping).",
        peers="Pod Security Standards baseline control `hostProbesAndHostLifecycle` (\"Probes / "
        "Lifecycle Hooks\", v1.34+).",
    ),
    checks={Format.KUBERNETES: check_kubernetes},
    fix=Applicability.UNSAFE,
)
