"""Documents: a file's text, its detected format, and its parsed model (or why it has none)."""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import PurePath

from hullguard.dockerfile import Dockerfile, DockerfileError, parse_dockerfile
from hullguard.model import Format
from hullguard.text import DecodeError, SourceText, Span

DOCKERFILE_PATTERNS = ("Dockerfile", "Containerfile", "*.dockerfile", "*.Dockerfile", "*.containerfile", "Dockerfile.*", "Containerfile.*")
# `Dockerfile.*` names that are something else: ignore files, docs, templates, backups.
NOT_DOCKERFILE_SUFFIXES = (
    ".dockerignore", ".md", ".txt", ".rst", ".j2", ".jinja", ".jinja2", ".tpl", ".tmpl", ".template",
    ".in", ".erb", ".mustache", ".orig", ".bak", ".swp", ".rej", ".json", ".yml", ".yaml", ".sh", ".py",
)


def detect_format(path: str | PurePath) -> Format | None:
    """The format a file name implies, or None for files hullguard does not lint."""
    name = PurePath(path).name
    if any(fnmatch.fnmatchcase(name, pattern) for pattern in DOCKERFILE_PATTERNS):
        if name.lower().endswith(NOT_DOCKERFILE_SUFFIXES):
            return None
        return Format.DOCKERFILE
    return None


@dataclass
class Document:
    path: str  # as the user gave it, or the editor's file path
    format: Format
    source: SourceText | None
    model: Dockerfile | None
    error: str | None = None  # why there is no model
    error_span: Span | None = None


def load_document(path: str, data: bytes | str, document_format: Format) -> Document:
    """Decode and parse; never raises for bad input, the reason lands in ``error``."""
    try:
        source = SourceText.from_bytes(data) if isinstance(data, bytes) else SourceText(data.removeprefix("\ufeff"), has_bom=data.startswith("\ufeff"))
    except DecodeError as error:
        return Document(path, document_format, None, None, str(error))
    try:
        model = parse_dockerfile(source)
    except DockerfileError as error:
        return Document(path, document_format, source, None, str(error), error.span)
    except RecursionError:
        return Document(path, document_format, source, None, "too deeply nested to parse")
    return Document(path, document_format, source, model)
