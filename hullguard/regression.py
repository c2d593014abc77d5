"""``check --since REF``: compare each file with its version at a git revision and tell the
findings the change introduces from those that were already there.

What is compared
    The files are linted as they are on disk (under pre-commit, which stashes unstaged
    changes, that is the staged content). Each is paired with its version at REF, read from
    git's object store, never checked out: the same path, or the path it was renamed from
    according to git's rename detection between REF and the index (``git mv``, or a staged
    delete and add). A file with no version at REF (new, untracked, outside the repository,
    or REF is an unborn ``HEAD``) has every finding new. A deleted file is not linted, so it
    reports nothing; what its deletion causes elsewhere (a NetworkPolicy removed) is.
    The old version is linted with the same configuration; the files it reads besides
    itself (``.dockerignore``, the Dockerfile a compose service builds, the NetworkPolicies
    of its folder) are read at REF too. Findings are matched by ``hullguard.identity``.

Running git safely
    The scanned repository's configuration is not trusted to run nothing: only plumbing
    commands are used (``rev-parse``, ``diff-index --cached``, ``ls-tree``, ``cat-file
    --batch``), which read the object store and the index and never the working tree, so no
    clean/smudge filter runs; they print no patch, so no external diff or textconv driver
    runs (``--no-ext-diff --no-textconv`` anyway). Every call also sets:

    - ``core.fsmonitor=false``: reading the index would otherwise start the configured
      file-system monitor hook, a command of the repository's choosing;
    - ``core.hooksPath=/dev/null``: no hook can run;
    - ``protocol.allow=never`` and an empty ``credential.helper``: nothing is fetched (a
      partial clone would otherwise fetch missing objects, running ssh or credential
      helpers), and ``GIT_TERMINAL_PROMPT=0`` so nothing prompts;
    - ``--no-pager``, ``--literal-pathspecs`` (a file named ``:(exclude)x`` or ``*`` is that
      file) and ``--no-optional-locks`` (no index refresh written behind a running commit).

    Paths are passed after ``--`` and a revision after ``--end-of-options``; output is read
    NUL-separated (``-z``).
"""
from __future__ import annotations

import os
import posixpath
import subprocess
import weakref
from dataclasses import dataclass
from pathlib import Path

from hullguard.config import Config
from hullguard.documents import Document, detect_format, load_document
from hullguard.engine import LintResult, lint_document
from hullguard.identity import existing, identities_of
from hullguard.model import Format
from hullguard.project import YAML_SUFFIXES, ProjectIndex

GIT_OPTIONS = (
    "--no-pager",
    "--literal-pathspecs",
    "--no-optional-locks",
    "-c", "core.fsmonitor=false",
    "-c", "core.hooksPath=/dev/null",
    "-c", "protocol.allow=never",
    "-c", "credential.helper=",
)
FILE_MODES = ("100644", "100755")
SYMLINK_MODE = "120000"
TREE_MODE = "040000"
MAX_SYMLINK_HOPS = 8
LIST_WHOLE_TREE = 32  # more folders than this: one recursive listing instead of one per folder


class GitError(ValueError):
    """git is missing, the folder is not in a repository, or the revision is unknown."""


@dataclass(frozen=True)
class Entry:
    mode: str
    sha: str


