"""Compose files: the services of a ``compose.yaml`` (every document of the stream, as
``docker compose`` merges them), each with its name and settings."""
from __future__ import annotations

from dataclasses import dataclass, field

from hullguard.text import SourceText, Span
from hullguard.yamldoc import YamlDocument, YamlDocumentText, YamlMapping, YamlScalar, split_documents
from hullguard.yamlfile import Problem, YamlFile, compose_or_report, mapping_at


@dataclass(frozen=True, eq=False)
class Service:
    name: str
    key: YamlScalar  # the service's name where it is written
    mapping: YamlMapping | None  # None for a service written with no settings
    document: YamlDocument

    @property
    def anchor(self) -> Span:
        """Where findings about the service as a whole point: its name."""
        return self.key.span

    @property
    def label(self) -> str:
        return f"service '{self.name}'"


@dataclass
class ComposeFile(YamlFile):
    services: list[Service] = field(default_factory=list)


def parse_compose(source: SourceText, pieces: list[YamlDocumentText] | None = None) -> ComposeFile:
    """The services of every document."""
    problems: list[Problem] = []
    documents: list[YamlDocument] = []
    services: list[Service] = []
    for doc in split_documents(source, max_bytes=None) if pieces is None else pieces:
        if doc.empty:
            continue
        document = compose_or_report(doc, problems)
        if document is None:
            continue
        documents.append(document)
        declared = mapping_at(document.root, "services")
        for key, value in declared.effective_pairs() if declared else ():
            if isinstance(key, YamlScalar):
                services.append(Service(key.value, key, value if isinstance(value, YamlMapping) else None, document))
    return ComposeFile(source, documents, problems, services)
