"""The ``security_opt`` entries of a compose service, split the way Docker splits them.

``docker compose`` (like ``docker run --security-opt``) cuts an option at its first ``=``;
an option without ``=`` is cut at its first ``:`` (the old separator, still accepted:
``seccomp:unconfined``), and an option with neither is a bare flag (``no-new-privileges``).
``systempaths=unconfined`` is recognised only in exactly that spelling.
"""
from __future__ import annotations

from dataclasses import dataclass

from hullguard.compose import Service
from hullguard.text import Span
from hullguard.yamldoc import YamlScalar
from hullguard.yamlfile import items


@dataclass(frozen=True)
class SecurityOpt:
    node: YamlScalar  # the whole option as written
    key: str  # "seccomp", "apparmor", "label", "no-new-privileges", ...
    separator: str | None  # "=", ":" or None for a bare flag
    value: str | None  # the text after the separator; None for a bare flag

    @property
    def text(self) -> str:
        return self.node.value

    def value_span(self, start: int = 0, end: int | None = None) -> Span:
        """The span of ``value[start:end]`` (the whole value by default); the whole option
        when the scalar's text does not map one to one to its value (escapes, folding)."""
        offset = len(self.key) + 1
        value_end = len(self.text) if end is None else offset + end
        return self.node.sub_span(offset + start, value_end) or self.node.span


def security_opts(service: Service) -> list[SecurityOpt]:
    """The service's ``security_opt`` entries that are scalars, in order."""
    found = []
    for item in items(service.mapping.get("security_opt") if service.mapping else None):
        if not isinstance(item, YamlScalar) or item.is_null:
            continue
        text = item.value
        separator = "=" if "=" in text else ":" if ":" in text else None
        if separator is None:
            found.append(SecurityOpt(item, text, None, None))
        else:
            key, value = text.split(separator, 1)
            found.append(SecurityOpt(item, key, separator, value))
    return found
