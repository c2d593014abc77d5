"""Pinning image references to digests: ``hullguard pin``, and what the HG202 fix and the
editor's quick fix call.

The references are the ones HG202 checks, found with the document models: Dockerfile
``FROM`` bases and ``COPY --from`` images (``rules._images``), compose services' ``image:``
and Kubernetes containers' ``image:`` (init and ephemeral containers too). Each is rewritten
to ``name:tag@sha256:…``, keeping the tag for readers and update bots (``:latest`` is written
out when no tag was). A digest comes from the lock cache (``digests.py``) or, when missing or
refreshing, from the image's registry (``registry.py``). Only literal references are
rewritten: one that uses a variable, quotes or escapes is reported as skipped.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from hullguard.compose import ComposeFile
from hullguard.config import Config, ConfigFinder, is_excluded
from hullguard.digests import DigestCache, DigestCacheError, lock_path
from hullguard.discovery import discover
from hullguard.dockerfile import Dockerfile, ImageRef
from hullguard.documents import Document, load_document
from hullguard.edits import apply_edits, replace
from hullguard.model import Applicability, Finding, Fix, TextEdit
from hullguard.registry import InvalidReference, Reference, RegistryClient, RegistryError, RegistrySettings
from hullguard.rules._images import external_images
from hullguard.text import Span
from hullguard.yamldoc import YamlScalar
from hullguard.yamledit import replace_scalar


@dataclass(frozen=True)
class ImageSite:
    """A pinnable image reference in a document."""

    span: Span  # the reference as written (a YAML scalar's quotes included)
    written: str  # its text (a YAML scalar's value)
    reference: Reference
    scalar: YamlScalar | None = None  # the YAML node, rewritten in its own quoting style

    def edit(self, new_text: str) -> TextEdit | None:
        """The edit writing ``new_text`` in place; None when the YAML scalar's style cannot hold it."""
        return replace_scalar(self.scalar, new_text) if self.scalar is not None else replace(self.span, new_text)


@dataclass(frozen=True)
class Skipped:
    span: Span
    written: str
    reason: str


def image_sites(document: Document) -> tuple[list[ImageSite], list[Skipped]]:
    """The document's image references that can be pinned, and those that cannot (why)."""
    sites: list[ImageSite] = []
    skipped: list[Skipped] = []
    model = document.model
    if model is None:
        return sites, skipped
    if isinstance(model, Dockerfile):
        for found in external_images(model):
            written = document.source.slice(found.span)
            if "$" in written:
                skipped.append(Skipped(found.span, written, "set by a build argument; pin the argument's default instead"))
            elif ImageRef.parse(written) != found.image:
                skipped.append(Skipped(found.span, written, "written with quotes or escapes"))
            else:
                _add(sites, skipped, found.span, written, None)
        return sites, skipped
    seen: set[int] = set()  # a node reached twice (a `<<` merge, an alias) is one site
    for scalar in _yaml_image_scalars(document):
        if id(scalar) in seen:
            continue
        seen.add(id(scalar))
        if "$" in scalar.value:
            skipped.append(Skipped(scalar.span, scalar.value, "uses a variable"))
        else:
            _add(sites, skipped, scalar.span, scalar.value, scalar)
    return sites, skipped


def _yaml_image_scalars(document: Document):
    model = document.model
    if isinstance(model, ComposeFile):
        nodes = (service.mapping.get("image") for service in model.services if service.mapping is not None)
    else:
        nodes = (container.mapping.get("image") for obj in model.workloads for container in obj.pod.containers)
    for node in nodes:
        if isinstance(node, YamlScalar) and not node.is_null and node.value:
            yield node


def _add(sites: list[ImageSite], skipped: list[Skipped], span: Span, written: str, scalar: YamlScalar | None) -> None:
    try:
        sites.append(ImageSite(span, written, Reference.parse(written), scalar))
    except InvalidReference as error:
        skipped.append(Skipped(span, written, str(error)))


def pinned_reference(written: str, digest: str) -> str:
    """``written`` pinned to ``digest``: the tag kept (``:latest`` written out when there is
    none), an existing digest replaced. ``nginx`` -> ``nginx:latest@sha256:…``."""
    name = written.partition("@")[0]
    if name.rfind(":") <= name.rfind("/") and "@" not in written:
        name += ":latest"
    return f"{name}@{digest}"


def registry_settings(config: Config) -> RegistrySettings:
    return RegistrySettings(
        insecure_registries=config.insecure_registries,
        timeout=config.registry_timeout,
        credential_helpers=config.registry_credential_helpers,
    )


