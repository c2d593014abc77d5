"""Facts that come from more than one file: the NetworkPolicies of each namespace.

The CLI indexes every YAML file of the run before linting, and a file being linted also
brings in the YAML files of its own folder (where a kustomize base or a chart's rendered
output keeps its NetworkPolicies), so that a pre-commit run that stages only a Deployment
still sees the policy beside it. Only documents of kind NetworkPolicy are parsed for this.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from pathlib import Path

from hullguard.kubernetes import KubernetesFile
from hullguard.text import SourceText
from hullguard.yamldoc import YamlError, YamlMapping, YamlNode, peek_document_kind, split_documents
from hullguard.yamlfile import compose_cached, items, mapping_at, node_at, text_of

YAML_SUFFIXES = (".yaml", ".yml")
MAX_INDEXED_FILE = 5 * 1024 * 1024


@dataclass(frozen=True)
class NetworkPolicy:
    path: str  # the file it is written in
    name: str | None
    namespace: str | None  # None: no metadata.namespace (applied to the current namespace)
    pod_selector: YamlNode | None

    def selects(self, labels: dict[str, str]) -> bool:
        """Kubernetes label-selector semantics: an empty selector selects every pod; a missing
        one (or one we cannot read) selects none; matchLabels and matchExpressions all hold."""
        return self._selector is not None and _satisfies(self._selector, labels)

    @cached_property
    def _selector(self) -> _Selector | None:
        return _read_selector(self.pod_selector)  # once: HG404 asks for every workload


@dataclass
class ProjectIndex:
    policies: dict[str, list[NetworkPolicy]] = field(default_factory=dict)  # by file path
    _folders: set[str] = field(default_factory=set)

    def add_file(self, path: str, model: KubernetesFile) -> None:
        """Index a linted file's NetworkPolicies (its model is already parsed)."""
        key = os.path.normpath(path)
        self.policies[key] = [_policy(key, obj.mapping) for obj in model.objects if obj.kind == "NetworkPolicy"]

    def add_data(self, path: str, data: bytes) -> None:
        """Index a file of the run from its bytes, before it is linted: only its NetworkPolicy
        documents are parsed, so the run need not keep every parsed file in memory."""
        key = os.path.normpath(path)
        if b"NetworkPolicy" not in data:  # most files: not even decoded
            self.policies[key] = []
            return
        try:
            text = data.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            return  # reported when the file is linted
        self.policies[key] = _policies_in_text(key, text)

    def policies_near(self, path: str | None) -> list[NetworkPolicy]:
        """Every indexed policy, after indexing the YAML files of ``path``'s folder."""
        if path is not None:
            self._index_folder(os.path.dirname(os.path.normpath(path)) or ".")
        return list(chain.from_iterable(self.policies.values()))

    def _index_folder(self, folder: str) -> None:
        if folder in self._folders:
            return
        self._folders.add(folder)
        for name in _yaml_files_in(folder):
            key = os.path.normpath(os.path.join(folder, name))
            if key not in self.policies:
                self.policies[key] = _policies_in_file(key)


# Both caches hold across runs (the language server lints a folder's files again and again):
# a folder listing until the folder changes, a file's policies until the file changes.
_FOLDERS: dict[str, tuple[int, list[str]]] = {}
_FILES: dict[str, tuple[int, int, list[NetworkPolicy]]] = {}


def _yaml_files_in(folder: str) -> list[str]:
    try:
        changed = os.stat(folder).st_mtime_ns
        cached = _FOLDERS.get(folder)
        if cached and cached[0] == changed:
            return cached[1]
        names = sorted(entry.name for entry in os.scandir(folder) if entry.name.lower().endswith(YAML_SUFFIXES) and entry.is_file())
    except OSError:
        return []
    _FOLDERS[folder] = (changed, names)
    return names


def _policies_in_file(path: str) -> list[NetworkPolicy]:
    try:
        status = os.stat(path)
        cached = _FILES.get(path)
        if cached and cached[:2] == (status.st_mtime_ns, status.st_size):
            return cached[2]
        if status.st_size > MAX_INDEXED_FILE:
            return []
        text = Path(path).read_bytes().decode("utf-8").removeprefix("\ufeff")
    except (OSError, UnicodeDecodeError):
        return []  # the file is reported when it is linted itself
    found = _policies_in_text(path, text)
    _FILES[path] = (status.st_mtime_ns, status.st_size, found)
    return found


# What comes before the kind on every NetworkPolicy document's top-level kind line (the
# line ``peek_kind`` reads), and not in a schema or a description that only mentions the kind.
_BEFORE_POLICY_KIND = re.compile(r"""(?:kind|"kind"|'kind')[ \t]*:[ \t]+["']?""")


def _may_hold_policies(text: str) -> bool:
    at = text.find("NetworkPolicy")
    while at >= 0:
        if _BEFORE_POLICY_KIND.fullmatch(text, text.rfind("\n", 0, at) + 1, at):
            return True
        at = text.find("NetworkPolicy", at + 1)
    return False


def _policies_in_text(path: str, text: str) -> list[NetworkPolicy]:
    if not _may_hold_policies(text):
        return []  # most files: no need to split them
    found = []
    for doc in split_documents(SourceText(text), max_bytes=None):
        peeked = peek_document_kind(doc)
        if peeked is None or peeked[1] != "NetworkPolicy":
            continue
        try:
            root = compose_cached(doc).root
        except YamlError:
            continue
        if isinstance(root, YamlMapping):
            found.append(_policy(path, root))
    return found


def _policy(path: str, mapping: YamlMapping) -> NetworkPolicy:
    metadata = mapping_at(mapping, "metadata")
    name = text_of(metadata.get("name")) if metadata else None
    namespace = text_of(metadata.get("namespace")) if metadata else None
    return NetworkPolicy(path, name, namespace, node_at(mapping, "spec", "podSelector"))


def labels_of(node: YamlNode | None) -> dict[str, str]:
    """A ``labels`` mapping as strings (values that are not scalars are left out)."""
    if not isinstance(node, YamlMapping):
        return {}
    labels = {}
    for key, value in node.effective_pairs():
        key_text, value_text = text_of(key), text_of(value)
        if key_text is not None:
            labels[key_text] = value_text or ""
    return labels


# A label selector as read: its matchLabels, and its matchExpressions as (key, operator, values).
_Selector = tuple[dict[str, str], list[tuple[str | None, str, set[str | None]]]]
_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def _read_selector(selector: YamlNode | None) -> _Selector | None:
    """None for a selector that selects no pod: missing, or one we cannot read."""
    if selector is None or not isinstance(selector, YamlMapping):
        return None
    expressions = []
    for expression in items(selector.get("matchExpressions")):
        if not isinstance(expression, YamlMapping):
            return None
        key, operator = text_of(expression.get("key")), text_of(expression.get("operator"))
        if operator not in _OPERATORS:
            return None
        expressions.append((key, operator, {text_of(v) for v in items(expression.get("values"))}))
    return labels_of(selector.get("matchLabels")), expressions


def _satisfies(selector: _Selector, labels: dict[str, str]) -> bool:
    match_labels, expressions = selector
    for key, value in match_labels.items():
        if labels.get(key) != value:
            return False
    for key, operator, values in expressions:
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and key in labels and labels[key] in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True
