"""The lock cache: ``.hullguard/digests.json`` records which digest each image reference
resolved to, so pinning is reproducible and works offline after the first resolution.

It lives beside the nearest config file (else in the current folder) and may be committed::

    {
      "docker.io/library/nginx:1.27": {
        "digest": "sha256:…",
        "resolved_at": "2026-05-01T12:00:00Z"
      }
    }

Keys are normalised references (``registry/repository:tag``, see ``registry.Reference``);
``resolved_at`` is when the digest was first recorded for the reference, so the file changes
only when a digest does. It is written atomically with sorted keys, to diff well.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from hullguard.fixer import write_atomically
from hullguard.registry import DIGEST

LOCK_FOLDER = ".hullguard"
LOCK_NAME = "digests.json"


class DigestCacheError(ValueError):
    """The lock cache file exists but is not one hullguard wrote."""


def lock_path(root: Path) -> Path:
    """The lock cache of a project whose config file (or, without one, current folder) is ``root``."""
    return root / LOCK_FOLDER / LOCK_NAME


@dataclass(frozen=True)
class LockEntry:
    digest: str
    resolved_at: str  # ISO 8601, UTC, seconds: 2026-05-01T12:00:00Z


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class DigestCache:
    def __init__(self, path: Path, entries: dict[str, LockEntry] | None = None):
        self.path = path
        self.entries: dict[str, LockEntry] = dict(entries or {})
        self.changed = False

    @classmethod
    def load(cls, path: Path) -> "DigestCache":
        """The cache at ``path``; empty when the file does not exist."""
        try:
            data = json.loads(path.read_bytes())
        except FileNotFoundError:
            return cls(path)
        except OSError as error:
            raise DigestCacheError(f"{path}: cannot read the lock cache: {error.strerror}") from None
        except ValueError as error:
            raise DigestCacheError(f"{path}: the lock cache is not valid JSON ({error}); fix or delete it") from None
        if not isinstance(data, dict):
            raise DigestCacheError(f"{path}: the lock cache must be a JSON object of reference: {{digest, resolved_at}}")
        entries = {}
        for key, value in data.items():
            if not (isinstance(value, dict) and isinstance(value.get("digest"), str) and DIGEST.fullmatch(value["digest"]) and isinstance(value.get("resolved_at"), str)):
                raise DigestCacheError(f"{path}: entry {key!r} must be {{\"digest\": \"sha256:<64 hex>\", \"resolved_at\": \"<time>\"}}")
            entries[key] = LockEntry(value["digest"], value["resolved_at"])
        return cls(path, entries)

    def get(self, key: str) -> LockEntry | None:
        return self.entries.get(key)

    def record(self, key: str, digest: str, when: str | None = None) -> bool:
        """Record ``key`` -> ``digest``; True when that changed the cache."""
        current = self.entries.get(key)
        if current is not None and current.digest == digest:
            return False
        self.entries[key] = LockEntry(digest, when or _now())
        self.changed = True
        return True

    def to_json(self) -> str:
        data = {key: {"digest": entry.digest, "resolved_at": entry.resolved_at} for key, entry in self.entries.items()}
        return json.dumps(data, indent=2, sort_keys=True) + "\n"

    def save(self) -> bool:
        """Write the cache if it changed (creating ``.hullguard/``); True when written."""
        if not self.changed:
            return False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self.path, self.to_json().encode("utf-8"))
        self.changed = False
        return True
