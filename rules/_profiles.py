"""``seccompProfile`` and ``appArmorProfile`` objects of a securityContext (pod or container),
read the way Pod Security admission reads them: an object that is present must have the
type ``RuntimeDefault`` or ``Localhost``; an absent (or null) one is not judged here."""
from __future__ import annotations

from dataclasses import dataclass

from hullguard.text import Span
from hullguard.yamldoc import YamlMapping, YamlScalar
from hullguard.yamlfile import text_of

ALLOWED_TYPES = ("RuntimeDefault", "Localhost")


@dataclass(frozen=True)
class Profile:
    field: str  # "seccompProfile" or "appArmorProfile"
    key: YamlScalar  # the field's key where it is written
    type_node: YamlScalar | None  # its ``type`` value, if written

    @property
    def type(self) -> str:
        return text_of(self.type_node) or ""

    @property
    def allowed(self) -> bool:
        return self.type in ALLOWED_TYPES

    @property
    def span(self) -> Span:
        """The type's value, or the field's key when the object has no type."""
        return self.type_node.span if self.type else self.key.span

    def problem(self, confinement: str) -> str:
        """What is wrong with a profile that is not allowed, e.g. "runs without seccomp
        (seccompProfile.type: Unconfined)"."""
        if self.type == "Unconfined":
            return f"runs without {confinement} ({self.field}.type: Unconfined)"
        if not self.type:
            return f"sets {self.field} without a type (RuntimeDefault or Localhost is required)"
        return f"sets {self.field}.type to '{self.type}' (only RuntimeDefault and Localhost are allowed)"


def profile_of(security_context: YamlMapping | None, field: str) -> Profile | None:
    """The ``field`` object of a securityContext; None when absent or not an object."""
    pair = security_context.get_pair(field) if security_context is not None else None
    if pair is None or not isinstance(pair[1], YamlMapping) or not isinstance(pair[0], YamlScalar):
        return None
    type_node = pair[1].get("type")
    return Profile(field, pair[0], type_node if isinstance(type_node, YamlScalar) else None)
