"""What a finding is about, independent of where the file puts it: the stable identity that
``check --since`` and the baseline file match findings by, so that an edit elsewhere in a
file (lines added above, a stage inserted before) does not make an old finding look new.

An identity has four parts:

- ``code``: the rule.
- ``subject``: what the finding is about, from the finding's span and the document model
  (rules need not say): in a Dockerfile, the stage (``final stage``, ``stage 'build'``,
  ``stage 2`` for an unnamed stage that is not the last, ``global`` before the first FROM)
  and the keyword of the instruction the span is in (``final stage USER``); in a compose
  file, the service and the key path inside it (``service 'web' ports[]``); in a Kubernetes
  manifest, the object (``Deployment shop/web``), the container if the span is in one
  (``container 'app'``) and the key path (``securityContext.runAsUser``). Sequence items
  are ``[]``: their position is not part of the identity. What is in no stage, service or
  object (a comment, a broken document) has the subject ``file``.
- ``message``: the finding's message with line numbers replaced (``line N``,
  ``(api/Dockerfile:N)``), since they move when the file is edited; for a secret, without
  the first characters of the value that messages show (``AKIA…****`` becomes ``****``).
- ``fingerprint``: a digest of the finding's own text: in a Dockerfile, the instruction it
  is in (continuations joined, whitespace collapsed; only the keys of ENV and ARG, never
  their values); in YAML, the key path and the text of its span. It tells apart findings
  with the same subject and message (two ``curl | sh`` RUNs of one stage). A secret's
  finding has the digest of its value instead, made with a slow, salted key-derivation
  function, so that the baseline file, which stores fingerprints, holds neither a secret
  nor a cheap way to guess a short one.

Matching (``existing``) pairs identities in two passes: first on all four parts, then on
code, subject and message alone, so an edited instruction keeps its old findings matched
while an added one that repeats an old finding is still new. A secret's finding matches only
on all four parts: a different value where an old secret was is a new secret. Each old
identity matches at most one new one.
"""
from __future__ import annotations

import bisect
import functools
import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Sequence

from hullguard.compose import ComposeFile, Service
from hullguard.dockerfile import Dockerfile, Instruction, Stage
from hullguard.kubernetes import Container, KubeObject, KubernetesFile
from hullguard.model import Finding
from hullguard.text import SourceText, Span
from hullguard.yamldoc import YamlMapping, YamlNode, YamlScalar, YamlSequence

FILE = "file"
_VALUE_KEYWORDS = frozenset({"ENV", "ARG"})  # their values may be secrets: only keys enter a fingerprint
_SECRET_ITERATIONS = 100_000  # PBKDF2-SHA256 rounds for a secret's fingerprint


@dataclass(frozen=True)
class Subject:
    """What a finding is about: an owner (a stage, a service, an object or one of its
    containers; ``file`` for none) and where inside it (an instruction keyword, a key path)."""

    owner: str
    path: str = ""

    def __str__(self) -> str:
        return f"{self.owner} {self.path}" if self.path else self.owner


@dataclass(frozen=True)
class Identity:
    code: str
    subject: str
    message: str
    fingerprint: str
    secret: bool = False  # a secret's finding: the value is what it is about

    @property
    def loose(self) -> tuple[str, ...]:
        """What the second matching pass compares: all but the fingerprint, except for a
        secret, where another value is another secret (a new finding)."""
        return (self.code, self.subject, self.message) + ((self.fingerprint,) if self.secret else ())


# --- owners and subjects: the regression rules pair old and new things by them too ---------


def stage_owner(dockerfile: Dockerfile, stage: Stage | None) -> str:
    """``stage 'build'`` (names compare case-insensitively, as Docker's do), ``final stage``
    for an unnamed last stage (so inserting a builder stage before it changes nothing), else
    ``stage N``; ``global`` for what comes before the first FROM."""
    if stage is None:
        return "global"
    if stage.name:
        return f"stage '{stage.name.lower()}'"
    return "final stage" if stage is dockerfile.stages[-1] else f"stage {stage.index}"


def service_owner(service: Service) -> str:
    return service.label


def object_owner(obj: KubeObject) -> str:
    """``Deployment shop/web`` (``Deployment /web`` without a namespace)."""
    return f"{obj.kind} {obj.namespace or ''}/{obj.name or ''}"


def container_owner(obj: KubeObject, container: Container) -> str:
    return f"{object_owner(obj)} {container.label}"