class Pinner:
    """Digests for references: the lock cache first, the registry when the cache has none
    (or for every reference, with ``refresh``); with ``offline`` never the registry (and a
    refresh reads what the lock cache has). One per
    run (or per language-server session): each reference is resolved at most once, and the
    lock caches (one per project root) are written by ``save``."""

    def __init__(self, *, refresh: bool = False, offline: bool = False, client_for: Callable[[RegistrySettings], RegistryClient] = RegistryClient):
        self.refresh = refresh
        self.offline = offline
        self._client_for = client_for
        self._clients: dict[RegistrySettings, RegistryClient] = {}
        self._caches: dict[Path, DigestCache] = {}
        self._done: dict[tuple[Path, str], str | RegistryError] = {}

    def cache_for(self, config: Config) -> DigestCache:
        """The lock cache beside ``config``'s file (else in the current folder); DigestCacheError."""
        path = lock_path(config.root).absolute()
        if path not in self._caches:
            self._caches[path] = DigestCache.load(path)
        return self._caches[path]

    def cached(self, reference: Reference, config: Config) -> str | None:
        """The lock cache's digest for ``reference``'s tag, without the network."""
        entry = self.cache_for(config).get(reference.tagged)
        return entry.digest if entry else None

    def digest(self, reference: Reference, config: Config) -> str:
        """The digest of ``reference``'s tag; RegistryError (or DigestCacheError) when it
        cannot be had. Blocks on the network when it resolves: run it off the UI thread."""
        cache = self.cache_for(config)
        key = (cache.path, reference.tagged)
        done = self._done.get(key)
        if isinstance(done, RegistryError):
            raise done
        if done is not None:
            return done
        entry = cache.get(reference.tagged)
        if entry is not None and (not self.refresh or self.offline):
            return entry.digest
        if self.offline:
            raise RegistryError(f"not in the lock cache {cache.path} (`hullguard pin` resolves it)", "not-cached")
        settings = registry_settings(config)
        client = self._clients.setdefault(settings, self._client_for(settings))
        try:
            digest = client.resolve(reference)
        except RegistryError as error:
            self._done[key] = error
            raise
        cache.record(reference.tagged, digest)
        self._done[key] = digest
        return digest

    def pinned(self, written: str, config: Config) -> str:
        """``written`` (a reference as a file writes it) pinned: what the HG202 fix writes.
        InvalidReference, RegistryError, DigestCacheError."""
        return pinned_reference(written, self.digest(Reference.parse(written), config))

    def save(self) -> list[Path]:
        """Write the lock caches that changed; their paths."""
        return [path for path, cache in self._caches.items() if cache.save()]


@dataclass
class PinPlan:
    """What pinning a document does: its edits, and the references changed, skipped or failed."""

    edits: list[TextEdit] = field(default_factory=list)
    changes: list[tuple[ImageSite, str]] = field(default_factory=list)  # (site, new text)
    skipped: list[Skipped] = field(default_factory=list)
    failures: list[tuple[ImageSite, str]] = field(default_factory=list)  # (site, one-line error)


def plan_pins(document: Document, pinner: Pinner, config: Config) -> PinPlan:
    """Resolve the document's references and build the edits. Pinned references (with a
    digest) are left alone unless the pinner refreshes; a digest without a tag has nothing
    to refresh from."""
    sites, skipped = image_sites(document)
    plan = PinPlan(skipped=skipped)
    for site in sites:
        if site.reference.digest is not None and (not pinner.refresh or site.reference.tag is None):
            continue
        try:
            rewrite = _rewrite(site, pinner, config)
        except (RegistryError, DigestCacheError) as error:
            plan.failures.append((site, str(error)))
            continue
        if rewrite is None:
            continue
        new_text, edit = rewrite
        if edit is None:
            plan.skipped.append(Skipped(site.span, site.written, UNWRITABLE))
            continue
        plan.edits.append(edit)
        plan.changes.append((site, new_text))
    return plan


UNWRITABLE = "written in a YAML style hullguard does not rewrite (a block scalar, escapes or a tag)"


def _rewrite(site: ImageSite, pinner: Pinner, config: Config) -> tuple[str, TextEdit | None] | None:
    """The site's pinned text and its edit (None: the YAML style cannot hold it); None when
    pinning changes nothing."""
    new_text = pinned_reference(site.written, pinner.digest(site.reference, config))
    return None if new_text == site.written else (new_text, site.edit(new_text))


