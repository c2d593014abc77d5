"""What a rule may know besides the document: the settings that concern it, and the files
beside the document (for ``.dockerignore``). Kept small so rules stay pure functions."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SENSITIVE_PORTS = frozenset({22, 23, 2375, 2376, 3389, 5900})


@dataclass
class RuleContext:
    path: Path | None = None  # the document's file, None for unsaved text
    trusted_registries: tuple[str, ...] = ()
    sensitive_ports: frozenset[int] = DEFAULT_SENSITIVE_PORTS
    # Text of files the rules may read, by path; tests and the language server may preload.
    file_overrides: dict[str, str | None] = field(default_factory=dict)

    def read_sibling(self, name: str) -> tuple[Path, str | None] | None:
        """The path and text (None if absent) of a file beside the document."""
        if self.path is None:
            return None
        sibling = self.path.parent / name
        key = os.fspath(sibling)
        if key in self.file_overrides:
            return sibling, self.file_overrides[key]
        try:
            # bytes, then decode: a text-mode read would turn CRLF into LF, and a fix would too
            return sibling, sibling.read_bytes().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return sibling, None
        except OSError:
            return sibling, None