class Locator:
    """Finds what spans of one parsed document are about (see the module's docs)."""

    def __init__(self, model):
        self.model = model
        if isinstance(model, Dockerfile):
            self._starts = [instruction.start_line for instruction in model.instructions]

    def instruction_at(self, span: Span) -> Instruction | None:
        """The Dockerfile instruction whose lines hold the start of ``span``."""
        index = bisect.bisect_right(self._starts, span.start.line) - 1
        if index < 0:
            return None
        instruction = self.model.instructions[index]
        return instruction if span.start.line <= instruction.end_line else None

    def subject(self, span: Span) -> Subject:
        model = self.model
        if isinstance(model, Dockerfile):
            instruction = self.instruction_at(span)
            if instruction is None:
                return Subject(FILE)
            return Subject(stage_owner(model, instruction.stage), instruction.keyword)
        if isinstance(model, ComposeFile):
            for service in model.services:
                if _within(span, service.key.span):
                    return Subject(service_owner(service))
                if service.mapping is not None and _within(span, service.mapping.span):
                    return Subject(service_owner(service), _path(service.mapping, span))
            return Subject(FILE, _document_path(model, span))
        if isinstance(model, KubernetesFile):
            for obj in model.objects:
                if not _within(span, obj.mapping.span):
                    continue
                for container in obj.pod.containers if obj.pod is not None else ():
                    if _within(span, container.mapping.span):
                        return Subject(container_owner(obj, container), _path(container.mapping, span))
                return Subject(object_owner(obj), _path(obj.mapping, span))
            return Subject(FILE, _document_path(model, span))
        return Subject(FILE)


def _within(span: Span, outer: Span) -> bool:
    return outer.start <= span.start and span.end <= outer.end


def _path(node: YamlNode, span: Span) -> str:
    """The keys from ``node`` down to the innermost node holding ``span``; ``[]`` for an item."""
    parts: list[str] = []
    while isinstance(node, (YamlMapping, YamlSequence)):
        if isinstance(node, YamlMapping):
            inner = None
            for key, value in node.pairs:
                if _within(span, key.span):
                    parts.append(_key_text(key))
                    break
                if _within(span, value.span):
                    parts.append(_key_text(key))
                    inner = value
                    break
        else:
            inner = next((item for item in node.items if _within(span, item.span)), None)
            if inner is not None:
                parts.append("[]")
        if inner is None:
            break
        node = inner
    return ".".join(parts).replace(".[]", "[]")


def _key_text(key: YamlNode) -> str:
    return key.value if isinstance(key, YamlScalar) else "?"


def _document_path(model, span: Span) -> str:
    for document in model.documents:
        root = document.root
        if root is not None and _within(span, root.span):
            return _path(root, span)
    return ""


# --- identities --------------------------------------------------------------------------

_LINE = re.compile(r"\b(line|column) \d+\b")
_LOCATION = re.compile(r"(Dockerfile\b[^()]*\([^()\s]+):\d+\)")  # "its Dockerfile (api/Dockerfile:12)"
_REDACTED = re.compile(r".{4}…\*{4}", re.S)  # hullguard.redact's "AKIA…****": the 4 characters are the secret's


def normalise_message(message: str) -> str:
    """The message without the line numbers it may cite."""
    return _LOCATION.sub(r"\1:N)", _LINE.sub(r"\1 N", message))


def identity_of(locator: Locator, source: SourceText | None, finding: Finding) -> Identity:
    """The identity of ``finding`` in a document: ``locator`` over its parsed model
    (``Locator(None)`` for a document that did not parse), ``source`` its text."""
    subject = locator.subject(finding.span)
    span_text = _span_text(source, finding.span)
    if finding.secret:
        fingerprint = _secret_digest(f"{finding.code}\0{subject}\0{span_text}")
    else:
        if isinstance(locator.model, Dockerfile):
            text = _instruction_text(locator.instruction_at(finding.span))
        else:
            text = f"{subject.path}\0{' '.join(span_text.split())}"
        fingerprint = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    message = normalise_message(finding.message)
    if finding.secret:
        message = _REDACTED.sub("****", message)  # not even the first characters are stored
    return Identity(finding.code, str(subject), message, fingerprint, finding.secret)


def identities_of(document, findings: Iterable[Finding]) -> list[Identity]:
    """The identities of a document's findings (``document``: a hullguard Document)."""
    locator = Locator(document.model)
    return [identity_of(locator, document.source, finding) for finding in findings]


def _span_text(source: SourceText | None, span: Span) -> str:
    if source is None:
        return ""
    try:
        return source.slice(span)
    except IndexError:
        return ""


def _instruction_text(instruction: Instruction | None) -> str:
    if instruction is None:
        return ""
    if instruction.keyword in _VALUE_KEYWORDS:
        return " ".join([instruction.keyword] + [pair.key for pair in instruction.key_values])
    return " ".join(instruction.text.split())


@functools.lru_cache(maxsize=256)  # the same secret is seen at REF and now
def _secret_digest(text: str) -> str:
    salt = b"hullguard-baseline-secret"
    return hashlib.pbkdf2_hmac("sha256", text.encode("utf-8", "surrogatepass"), salt, _SECRET_ITERATIONS).hex()[:16]


def existing(previous: Iterable[Identity], current: Sequence[Identity]) -> list[bool]:
    """For each of ``current``, whether it matches one of ``previous`` (each of those at
    most once): on the whole identity first, then on code, subject and message."""
    previous = list(previous)
    strict = Counter(previous)
    loose = Counter(identity.loose for identity in previous)
    matched = [False] * len(current)
    for index, identity in enumerate(current):
        if strict[identity] > 0:
            strict[identity] -= 1
            loose[identity.loose] -= 1
            matched[index] = True
    for index, identity in enumerate(current):
        if not matched[index] and loose[identity.loose] > 0:
            loose[identity.loose] -= 1
            matched[index] = True
    return matched
