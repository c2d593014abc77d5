"""Pod security context inheritance, shared by the Kubernetes rules.

Some settings exist at both levels: a container's ``securityContext`` value wins, and a
container that does not set one inherits the pod's ``spec.securityContext`` value. Reading
only the container (or only the pod) is the peers' most reported false positive.
"""
from __future__ import annotations

from dataclasses import dataclass

from hullguard.kubernetes import Container, PodTemplate
from hullguard.yamldoc import YamlMapping, YamlNode, YamlScalar
from hullguard.yamlfile import node_at, text_of

# The settings a container inherits from the pod's securityContext when it does not set them.
INHERITED = frozenset({"runAsUser", "runAsGroup", "runAsNonRoot", "seLinuxOptions", "seccompProfile", "appArmorProfile", "windowsOptions"})


@dataclass(frozen=True)
class Setting:
    node: YamlNode | None  # the value in force; None when neither level sets it
    level: str | None  # "container", "pod", or None

    @property
    def is_set(self) -> bool:
        return self.node is not None


def effective(pod: PodTemplate, container: Container, key: str) -> Setting:
    """The value of ``securityContext.<key>`` in force for ``container``. A key written with
    no value (``runAsUser:``, ``~``) is unset, as the API server reads it."""
    own = _value(container.security_context(), key)
    if own is not None:
        return Setting(own, "container")
    if key in INHERITED:
        inherited = _value(pod.security_context(), key)
        if inherited is not None:
            return Setting(inherited, "pod")
    return Setting(None, None)


def _value(security_context: YamlMapping | None, key: str) -> YamlNode | None:
    node = security_context.get(key) if security_context is not None else None
    return None if isinstance(node, YamlScalar) and node.is_null else node


def is_windows(pod: PodTemplate) -> bool:
    """Whether the pod declares ``spec.os.name: windows``, the only marker Pod Security
    admission and the API server's validation go by (a nodeSelector does not count)."""
    return text_of(node_at(pod.spec, "os", "name")) == "windows"


def exempt_as_windows(pod: PodTemplate, context) -> bool:
    """Whether a restricted-level control skips this pod: from v1.25 the Pod Security
    Standards exempt pods with ``spec.os.name: windows`` from the Linux-only controls."""
    return context.pss_at_least(1, 25) and is_windows(pod)
