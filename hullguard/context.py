"""What a rule may know besides the document: the settings that concern it, and the files
beside the document (for ``.dockerignore``). Kept small so rules stay pure functions."""
from __future__ import annotations

import enum
import os
from dataclasses import dataclass, field
from pathlib import Path

from hullguard.documents import detect_format
from hullguard.model import Format

DEFAULT_SENSITIVE_PORTS = frozenset({22, 23, 2375, 2376, 3389, 5900})


class FileState(enum.Enum):
    TEXT = "text"  # read; ``text`` is its content exactly
    NOT_UTF8 = "not-utf-8"  # read; ``text`` has U+FFFD for the bytes that are not UTF-8
    ABSENT = "absent"
    UNREADABLE = "unreadable"  # there, but cannot be read (permission denied, a folder)


@dataclass(frozen=True)
class SiblingFile:
    path: Path
    state: FileState
    text: str | None = None  # None when absent or unreadable

    @property
    def exists(self) -> bool:
        return self.state is not FileState.ABSENT


@dataclass
class RuleContext:
    path: Path | None = None  # the document's file, None for unsaved text
    trusted_registries: tuple[str, ...] = ()
    sensitive_ports: frozenset[int] = DEFAULT_SENSITIVE_PORTS
    # Text of files the rules may read, by path (None: absent); tests and the language server may preload.
    file_overrides: dict[str, str | None] = field(default_factory=dict)

    def read_sibling(self, name: str) -> SiblingFile | None:
        """A file beside the document (None for unsaved text): its state and text."""
        if self.path is None:
            return None
        sibling = self.path.parent / name
        key = os.fspath(sibling)
        if key in self.file_overrides:
            text = self.file_overrides[key]
            return SiblingFile(sibling, FileState.ABSENT) if text is None else SiblingFile(sibling, FileState.TEXT, text)
        try:
            # bytes, then decode: a text-mode read would turn CRLF into LF, and a fix would too
            data = sibling.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return SiblingFile(sibling, FileState.ABSENT)
        except OSError:
            return SiblingFile(sibling, FileState.UNREADABLE)
        try:
            return SiblingFile(sibling, FileState.TEXT, data.decode("utf-8"))
        except UnicodeDecodeError:
            return SiblingFile(sibling, FileState.NOT_UTF8, data.decode("utf-8", errors="replace"))

    def sibling_dockerfiles(self) -> list[str] | None:
        """The names of the other Dockerfiles in the document's folder, sorted; None when the
        folder cannot be listed (or the text is unsaved). Overrides count as files."""
        if self.path is None:
            return None
        folder = self.path.parent
        names = _dockerfiles_in(folder)
        if names is None:
            return None
        names = set(names)
        for key, text in self.file_overrides.items():
            path = Path(key)
            if path.parent != folder:
                continue
            if text is None:
                names.discard(path.name)
            else:
                names.add(path.name)
        names.discard(self.path.name)
        return sorted(name for name in names if detect_format(name) is Format.DOCKERFILE)


_FOLDER_LISTINGS: dict[Path, tuple[int, frozenset[str]]] = {}


def _dockerfiles_in(folder: Path) -> frozenset[str] | None:
    """Dockerfile-named files in ``folder``, cached until the folder changes: a folder of
    many Dockerfiles would otherwise be listed once per Dockerfile in it."""
    try:
        changed = folder.stat().st_mtime_ns
        cached = _FOLDER_LISTINGS.get(folder)
        if cached and cached[0] == changed:
            return cached[1]
        names = frozenset(e.name for e in os.scandir(folder) if detect_format(e.name) is Format.DOCKERFILE and e.is_file())
    except OSError:
        return None
    _FOLDER_LISTINGS[folder] = (changed, names)
    return names
