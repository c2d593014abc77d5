"""Finding the files to lint: walk folders, honour .gitignore, detect formats by name
(every YAML file is a candidate; its content decides whether it is linted).

.gitignore files are matched with pathspec instead of asking git, because git would read
the scanned repository's own config, and options such as ``core.fsmonitor`` run commands.
"""
from __future__ import annotations

import os
from pathlib import Path

from hullguard.documents import detect_format
from hullguard.model import Format

ALWAYS_SKIPPED = frozenset({".git", ".hg", ".svn", "node_modules", ".venv", "__pycache__", ".tox"})


class DiscoveryError(ValueError):
    pass


def _ignore_spec(folder: Path) -> "pathspec.PathSpec | None":
    ignore_file = folder / ".gitignore"
    try:
        lines = ignore_file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    import pathspec  # only when walking folders: pre-commit passes file names

    return pathspec.GitIgnoreSpec.from_lines(lines)


def _ignored(path: Path, is_dir: bool, specs: list[tuple[Path, "pathspec.PathSpec"]]) -> bool:
    ignored = False
    for base, spec in specs:  # outer to inner: a deeper .gitignore may re-include
        relative = path.relative_to(base).as_posix() + ("/" if is_dir else "")
        result = spec.check_file(relative)
        if result.include is not None:
            ignored = result.include
    return ignored


def _enclosing_repository_folders(root: Path) -> list[Path]:
    """Folders above ``root`` up to its git work tree's top, outermost first."""
    chain = []
    for parent in root.parents:
        chain.append(parent)
        if (parent / ".git").exists():
            return list(reversed(chain))
    return []


def _is_helm_templates(folder: Path) -> bool:
    """A Helm chart's ``templates/``: Go templates that render to manifests, not manifests.
    Skipped when walking (each would be an HG000 "template" finding); named files are linted."""
    return folder.name == "templates" and (folder.parent / "Chart.yaml").is_file()


def walk(root: Path, errors: list[str]) -> list[tuple[Path, Format]]:
    """Lintable files under ``root``; folders that cannot be read go to ``errors``."""
    found: list[tuple[Path, Format]] = []
    inherited: list[tuple[Path, "pathspec.PathSpec"]] = []
    for parent in _enclosing_repository_folders(root.resolve()):  # their .gitignore files apply too
        spec = _ignore_spec(parent)
        if spec:
            inherited.append((parent, spec))
    if _ignored(root.resolve(), True, inherited):
        inherited = []  # the user named an ignored folder: lint it anyway

    def visit(folder: Path, specs: list[tuple[Path, "pathspec.PathSpec"]], real_folder: Path) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as error:
            errors.append(f"{folder}: cannot read folder: {error.strerror}")
            return
        # Case-insensitively: on such a file system, opening ".gitignore" reads ".GitIgnore" too.
        spec = _ignore_spec(folder) if any(entry.name.lower() == ".gitignore" for entry in entries) else None
        if spec:
            specs = specs + [(real_folder, spec)]
        for entry in entries:
            # The entry's own path, not a symlink's target, is what .gitignore patterns match.
            if entry.is_dir(follow_symlinks=False):
                path, where = Path(entry.path), real_folder / entry.name
                if entry.name in ALWAYS_SKIPPED or _ignored(where, True, specs) or _is_helm_templates(path):
                    continue
                visit(path, specs, where)
            elif entry.is_file():
                document_format = detect_format(entry.name)
                if document_format and not (specs and _ignored(real_folder / entry.name, False, specs)):
                    found.append((Path(entry.path), document_format))

    visit(root, inherited, root.resolve())
    return found


def discover(paths: list[str], forced: Format | None = None) -> tuple[list[tuple[Path, Format]], list[str]]:
    """Files to lint, in a stable order, and the folders that could not be read.

    Named files are linted even if .gitignore'd; a missing path is an error.
    """
    files: list[tuple[Path, Format]] = []
    errors: list[str] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files.extend((p, forced or f) for p, f in walk(path, errors))
        elif path.is_file():
            document_format = forced or detect_format(path)
            if document_format is None:
                raise DiscoveryError(f"{path}: cannot tell the file's format from its name; pass --kind dockerfile|compose|kubernetes")
            files.append((path, document_format))
        else:
            raise DiscoveryError(f"{path}: no such file or folder")
    unique = {}
    for path, document_format in files:
        unique.setdefault(path, document_format)
    return list(unique.items()), errors
