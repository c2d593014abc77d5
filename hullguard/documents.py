"""Documents: a file's text, its detected format, and its parsed model (or why it has none)."""
from __future__ import annotations

import fnmatch
import functools
from dataclasses import dataclass
from pathlib import PurePath

from hullguard.compose import ComposeFile, parse_compose
from hullguard.dockerfile import Dockerfile, DockerfileError, parse_dockerfile
from hullguard.kubernetes import KubernetesFile, parse_kubernetes
from hullguard.model import Format
from hullguard.text import DecodeError, SourceText, Span
from hullguard.yamldoc import YamlDocumentText, looks_like_compose, peek_document_kind, split_documents

MAX_FILE_SIZE = 5 * 1024 * 1024  # bytes; the `max-file-size` setting

DOCKERFILE_PATTERNS = ("Dockerfile", "Containerfile", "*.dockerfile", "*.Dockerfile", "*.containerfile", "Dockerfile.*", "Containerfile.*")
# `Dockerfile.*` names that are something else: ignore files, docs, templates, backups.
NOT_DOCKERFILE_SUFFIXES = (
    ".dockerignore", ".md", ".txt", ".rst", ".j2", ".jinja", ".jinja2", ".tpl", ".tmpl", ".template",
    ".in", ".erb", ".mustache", ".orig", ".bak", ".swp", ".rej", ".json", ".yml", ".yaml", ".sh", ".py",
)

COMPOSE_PATTERNS = ("compose.yaml", "compose.yml", "docker-compose*.yaml", "docker-compose*.yml", "compose.*.yaml", "compose.*.yml")
YAML_SUFFIXES = (".yaml", ".yml")


def detect_format(path: str | PurePath) -> Format | None:
    """The format a file name implies, or None for files hullguard does not lint. Any other
    YAML file is taken as Kubernetes for now; its content decides (``load_document``)."""
    return _format_of_name(PurePath(path).name)


@functools.lru_cache(maxsize=4096)  # a tree repeats its names (Dockerfile, compose.yaml, README.md)
def _format_of_name(name: str) -> Format | None:
    if any(fnmatch.fnmatchcase(name, pattern) for pattern in DOCKERFILE_PATTERNS) and not name.lower().endswith(NOT_DOCKERFILE_SUFFIXES):
        return Format.DOCKERFILE
    if any(fnmatch.fnmatchcase(name, pattern) for pattern in COMPOSE_PATTERNS):
        return Format.COMPOSE
    if name.lower().endswith(YAML_SUFFIXES):
        return Format.KUBERNETES
    return None


@dataclass
class Document:
    path: str  # as the user gave it, or the editor's file path
    format: Format
    source: SourceText | None
    model: Dockerfile | ComposeFile | KubernetesFile | None
    error: str | None = None  # why there is no model
    error_span: Span | None = None

    def without_content(self) -> "Document":
        """The document without its text and model, which take many times the file's size:
        what the output formats need (the path, the format, why it did not parse)."""
        return Document(self.path, self.format, None, None, self.error, self.error_span)


def load_document(path: str, data: bytes | str, document_format: Format, *, max_bytes: int = MAX_FILE_SIZE) -> Document:
    """Decode and parse; never raises for bad input, the reason lands in ``error``.

    A YAML file taken as Kubernetes (``detect_format``) becomes a compose file when its
    content is one: a top-level ``services:`` mapping with compose keys only, and no
    document with ``apiVersion`` and ``kind``."""
    size = len(data.encode("utf-8", "surrogatepass")) if isinstance(data, str) else len(data)
    if size > max_bytes:
        return Document(path, document_format, None, None, f"file too large to lint: {size:,} bytes, the limit is {max_bytes:,} (setting max-file-size)")
    try:
        source = SourceText.from_bytes(data) if isinstance(data, bytes) else SourceText(data.removeprefix("\ufeff"), has_bom=data.startswith("\ufeff"))
    except DecodeError as error:
        return Document(path, document_format, None, None, str(error))
    try:
        if document_format is Format.DOCKERFILE:
            model = parse_dockerfile(source)
        else:
            pieces = split_documents(source, max_bytes=None)  # once: both parsers and the content test use it
            if document_format is Format.KUBERNETES and _is_compose_content(pieces):
                document_format = Format.COMPOSE
            model = parse_compose(source, pieces) if document_format is Format.COMPOSE else parse_kubernetes(source, pieces)
    except DockerfileError as error:
        return Document(path, document_format, source, None, str(error), error.span)
    except RecursionError:
        return Document(path, document_format, source, None, "too deeply nested to parse")
    return Document(path, document_format, source, model)


def _is_compose_content(pieces: list[YamlDocumentText]) -> bool:
    documents = [doc for doc in pieces if not doc.empty]
    return bool(documents) and looks_like_compose(documents[0].text) and not any(peek_document_kind(doc) for doc in documents)