def pin_fix(document: Document, span: Span, pinner: Pinner, config: Config) -> Fix | None:
    """The fix for an HG202 finding at ``span``: the reference there pinned to its tag's
    digest, a safe fix (it names the very image the tag gives today). None when no pinnable
    reference is there or nothing would change; RegistryError (DigestCacheError) when the
    digest cannot be had, which with an offline pinner means it is not in the lock cache."""
    sites, _ = image_sites(document)
    site = next((s for s in sites if s.span.start <= span.start and span.end <= s.span.end), None)
    if site is None or site.reference.tag is None:
        return None
    rewrite = _rewrite(site, pinner, config)
    if rewrite is None or rewrite[1] is None:
        return None
    new_text, edit = rewrite
    return Fix(f"Pin to digest ({new_text.rpartition('@')[2]})", Applicability.SAFE, (edit,))


def attach_pin_fixes(document: Document, findings: list[Finding], pinner: Pinner, config: Config) -> list[tuple[Finding, str]]:
    """Give each HG202 finding without a fix the pinning fix (``pin_fix``), for ``check --fix``
    with ``resolve-digests = true``; the findings whose digest could not be had, with why."""
    failed = []
    for finding in findings:
        if finding.code != "HG202" or finding.fixes:
            continue
        try:
            fix = pin_fix(document, finding.span, pinner, config)
        except (RegistryError, DigestCacheError) as error:
            failed.append((finding, str(error)))
            continue
        if fix is not None:
            finding.fixes.append(fix)
    return failed


# --- `hullguard pin` ---------------------------------------------------------------------------


def _where(path: str, span: Span) -> str:
    return f"{path}:{span.start.line + 1}:{span.start.column + 1}"


def pin_command(args) -> int:
    """``hullguard pin [PATHS…] [--refresh] [--diff]``: exit 0 done, 1 (``--diff``) changes
    to show, 2 a reference could not be resolved or a file not written."""
    from hullguard.cli import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, UsageError, _unified_diff
    from hullguard.fixer import write_atomically
    from hullguard.rules import ALL_RULES

    if "-" in args.paths:
        raise UsageError("pin rewrites files; it cannot read standard input")
    finder = ConfigFinder(ALL_RULES, explicit=args.config)
    pinner = Pinner(refresh=args.refresh)
    files, errors = discover(args.paths)
    out, diffs, changed_files, changed_refs = [], [], 0, 0
    for path, document_format in files:
        config = finder.for_file(path)
        if is_excluded(config, path):
            continue
        try:
            data = path.read_bytes()
        except OSError as error:
            errors.append(f"{path}: cannot read: {error.strerror}")
            continue
        document = load_document(str(path), data, document_format, max_bytes=config.max_file_size)
        if document.model is None:
            print(f"hullguard: warning: {path}: not pinned: {document.error}", file=sys.stderr)
            continue
        plan = plan_pins(document, pinner, config)
        for skipped in plan.skipped:
            print(f"hullguard: warning: {_where(str(path), skipped.span)}: not pinned '{skipped.written}': {skipped.reason}", file=sys.stderr)
        errors.extend(f"{_where(str(path), site.span)}: cannot pin '{site.written}': {message}" for site, message in plan.failures)
        if not plan.edits:
            continue
        new_text = apply_edits(document.source, plan.edits)
        fixed = load_document(str(path), ("\ufeff" if document.source.has_bom else "") + new_text, document.format, max_bytes=config.max_file_size)
        if fixed.model is None or len(getattr(fixed.model, "problems", ())) > len(getattr(document.model, "problems", ())):
            errors.append(f"{path}: pinning would break the file; nothing written")
            continue
        changed_files += 1
        changed_refs += len(plan.changes)
        if args.diff:
            diffs.append(_unified_diff(document.source.text, new_text, str(path)))
            continue
        write_atomically(path, fixed.source.to_bytes())
        out.extend(f"{_where(str(path), site.span)}: {site.written} -> {new_text_}\n" for site, new_text_ in plan.changes)
    if args.diff:
        sys.stdout.write("".join(diffs))
    else:
        pinner.save()
        verb = "updated" if args.refresh else "pinned"
        summary = f"{verb} {changed_refs} image reference{'s' if changed_refs != 1 else ''} in {changed_files} file{'s' if changed_files != 1 else ''}\n" if changed_refs else "nothing to change\n"
        sys.stdout.write("".join(out) + summary)
    for error in errors:
        print(f"hullguard: error: {error}", file=sys.stderr)
    if errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if args.diff and diffs else EXIT_CLEAN
