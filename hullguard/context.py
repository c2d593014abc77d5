"""What a rule may know besides the document: the settings that concern it, and the files
beside the document (for ``.dockerignore``). Kept small so rules stay pure functions."""
from __future__ import annotations

import enum
import functools
import os
from dataclasses import dataclass, field
from pathlib import Path

from typing import TYPE_CHECKING

from hullguard.dockerfile import Dockerfile, DockerfileError, parse_dockerfile
from hullguard.documents import detect_format
from hullguard.model import Format
from hullguard.text import SourceText

if TYPE_CHECKING:
    from hullguard.compose import ComposeFile
    from hullguard.kubernetes import KubernetesFile
    from hullguard.project import ProjectIndex

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


PSS_LEVELS = ("baseline", "restricted")


@dataclass
class RuleContext:
    path: Path | None = None  # the document's file, None for unsaved text
    trusted_registries: tuple[str, ...] = ()
    sensitive_ports: frozenset[int] = DEFAULT_SENSITIVE_PORTS
    pss_level: str = "restricted"  # the Pod Security Standards level the Kubernetes rules enforce
    pss_version: tuple[int, int] | None = None  # (1, 30) for "v1.30"; None for the latest
    # Text of files the rules may read, by path (None: absent); tests and the language server may preload.
    file_overrides: dict[str, str | None] = field(default_factory=dict)
    # Facts gathered from all the files of a run (or workspace), for rules that look across files.
    project: "ProjectIndex | None" = None
    # Files other than the document that the findings depend on (read through this context),
    # so the language server can re-lint a document when one of them changes.
    dependencies: set[str] = field(default_factory=set)
    # The document's version at the git revision it is compared with (``check --since``):
    # its parsed model, of the same format; None when not comparing, or when the file is new
    # or did not parse there. Only the regression rules (``Rule.needs_previous``) read it.
    previous: "Dockerfile | ComposeFile | KubernetesFile | None" = None

    @property
    def restricted(self) -> bool:
        return self.pss_level == "restricted"

    def pss_at_least(self, major: int, minor: int) -> bool:
        """Whether the Pod Security Standards version in force is ``major.minor`` or later."""
        return self.pss_version is None or self.pss_version >= (major, minor)

    def read_sibling(self, name: str) -> SiblingFile | None:
        """A file beside the document (None for unsaved text): its state and text."""
        if self.path is None:
            return None
        return self.read_file(self.path.parent / name)

    def read_file(self, path: Path) -> SiblingFile:
        """Any file the findings depend on (recorded in ``dependencies``): its state and text."""
        sibling = Path(os.path.normpath(path))
        key = os.fspath(sibling)
        self.dependencies.add(key)
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

    def dockerfile(self, path: Path) -> Dockerfile | None:
        """The parsed Dockerfile at ``path`` (recorded as a dependency); None when it is
        absent, unreadable or does not parse."""
        file = self.read_file(path)
        return _parsed_dockerfile(file.text) if file.state is FileState.TEXT else None

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


@functools.lru_cache(maxsize=256)  # many compose services build the same Dockerfile
def _parsed_dockerfile(text: str) -> Dockerfile | None:
    try:
        return parse_dockerfile(SourceText(text.removeprefix("\ufeff")))
    except (DockerfileError, RecursionError):
        return None


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
