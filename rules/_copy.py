"""The sources a ``COPY``/``ADD`` takes from the build context, with their spans.

Shared by the rules that look at what goes into the image from the context (HG302, HG303).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from hullguard.dockerfile import Instruction
from hullguard.text import Span

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


@dataclass(frozen=True)
class Source:
    value: str  # quotes removed, escapes resolved
    span: Span  # the source as written, quotes excluded in JSON form


def _arguments(instruction: Instruction) -> list[tuple[str, int, int]]:
    """(value, start, end) of each argument after the flags, shell or JSON form."""
    if instruction.json_arguments is None:
        return [(word.value, word.start, word.end) for word in instruction.words]
    base = instruction.rest_start
    strings = _JSON_STRING.finditer(instruction.text, base, base + len(instruction.arguments))
    return [(value, match.start() + 1, match.end() - 1) for value, match in zip(instruction.json_arguments, strings)]


def context_sources(instruction: Instruction) -> list[Source]:
    """The sources of a ``COPY``/``ADD`` read from the build context, shell or JSON form.

    Empty for other instructions and for ``--from`` copies (another stage or image);
    heredoc bodies (``COPY <<EOF …``) and remote ``ADD`` URLs are left out as well.
    """
    if instruction.keyword not in ("COPY", "ADD") or instruction.flag("from") is not None:
        return []
    return [
        Source(value, instruction.span(start, end))
        for value, start, end in _arguments(instruction)[:-1]  # the last one is the destination
        if not value.startswith("<<") and "://" not in value and not value.startswith("git@")
    ]


def destination(instruction: Instruction) -> str | None:
    """Where a ``COPY``/``ADD`` writes to, as written (variables not expanded)."""
    arguments = _arguments(instruction) if instruction.keyword in ("COPY", "ADD") else []
    return arguments[-1][0] if len(arguments) >= 2 else None
