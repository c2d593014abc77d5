"""What rules produce: findings with optional fixes, and what a rule declares about itself."""
from __future__ import annotations

import enum
import dataclasses
from dataclasses import dataclass, field
from typing import Callable, Iterable

from hullguard.text import Span


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, name: str) -> "Severity":
        try:
            return cls[name.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {name!r} (expected info, warning or error)") from None

    @property
    def label(self) -> str:
        return self.name.lower()


class Applicability(enum.Enum):
    """ruff's meanings: safe fixes keep behaviour and are applied by ``--fix``; unsafe ones
    change behaviour and need ``--unsafe-fixes``; display-only ones are shown, never applied."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "display-only"


class Format(enum.Enum):
    DOCKERFILE = "dockerfile"
    COMPOSE = "compose"
    KUBERNETES = "kubernetes"


@dataclass(frozen=True)
class TextEdit:
    """Replace ``span`` of the file being fixed with ``new_text`` (an insertion when empty)."""

    span: Span
    new_text: str


@dataclass(frozen=True)
class FileEdit:
    """Create or change another file: write ``new_text`` after its current ``old_text``
    (None when the file does not exist yet). Used for ``.dockerignore``."""

    path: str
    old_text: str | None
    new_text: str


@dataclass(frozen=True)
class Fix:
    title: str
    applicability: Applicability
    edits: tuple[TextEdit, ...] = ()
    file_edits: tuple[FileEdit, ...] = ()


@dataclass
class Finding:
    code: str
    name: str
    severity: Severity
    message: str
    span: Span
    fixes: list[Fix] = field(default_factory=list)
    secret: bool = False  # the span holds a secret value: every output must redact it

    def moved(self, lines: int = 0) -> "Finding":
        """A copy ``lines`` lines down (its fixes' edits too), for findings kept between lints:
        each lint gets its own (the engine sets their severity)."""
        if not lines:
            return Finding(self.code, self.name, self.severity, self.message, self.span, list(self.fixes), self.secret)
        fixes = [dataclasses.replace(fix, edits=tuple(TextEdit(edit.span.moved(lines), edit.new_text) for edit in fix.edits)) for fix in self.fixes]
        return dataclasses.replace(self, span=self.span.moved(lines), fixes=fixes)

    def best_fix(self, allow_unsafe: bool) -> Fix | None:
        allowed = {Applicability.SAFE} | ({Applicability.UNSAFE} if allow_unsafe else set())
        return next((fix for fix in self.fixes if fix.applicability in allowed), None)


@dataclass(frozen=True)
class RuleDocs:
    what: str
    why: str
    example: str  # failing example, then the fixed one
    fix: str  # what the fix does and its safety
    peers: str = ""  # equivalents in hadolint, checkov, trivy, Pod Security Standards


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    docs: RuleDocs
    # One check per format the rule covers: check(document_model, context) -> findings.
    # Empty for the rules the engine reports itself (parse errors, unused suppressions).
    checks: dict[Format, Callable[..., Iterable[Finding]]] = field(default_factory=dict)
    enabled_by_default: bool = True
    hadolint: tuple[str, ...] = ()  # hadolint codes whose `# hadolint ignore=` we honour
    fix: Applicability | None = None  # the kind of fix its findings offer, if any
    # A regression rule: it compares the document with its earlier version (RuleContext.previous)
    # and reports nothing without one, so it runs only under ``check --since``.
    needs_previous: bool = False
    # Its Kubernetes check relates objects of different documents of a stream (or of other
    # files); the others judge each document on its own, which lets a long-lived process
    # re-check only the documents an edit changed (``engine.DocumentResults``).
    whole_stream: bool = False

    @property
    def formats(self) -> tuple[Format, ...]:
        return tuple(self.checks) or tuple(Format)

    def finding(self, span: Span, message: str, fixes: Iterable[Fix] = (), *, secret: bool = False) -> Finding:
        return Finding(self.code, self.name, self.severity, message, span, list(fixes), secret)
