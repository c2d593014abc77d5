"""Kubernetes manifests: the objects of a YAML stream, with each workload's pod template and
containers found at the right depth for its kind."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from hullguard.text import SourceText, Span
from hullguard.yamldoc import YamlDocument, YamlDocumentText, YamlMapping, YamlScalar, peek_document_kind, split_documents
from hullguard.yamlfile import Problem, YamlFile, compose_or_report, items, mapping_at, text_of

# Where each workload kind keeps its pod template (a mapping with ``metadata`` and ``spec``);
# a Pod is its own template.
POD_TEMPLATE_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": (),
    "PodTemplate": ("template",),
    "Deployment": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}
# The other kinds some rule reads; documents of any other kind are never composed.
OTHER_KINDS = frozenset({
    "Namespace", "NetworkPolicy", "ServiceAccount", "Service",
    "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding",
})
LIST_KIND = re.compile(r"\w*List")  # `List`, and typed lists such as `DeploymentList`
CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")


def is_relevant_kind(kind: str) -> bool:
    return kind in POD_TEMPLATE_PATHS or kind in OTHER_KINDS or LIST_KIND.fullmatch(kind) is not None


@dataclass(frozen=True, eq=False)
class Container:
    list_name: str  # "containers", "initContainers" or "ephemeralContainers"
    mapping: YamlMapping
    name: str | None

    @property
    def anchor(self) -> Span:
        """Where findings about the container as a whole point: its ``name`` value."""
        name = self.mapping.get("name")
        return name.span if isinstance(name, YamlScalar) else self.mapping.span

    @property
    def label(self) -> str:
        kind = {"initContainers": "init container", "ephemeralContainers": "ephemeral container"}.get(self.list_name, "container")
        return f"{kind} '{self.name}'" if self.name else kind

    def security_context(self) -> YamlMapping | None:
        return mapping_at(self.mapping, "securityContext")


@dataclass(frozen=True, eq=False)
class PodTemplate:
    """A pod spec and its metadata, wherever the workload keeps them."""

    path: tuple[str, ...]  # keys from the object to the template ("" for a Pod)
    template: YamlMapping  # the mapping holding ``metadata`` and ``spec``
    spec: YamlMapping | None

    @property
    def metadata(self) -> YamlMapping | None:
        return mapping_at(self.template, "metadata")

    @cached_property
    def containers(self) -> list[Container]:
        found = []
        for list_name in CONTAINER_LISTS:
            for item in items(self.spec.get(list_name) if self.spec else None):
                if isinstance(item, YamlMapping):
                    found.append(Container(list_name, item, text_of(item.get("name"))))
        return found

    def security_context(self) -> YamlMapping | None:
        return mapping_at(self.spec, "securityContext")


@dataclass(frozen=True, eq=False)
class KubeObject:
    document: YamlDocument
    mapping: YamlMapping  # the object (an item, for the objects of a List)
    api_version: str
    kind: str

    @property
    def name(self) -> str | None:
        metadata = mapping_at(self.mapping, "metadata")
        return text_of(metadata.get("name")) if metadata else None

    @property
    def namespace(self) -> str | None:
        metadata = mapping_at(self.mapping, "metadata")
        return text_of(metadata.get("namespace")) if metadata else None

    @property
    def label(self) -> str:
        return f"{self.kind} '{self.name}'" if self.name else self.kind

    @property
    def anchor(self) -> Span:
        """Where findings about the object as a whole point: its name, else its kind."""
        metadata = mapping_at(self.mapping, "metadata")
        name = metadata.get("name") if metadata else None
        node = name if isinstance(name, YamlScalar) else self.mapping.get("kind")
        return node.span if node is not None else self.mapping.span

    @cached_property
    def pod(self) -> PodTemplate | None:
        path = POD_TEMPLATE_PATHS.get(self.kind)
        if path is None:
            return None
        template = mapping_at(self.mapping, *path) if path else self.mapping
        if template is None:
            return None
        return PodTemplate(path, template, mapping_at(template, "spec"))


@dataclass
class KubernetesFile(YamlFile):
    objects: list[KubeObject] = field(default_factory=list)

    @property
    def workloads(self) -> list[KubeObject]:
        return [obj for obj in self.objects if obj.pod is not None]

    def by_document(self) -> list["KubernetesFile"]:
        """One view per composed document, holding that document's objects only: what the
        rules that judge each document on its own see (``Rule.whole_stream`` ones see all)."""
        objects: dict[int, list[KubeObject]] = {id(document): [] for document in self.documents}
        for obj in self.objects:
            objects[id(obj.document)].append(obj)
        return [KubernetesFile(self.source, [document], [], objects[id(document)]) for document in self.documents]


def _objects_of(document: YamlDocument) -> list[KubeObject]:
    root = document.root
    if not isinstance(root, YamlMapping):
        return []
    api_version, kind = text_of(root.get("apiVersion")), text_of(root.get("kind"))
    if api_version is None or kind is None:
        return []
    if LIST_KIND.fullmatch(kind):
        found = []
        for item in items(root.get("items")):
            if isinstance(item, YamlMapping):
                item_version, item_kind = text_of(item.get("apiVersion")), text_of(item.get("kind"))
                if item_version is not None and item_kind is not None:
                    found.append(KubeObject(document, item, item_version, item_kind))
        return found
    return [KubeObject(document, root, api_version, kind)]


def parse_kubernetes(source: SourceText, pieces: list[YamlDocumentText] | None = None) -> KubernetesFile:
    """The Kubernetes objects of a YAML stream. Only documents whose ``kind`` some rule reads
    are composed (and a document written in flow style, whose kind cannot be peeked);
    YAML that is not Kubernetes gives a file with no objects."""
    problems: list[Problem] = []
    documents: list[YamlDocument] = []
    objects: list[KubeObject] = []
    for doc in split_documents(source, max_bytes=None) if pieces is None else pieces:
        if doc.empty:
            continue
        peeked = peek_document_kind(doc)
        if peeked is None and not _starts_flow(doc.text):
            continue
        if peeked is not None and not is_relevant_kind(peeked[1]):
            continue
        document = compose_or_report(doc, problems)
        if document is None:
            continue
        documents.append(document)
        objects.extend(_objects_of(document))
    return KubernetesFile(source, documents, problems, objects)


_FLOW_START = re.compile(r"\A(?:[ \t]*(?:#[^\n]*)?\r?\n|---[^\n]*\n|%[^\n]*\n)*[ \t]*\{")


def _starts_flow(text: str) -> bool:
    return _FLOW_START.match(text) is not None
