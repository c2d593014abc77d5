"""The sources a ``COPY``/``ADD`` takes from the build context, with their spans.

Shared by the rules that look at what goes into the image from the context (HG302, HG303).
"""
from __future__ import annotations

from dataclasses import dataclass

from hullguard.dockerfile import Instruction
from hullguard.rules._exec_form import argument_words
from hullguard.text import Span


@dataclass(frozen=True)
class Source:
    value: str  # quotes removed, escapes resolved
    span: Span  # the source as written, quotes excluded in JSON form


def context_sources(instruction: Instruction) -> tuple[Source, ...]:
    """The sources of a ``COPY``/``ADD`` read from the build context, shell or JSON form.

    Empty for other instructions and for ``--from`` copies (another stage or image);
    heredoc bodies (``COPY <<EOF …``) and remote ``ADD`` URLs are left out as well.
    """
    if instruction.keyword not in ("COPY", "ADD"):
        return ()
    return instruction.remembered(context_sources, lambda: _context_sources(instruction))


def _context_sources(instruction: Instruction) -> tuple[Source, ...]:
    if instruction.flag("from") is not None:
        return ()
    heredocs = {heredoc.word.start for heredoc in instruction.heredocs}
    return tuple(
        Source(word.value, instruction.span(word.start, word.end))
        for word in argument_words(instruction)[:-1]  # the last one is the destination
        if word.start not in heredocs and "://" not in word.value and not word.value.startswith("git@")
    )


def destination(instruction: Instruction) -> str | None:
    """Where a ``COPY``/``ADD`` writes to, as written (variables not expanded)."""
    arguments = argument_words(instruction) if instruction.keyword in ("COPY", "ADD") else []
    return arguments[-1].value if len(arguments) >= 2 else None
