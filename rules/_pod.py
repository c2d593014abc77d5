"""Pod security context inheritance, shared by the Kubernetes rules.

Some settings exist at both levels: a container's ``securityContext`` value wins, and a
container that does not set one inherits the pod's ``spec.securityContext`` value. Reading
only the container (or only the pod) is the peers' most reported false positive.
"""
from __future__ import annotations

from dataclasses import dataclass

from hullguard.kubernetes import Container, PodTemplate
from hullguard.yamldoc import YamlNode

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
    """The value of ``securityContext.<key>`` in force for ``container``."""
    own = container.security_context()
    if own is not None and own.get(key) is not None:
        return Setting(own.get(key), "container")
    if key in INHERITED:
        pod_context = pod.security_context()
        if pod_context is not None and pod_context.get(key) is not None:
            return Setting(pod_context.get(key), "pod")
    return Setting(None, None)
