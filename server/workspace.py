"""What the server knows between requests: the open files, the settings of each workspace
folder with its project index, and which files depend on which. Linting itself
(``run_lint``) is a plain function of a snapshot, run on the worker thread."""
from __future__ import annotations

import dataclasses
import logging
import os
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from hullguard.config import CONFIG_FILES, Config, ConfigError, ConfigFinder, is_excluded, selector_matches
from hullguard.context import PSS_LEVELS
from hullguard.documents import Document, detect_format, load_document
from hullguard.engine import DocumentResults, LintResult, lint_document
from hullguard.model import Format
from hullguard.project import ProjectIndex
from hullguard.rules import ALL_RULES
from hullguard.text import BOM, SourceText
from hullguard.yamldoc import YamlMapping, YamlNode, YamlSequence

from hullguard.server.protocol import TextBuffer

logger = logging.getLogger(__name__)

RUN_MODES = ("onType", "onSave")
LANGUAGE_FORMATS = {"dockerfile": Format.DOCKERFILE, "dockercompose": Format.COMPOSE}


@dataclass(frozen=True)
class Settings:
    """The editor's settings (section ``hullguard``). They act like the CLI's options on
    top of the project's config file: ``select`` replaces its selection, ``extendSelect``
    and ``ignore`` add to it, ``pssLevel`` replaces its level."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    unsafe_fixes: bool = False
    pss_level: str | None = None
    run: str = "onType"

    @classmethod
    def parse(cls, raw) -> tuple["Settings", list[str]]:
        """The settings in ``raw`` and what was wrong with it (those values are left out)."""
        problems: list[str] = []
        if raw is None:
            return cls(), problems
        if not isinstance(raw, dict):
            return cls(), [f"settings must be an object, not {type(raw).__name__}"]
        values: dict = {}
        for key, value in raw.items():
            if key in ("select", "extendSelect", "ignore"):
                selectors = _selectors(value, key, problems)
                if selectors is not None:
                    values[{"extendSelect": "extend_select"}.get(key, key)] = selectors
            elif key == "unsafeFixes" and isinstance(value, bool):
                values["unsafe_fixes"] = value
            elif key == "pssLevel" and (value in PSS_LEVELS or value is None):
                values["pss_level"] = value
            elif key == "run" and value in RUN_MODES:
                values["run"] = value
            else:
                problems.append(f"ignoring setting {key}={value!r}" + ("" if key in ("unsafeFixes", "pssLevel", "run") else " (unknown setting)"))
        return cls(**values), problems

    def config(self, base: Config) -> Config:
        return base.with_cli(self.select, self.extend_select, self.ignore, self.pss_level)


def _selectors(value, key: str, problems: list[str]) -> tuple[str, ...] | None:
    if isinstance(value, str):
        value = [item.strip() for item in value.split(",") if item.strip()]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        problems.append(f"ignoring setting {key}: expected a list of rule codes or names")
        return None
    unknown = [s for s in value if not any(selector_matches(s, rule) for rule in ALL_RULES)]
    if unknown:
        problems.append(f"setting {key}: unknown rule code or name {', '.join(map(repr, unknown))} left out")
    return tuple(s for s in value if s not in unknown)


def raw_settings(options) -> dict | None:
    """Settings given as ``{"hullguard": {...}}`` or as the section itself."""
    if isinstance(options, dict) and isinstance(options.get("hullguard"), dict):
        return options["hullguard"]
    return options if isinstance(options, dict) else None


@dataclass
class Folder:
    """A workspace folder: its settings and its project index (cross-file facts)."""

    root: str | None  # None: files outside every folder
    uri: str | None
    raw: dict = field(default_factory=dict)
    settings: Settings = field(default_factory=Settings)
    project: ProjectIndex = field(default_factory=ProjectIndex)


@dataclass
class Outcome:
    """A lint of one version of a file: what to publish, and what it was computed from."""

    version: int | None
    source: SourceText  # the text the positions refer to
    result: LintResult | None = None
    document: Document | None = None
    error: str | None = None  # no findings: the config is broken or hullguard failed
    policies: tuple = ()  # the file's NetworkPolicies (``policy_signature``)
    policies_before: tuple = ()  # what the project index had for the file before (from disk, at first)

    @property
    def dependencies(self) -> set[str]:
        return self.result.dependencies if self.result else set()

    @property
    def has_model(self) -> bool:
        """Whether the parsed file is still here (code actions and hover need it)."""
        return self.result is None or self.document is not None

    def without_model(self) -> "Outcome":
        """The lint without the parsed file, which takes many times the text's memory:
        what was published stays, the rest is parsed again when asked for."""
        if self.document is None:
            return self
        result = dataclasses.replace(self.result, document=self.document.without_content()) if self.result else None
        return dataclasses.replace(self, document=None, result=result)


@dataclass
class OpenFile:
    uri: str
    path: str | None  # normalised absolute path; None for an unsaved (untitled) buffer
    format: Format | None  # None: not a file hullguard lints (a .dockerignore buffer, say)
    version: int | None
    buffer: TextBuffer  # its text, as the client has it
    outcome: Outcome | None = None  # the latest lint
    policies: tuple | None = None  # its NetworkPolicies as the other open manifests were last linted with

    @property
    def text(self) -> str:
        return self.buffer.text


def file_format(path: str | None, language_id: str | None) -> Format | None:
    if path is not None:
        found = detect_format(path)
        if found is not None:
            return found
    if path is None and language_id == "yaml":
        return Format.KUBERNETES  # the content tells compose from Kubernetes
    return LANGUAGE_FORMATS.get(language_id or "")


def is_config_file(path: str | None) -> bool:
    return path is not None and os.path.basename(path) in CONFIG_FILES


@dataclass(frozen=True)
class LintJob:
    """A snapshot of everything a lint reads, taken on the event loop."""

    path: str | None
    text: str
    version: int | None
    format: Format
    settings: Settings
    overrides: dict  # path -> text of the other open buffers
    project: ProjectIndex
    finder: ConfigFinder
    results: DocumentResults


def job_config(job: LintJob) -> Config:
    """The project's config for the file with the editor's settings on top; ConfigError."""
    return job.settings.config(job.finder.for_file(Path(job.path) if job.path else None))


def load(job: LintJob, config: Config) -> Document:
    return load_document(job.path or "-", job.text, job.format, max_bytes=config.max_file_size)


def run_lint(job: LintJob) -> Outcome:
    """Lint a snapshot; never raises (a failure becomes the outcome's ``error``)."""
    try:
        config = job_config(job)
    except ConfigError as error:
        return Outcome(job.version, _source(job), error=f"hullguard configuration error: {error}")
    try:
        if job.path is not None and is_excluded(config, Path(job.path)):
            return Outcome(job.version, _source(job))  # excluded: nothing to report
        document = load(job, config)
        before = after = ()
        if document.format is Format.KUBERNETES and document.model is not None and job.path is not None:
            job.project.policies_near(job.path)  # the folder indexed first, so that "before" is the file on disk
            before = policy_signature(job.project, job.path)
            job.project.add_file(job.path, document.model)  # the buffer's policies, for the other files
            after = policy_signature(job.project, job.path)
        result = lint_document(document, config, file_overrides=job.overrides, project=job.project, results=job.results)
    except Exception as error:  # a bug of ours must not take the server down
        logger.exception("linting %s failed", job.path)
        return Outcome(job.version, _source(job), error=f"hullguard internal error: {type(error).__name__}: {error} (please report)")
    return Outcome(job.version, document.source or _source(job), result, document, policies=after, policies_before=before)


def _source(job: LintJob) -> SourceText:
    """The text as positions see it, for a file that has no parsed source."""
    return SourceText(job.text.removeprefix(BOM), has_bom=job.text.startswith(BOM))


def policy_signature(project: ProjectIndex, path: str) -> tuple:
    """What other files' HG404 findings read from this file: its NetworkPolicies' names,
    namespaces and pod selectors (as values, so the text on disk and an editor's buffer
    compare equal when they say the same)."""
    return tuple((p.name, p.namespace, _value(p.pod_selector)) for p in project.policies.get(os.path.normpath(path), []))


def _value(node: YamlNode | None):
    if isinstance(node, YamlMapping):
        return tuple((_value(key), _value(value)) for key, value in node.pairs)
    if isinstance(node, YamlSequence):
        return tuple(_value(item) for item in node.items)
    return None if node is None else (node.tag, node.value)


def reindex_from_disk(project: ProjectIndex, path: str) -> tuple:
    """Index a Kubernetes file as it is on disk (changed, created, deleted, or closed in
    the editor); its new policy signature. Only files of folders HG404 already looked
    at: the others are read when a manifest beside them is linted. Runs on the worker."""
    key = os.path.normpath(path)
    folder = os.path.dirname(key)
    if key not in project.policies and not any(os.path.dirname(known) == folder for known in project.policies):
        return ()
    try:
        data = Path(key).read_bytes()
    except OSError:
        project.policies.pop(key, None)
        return ()
    document = load_document(key, data, Format.KUBERNETES)
    if document.format is not Format.KUBERNETES or document.model is None:
        project.policies.pop(key, None)
        return ()
    project.add_file(key, document.model)
    return policy_signature(project, key)


MODELS_KEPT = 32  # open files whose parsed model is kept, the most recently linted or used


class State:
    """The open files and workspace folders; touched only on the event loop."""

    def __init__(self):
        self.with_model: OrderedDict[str, OpenFile] = OrderedDict()  # by uri, least recent first
        self.files: dict[str, OpenFile] = {}
        self.outside = Folder(None, None)
        self.folders: list[Folder] = []
        self.initial: dict = {}  # initializationOptions' settings, the base of every folder's
        self.finder = ConfigFinder(ALL_RULES)
        self.disk_policies: dict[str, tuple] = {}  # policy signatures of files indexed from disk
        self.results = DocumentResults()  # per document of the open YAML streams, for re-lints

    def set_folders(self, folders: list[tuple[str, str]]) -> None:
        """(uri, path) pairs; folders already known keep their settings and index."""
        known = {folder.uri: folder for folder in self.folders}
        self.folders = [known.get(uri) or self._folder(path, uri) for uri, path in folders]

    def _folder(self, root: str, uri: str) -> Folder:
        folder = Folder(os.path.normpath(root), uri)
        self.apply_settings(folder, None)
        return folder

    def apply_settings(self, folder: Folder, raw: dict | None) -> list[str]:
        """The folder's settings: the initial ones, updated by ``raw``; the problems."""
        folder.raw = {**self.initial, **(raw or {})}
        folder.settings, problems = Settings.parse(folder.raw)
        return problems

    def all_folders(self) -> list[Folder]:
        return [*self.folders, self.outside]

    def folder_for(self, path: str | None) -> Folder:
        if path is None:
            return self.outside
        inside = [f for f in self.folders if f.root and (path == f.root or path.startswith(f.root.rstrip(os.sep) + os.sep))]
        return max(inside, key=lambda f: len(f.root), default=self.outside)

    def reset_config(self) -> None:
        """A config file changed: read them again."""
        self.finder = ConfigFinder(ALL_RULES)

    def job(self, file: OpenFile) -> LintJob:
        folder = self.folder_for(file.path)
        overrides = {f.path: f.text for f in self.files.values() if f.path is not None and f is not file}
        return LintJob(file.path, file.text, file.version, file.format, folder.settings, overrides, folder.project, self.finder, self.results)

    def keep_model(self, file: OpenFile) -> None:
        """``file`` was just linted or used: keep its model; drop the least recently used
        files' models beyond MODELS_KEPT (a workspace may have thousands of files open)."""
        self.with_model[file.uri] = file
        self.with_model.move_to_end(file.uri)
        while len(self.with_model) > MODELS_KEPT:
            _, oldest = self.with_model.popitem(last=False)
            if oldest.outcome is not None:
                oldest.outcome = oldest.outcome.without_model()

    def forget(self, file: OpenFile) -> None:
        self.with_model.pop(file.uri, None)

    def by_path(self, path: str) -> OpenFile | None:
        return next((f for f in self.files.values() if f.path == path), None)

    def linted(self) -> list[OpenFile]:
        return [f for f in self.files.values() if f.format is not None]

    def dependants(self, path: str) -> list[OpenFile]:
        """Open files whose latest findings were computed from ``path``."""
        return [f for f in self.linted() if f.outcome is not None and path in f.outcome.dependencies]