class Repository:
    """Read-only access to one repository's objects (see the module's docs for safety)."""

    def __init__(self, top: Path):
        self.top = top
        self._folders: dict[str, dict[str, Entry]] = {}  # per commit and folder, filled lazily
        self._blobs: dict[str, bytes] = {}
        self._cat_file: subprocess.Popen | None = None

    @classmethod
    def containing(cls, folder: Path) -> "Repository":
        output = _git(folder, "rev-parse", "--show-toplevel", what="find the git repository")
        return cls(Path(output.decode("utf-8", "surrogateescape").rstrip("\n")))

    def run(self, *args: str, what: str) -> bytes:
        return _git(self.top, *args, what=what)

    def resolve(self, ref: str) -> str | None:
        """The commit ``ref`` names; None for ``HEAD`` in a repository with no commit yet."""
        try:
            output = self.run("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}", what=f"resolve {ref!r}")
        except GitError:
            if ref == "HEAD" and not self._has_commits():
                return None
            raise GitError(f"--since: unknown revision {ref!r} (a shallow or single-branch clone may lack it: fetch it first)") from None
        return output.decode("ascii").strip()

    def _has_commits(self) -> bool:
        try:
            self.run("rev-parse", "--verify", "--quiet", "HEAD", what="look for commits")
        except GitError:
            return False
        return True

    def renames(self, commit: str) -> dict[str, str]:
        """Staged renames since ``commit``: new path to old path (repository-relative)."""
        output = self.run(
            "diff-index", "--cached", "-M", "--name-status", "-z", "--no-ext-diff", "--no-textconv", commit, "--",
            what="detect renames",
        )
        fields = output.decode("utf-8", "surrogateescape").split("\0")
        renames: dict[str, str] = {}
        index = 0
        while index < len(fields) - 1:
            status = fields[index]
            if status.startswith(("R", "C")):
                old, new = fields[index + 1], fields[index + 2]
                if status.startswith("R"):
                    renames[new] = old
                index += 3
            else:
                index += 2
        return renames

    def folder(self, commit: str, folder: str) -> dict[str, Entry]:
        """The entries of ``folder`` ("" for the top) at ``commit``: name to mode and object."""
        key = f"{commit}:{folder}"
        if key not in self._folders:
            pathspec = ("--", folder + "/") if folder else ()
            output = self.run("ls-tree", "-z", "--full-tree", commit, *pathspec, what=f"list {folder or 'the top folder'}")
            self._folders[key] = _parse_ls_tree(output).get(folder, {})
        return self._folders[key]

    def list_all(self, commit: str) -> None:
        """List every folder at ``commit`` in one call (for runs over many folders)."""
        listed = _parse_ls_tree(self.run("ls-tree", "-r", "-t", "-z", "--full-tree", commit, what="list the tree"))
        folders = {""} | {posixpath.join(folder, name) for folder, entries in listed.items() for name, entry in entries.items() if entry.mode == TREE_MODE}
        for folder in folders:
            self._folders[f"{commit}:{folder}"] = listed.get(folder, {})

    def blob(self, sha: str) -> bytes:
        """An object's content, through one long-running ``git cat-file --batch``."""
        if sha not in self._blobs:
            if self._cat_file is None:
                self._cat_file = subprocess.Popen(
                    ["git", *GIT_OPTIONS, "cat-file", "--batch"], cwd=self.top, env=_environment(),
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                )
                weakref.finalize(self, _stop, self._cat_file)  # ends it when the run is over
            process = self._cat_file
            process.stdin.write(sha.encode("ascii") + b"\n")
            process.stdin.flush()
            header = process.stdout.readline().split()
            if len(header) != 3:
                raise GitError(f"cannot read object {sha} ({b' '.join(header).decode('ascii', 'replace')})")
            data = process.stdout.read(int(header[2]) + 1)[:-1]
            self._blobs[sha] = data
        return self._blobs[sha]


def _stop(process: subprocess.Popen) -> None:
    process.stdin.close()
    process.wait()
    process.stdout.close()


def _environment() -> dict[str, str]:
    return {**os.environ, "GIT_TERMINAL_PROMPT": "0"}


def _git(cwd: Path, *args: str, what: str) -> bytes:
    try:
        completed = subprocess.run(["git", *GIT_OPTIONS, *args], cwd=cwd, env=_environment(), capture_output=True, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise GitError("--since needs git, and git is not installed") from None
    except OSError as error:
        raise GitError(f"cannot run git to {what}: {error.strerror}") from None
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"cannot {what}: {message[-1] if message else f'git exited with {completed.returncode}'}")
    return completed.stdout


def _parse_ls_tree(output: bytes) -> dict[str, dict[str, Entry]]:
    """``ls-tree -z`` lines (``mode type object\\tpath``) grouped by folder, then by name."""
    folders: dict[str, dict[str, Entry]] = {}
    for line in output.decode("utf-8", "surrogateescape").split("\0"):
        if not line:
            continue
        meta, _, path = line.partition("\t")
        mode, _, sha = meta.split(" ")
        folder, _, name = path.rpartition("/")
        folders.setdefault(folder, {})[name] = Entry(mode, sha)
    return folders


