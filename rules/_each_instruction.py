"""Dockerfile checks that judge each instruction on its own (HG109, HG206, HG207, HG301, HG601).

Such a check reads one instruction and nothing else, so its findings for an instruction whose
lines are unchanged and unmoved are those of the last parse: the language server parses the
file again on every keystroke, and only the edited instruction is new. ``each_instruction``
makes a rule's Dockerfile check from it that works each instruction's findings out once
(``Instruction.remembered``) and hands every lint copies of them.
"""
from __future__ import annotations

from typing import Callable, Iterable, Iterator

from hullguard.context import RuleContext
from hullguard.dockerfile import Dockerfile, Instruction
from hullguard.model import Finding


def each_instruction(check: Callable[[Instruction], Iterable[Finding]], keywords: tuple[str, ...]) -> Callable[[Dockerfile, RuleContext], Iterator[Finding]]:
    """The Dockerfile check made of ``check(instruction)`` for the instructions with one of
    ``keywords``; ``check`` may read nothing but the instruction (no stage, no other
    instruction, no setting)."""

    def check_dockerfile(dockerfile: Dockerfile, context: RuleContext) -> Iterator[Finding]:
        for instruction in dockerfile.instructions:
            if instruction.keyword in keywords:
                for finding in instruction.remembered(check, lambda: tuple(check(instruction))):
                    yield finding.moved()

    check_dockerfile.__doc__ = check.__doc__
    return check_dockerfile
