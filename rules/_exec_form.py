"""Exec-form (JSON array) arguments as words with offsets, so a rule can point into them.

Shared by HG109 (``RUN ["sudo", …]``), the ``ADD`` source helpers (``ADD ["https://…", "/x"]``)
and the ``COPY``/``ADD`` context-source helpers (``COPY ["id_rsa", "/root/.ssh/"]``).
"""
from __future__ import annotations

import json
import re

from hullguard.dockerfile import Instruction
from hullguard.words import Word

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def exec_form_words(instruction: Instruction) -> list[Word] | None:
    """The elements of an exec-form instruction, or None for shell form.

    ``raw`` is the element as written between its JSON quotes, ``value`` the decoded string;
    ``start``/``end`` are offsets into ``instruction.text``, quotes excluded (the smallest span).
    """
    if instruction.json_arguments is None:
        return None
    # The arguments parsed as an array of strings, so its string tokens are its elements.
    return [
        Word(match.group()[1:-1], json.loads(match.group()), match.start() + 1, match.end() - 1)
        for match in _JSON_STRING.finditer(instruction.text, instruction.rest_start)
    ]


def argument_words(instruction: Instruction) -> list[Word]:
    """The arguments after the flags, exec form (elements) or shell form (words)."""
    words = exec_form_words(instruction)
    return instruction.words if words is None else words