class Since:
    """One run's comparison with the revision ``ref`` (``check --since``)."""

    def __init__(self, ref: str):
        self.repository = Repository.containing(Path.cwd())
        self.top = Path(os.path.realpath(self.repository.top))
        self.commit = self.repository.resolve(ref)
        self.renamed_from = self.repository.renames(self.commit) if self.commit else {}
        self.project = ProjectIndex()  # the NetworkPolicies at ``ref``, for the old versions
        self._indexed_folders: set[str] = set()

    def prepare(self, inputs: list[tuple[str, bytes, Format]]) -> None:
        """Before linting the run's files: list their folders at the revision (all at once for
        many folders), and index the old versions of its YAML files' NetworkPolicies, as the
        CLI indexes the current ones."""
        if self.commit is None:
            return
        folders = {posixpath.dirname(relative) for relative in map(self._relative, (path for path, _, _ in inputs)) if relative}
        if len(folders) > LIST_WHOLE_TREE:
            self.repository.list_all(self.commit)
        for path, _, document_format in inputs:
            if document_format is Format.KUBERNETES:
                self.project.add_data(path, self.old_bytes(path) or b"")

    def _relative(self, path: str) -> str | None:
        """``path`` (as given, relative to the current folder) relative to the repository's
        top, in git's spelling; None outside it. The file's own name is kept even if it is a
        symbolic link: git records the link."""
        absolute = os.path.abspath(path)
        folder = os.path.realpath(os.path.dirname(absolute))
        relative = os.path.relpath(os.path.join(folder, os.path.basename(absolute)), self.top)
        return None if relative.split(os.sep)[0] == os.pardir else relative.replace(os.sep, "/")

    def _blob_at(self, relative: str) -> bytes | None:
        """The content of the file at ``relative`` in the revision, following symbolic links
        inside the repository; None when there is no such file."""
        for _ in range(MAX_SYMLINK_HOPS):
            folder, _, name = relative.rpartition("/")
            entry = self.repository.folder(self.commit, folder).get(name)
            if entry is None or entry.mode not in FILE_MODES + (SYMLINK_MODE,):
                return None
            data = self.repository.blob(entry.sha)
            if entry.mode != SYMLINK_MODE:
                return data
            target = posixpath.normpath(posixpath.join(folder, data.decode("utf-8", "surrogateescape")))
            if target.startswith("../") or target == ".." or posixpath.isabs(target):
                return None
            relative = target
        return None

    def old_bytes(self, path: str, *, follow_renames: bool = True) -> bytes | None:
        """The file's content at the revision, None when it had none there. The linted file
        itself is looked up under the name it had (``follow_renames``: renames staged since);
        the other files the findings depend on, under their own names."""
        relative = self._relative(path)
        if relative is None or self.commit is None:
            return None
        return self._blob_at(self.renamed_from.get(relative, relative) if follow_renames else relative)

    def old_text(self, path: str) -> str | None:
        """A file the findings depend on, as text at the revision (for ``file_overrides``)."""
        data = self.old_bytes(path, follow_renames=False)
        return None if data is None else data.decode("utf-8", "replace")

    def previous(self, document: Document, config: Config) -> Document | None:
        """The document's version at the revision, None if it had none; parsed as the same
        format, except that a YAML file not named as a compose file is again told apart by
        its content (it may have been a manifest then and a compose file now)."""
        data = self.old_bytes(document.path)
        if data is None:
            return None
        document_format = document.format
        if document_format is Format.COMPOSE and detect_format(document.path) is not Format.COMPOSE:
            document_format = Format.KUBERNETES
        return load_document(document.path, data, document_format, max_bytes=config.max_file_size)

    def states(self, result: LintResult, previous: Document | None, config: Config) -> list[str]:
        """For each finding of ``result``: "existing" if the old version had it, else "new"."""
        if previous is None:
            return ["new"] * len(result.findings)
        old = self._lint_previous(previous, config, result.dependencies)
        flags = existing(identities_of(previous, old.findings), identities_of(result.document, result.findings))
        return ["existing" if flag else "new" for flag in flags]

    def _lint_previous(self, previous: Document, config: Config, dependencies: set[str]) -> LintResult:
        """Lint the old version with the other files it reads as they were at the revision:
        first those the new version read, then any more the old one reads (it may build
        another Dockerfile)."""
        if previous.format is Format.KUBERNETES:
            self._index_folder(previous.path)
        overrides: dict[str, str | None] = {}
        wanted = set(dependencies)
        for _ in range(3):  # bounded: what is still missing after that is read from disk
            overrides.update({path: self.old_text(path) for path in wanted - overrides.keys()})
            result = lint_document(previous, config, file_overrides=overrides, project=self.project)
            wanted = result.dependencies - overrides.keys()
            if not wanted:
                break
        return result

    def _index_folder(self, path: str) -> None:
        """Give ``self.project`` the YAML files of ``path``'s folder as they were at the
        revision, so that the old version does not see today's NetworkPolicies: files there
        now but not then are indexed as empty."""
        folder = os.path.dirname(os.path.normpath(path)) or "."
        if folder in self._indexed_folders:
            return
        self._indexed_folders.add(folder)
        names = set()
        relative = self._relative(os.path.join(folder, "-"))  # any name: its folder is what counts
        if relative is not None and self.commit is not None:
            listed = self.repository.folder(self.commit, posixpath.dirname(relative))
            names |= {name for name, entry in listed.items() if entry.mode in FILE_MODES + (SYMLINK_MODE,)}
        try:
            names |= {entry.name for entry in os.scandir(folder)}
        except OSError:
            pass
        for name in sorted(name for name in names if name.lower().endswith(YAML_SUFFIXES)):
            key = os.path.normpath(os.path.join(folder, name))
            if key not in self.project.policies:
                self.project.add_data(key, self.old_bytes(key, follow_renames=False) or b"")


def lint_compared(document: Document, config: Config, *, project=None, since: Since | None = None, baseline=None) -> LintResult:
    """Lint ``document`` and mark each finding "new" or "existing" (``LintResult.states``):
    existing when its version at the ``since`` revision has it, or the ``baseline``
    (a ``hullguard.baseline.Baseline``) records it. The regression rules get the old
    version's model when it has the same format."""
    previous = since.previous(document, config) if since is not None else None
    model = previous.model if previous is not None and previous.format is document.format else None
    result = lint_document(document, config, project=project, previous=model)
    verdicts = []
    if since is not None:
        verdicts.append(since.states(result, previous, config))
    if baseline is not None:
        verdicts.append(baseline.states(result))
    result.states = ["existing" if "existing" in states else "new" for states in zip(*verdicts)] if result.findings else []
    return result
