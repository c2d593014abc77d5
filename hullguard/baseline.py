"""The baseline file (``check --write-baseline FILE``, ``check --baseline FILE``): today's
findings recorded so that later runs report only the ones added since.

Each finding is recorded by its stable identity (``hullguard.identity``): the file's path
relative to the baseline file's folder, the rule, the subject, the message with line
numbers taken out, and a fingerprint (a digest; a secret's value is never stored, only
slowly hashed, and its record says ``"secret": true``). The file is JSON, versioned, one finding per line, sorted, so that it
diffs well in review:

    {
      "version": 1,
      "findings": [
        {"path": "Dockerfile", "code": "HG101", "subject": "final stage USER", "message": "...", "fingerprint": "..."}
      ]
    }

A finding that occurs twice is recorded twice. Writing replaces the whole file (atomically)
with the findings of that run.
"""
from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from hullguard.fixer import write_atomically
from hullguard.identity import Identity, existing, identities_of

VERSION = 1
FIELDS = ("code", "subject", "message", "fingerprint")


class BaselineError(ValueError):
    """The baseline file cannot be read or is not one."""


@dataclass
class Baseline:
    folder: Path  # the baseline file's folder: recorded paths are relative to it
    findings: dict[str, list[Identity]] = field(default_factory=dict)  # by recorded path

    def states(self, result) -> list[str]:
        """For each finding of a lint result: "existing" if recorded, else "new"."""
        recorded = self.findings.get(_recorded_path(self.folder, result.document.path), [])
        flags = existing(recorded, identities_of(result.document, result.findings))
        return ["existing" if flag else "new" for flag in flags]


def _recorded_path(folder: Path, path: str) -> str:
    """``path`` (as the run names it) relative to ``folder``, with ``/`` separators."""
    return PurePosixPath(Path(os.path.relpath(os.path.abspath(path), os.path.abspath(folder)))).as_posix()


def write_baseline(path: Path, results) -> tuple[int, int]:
    """Record every finding of ``results`` in ``path``; returns (findings, files) counts."""
    folder = path.parent
    records = []
    for result in results:
        recorded = _recorded_path(folder, result.document.path)
        for identity in identities_of(result.document, result.findings):
            record = {"path": recorded, **{name: getattr(identity, name) for name in FIELDS}}
            if identity.secret:
                record["secret"] = True  # matched on its fingerprint only (see hullguard.identity)
            records.append(record)
    records.sort(key=lambda record: (record["path"], *(record[name] for name in FIELDS)))
    lines = ",\n".join("    " + json.dumps(record, ensure_ascii=False) for record in records)
    text = f'{{\n  "version": {VERSION},\n  "findings": [' + (f"\n{lines}\n  " if records else "") + "]\n}\n"
    write_atomically(path, text.encode("utf-8"))
    return len(records), len({record["path"] for record in records})


def read_baseline(path: Path) -> Baseline:
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"{path}: no such baseline file (create it with --write-baseline {path})") from None
    except OSError as error:
        raise BaselineError(f"{path}: cannot read: {error.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BaselineError(f"{path}: not a baseline file: {error}") from None
    if not isinstance(data, dict) or "version" not in data:
        raise BaselineError(f"{path}: not a baseline file (no version)")
    if data["version"] != VERSION:
        raise BaselineError(f"{path}: baseline version {data['version']!r} is not supported (this hullguard reads version {VERSION}; write it again with --write-baseline)")
    records = data.get("findings")
    if not isinstance(records, list):
        raise BaselineError(f"{path}: not a baseline file (no findings list)")
    findings: dict[str, list[Identity]] = defaultdict(list)
    for number, record in enumerate(records, 1):
        if not isinstance(record, dict) or not all(isinstance(record.get(name), str) for name in ("path",) + FIELDS):
            raise BaselineError(f"{path}: finding {number} is not a baseline record (needs path, {', '.join(FIELDS)})")
        findings[record["path"]].append(Identity(*(record[name] for name in FIELDS), record.get("secret") is True))
    return Baseline(path.parent, dict(findings))
