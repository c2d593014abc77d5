"""What an ``ADD`` fetches: each source classified as local file, local archive, URL, git
repository, heredoc or unknown. Shared by HG204 (ADD for local files) and HG205 (remote
ADD without checksum), so both agree on what is remote."""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from hullguard.dockerfile import Instruction
from hullguard.rules._exec_form import argument_words
from hullguard.words import Word

# Names ADD may unpack: it recognises tar archives, plain or gzip/bzip2/xz/zstd-compressed,
# by content; a bare compressed file may well hold a tar.
ARCHIVE_SUFFIXES = (
    ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz", ".tar.zst", ".tzst",
    ".gz", ".bz2", ".xz", ".zst",
)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_GLOB = re.compile(r"[*?\[]")


class SourceKind(enum.Enum):
    LOCAL = "local"  # a file or folder of the build context
    ARCHIVE = "archive"  # a local archive ADD unpacks (or a glob that may match one)
    URL = "url"  # an http(s) download
    GIT = "git"  # a git repository
    HEREDOC = "heredoc"  # inline content
    UNKNOWN = "unknown"  # depends on a variable, or a scheme ADD does not fetch


@dataclass(frozen=True)
class AddSource:
    word: Word  # offsets into the instruction's text
    kind: SourceKind


def add_sources(instruction: Instruction) -> list[AddSource]:
    """The sources of an ``ADD`` (every argument but the destination), shell or exec form."""
    heredocs = {heredoc.word.start for heredoc in instruction.heredocs}
    return [
        AddSource(word, SourceKind.HEREDOC if word.start in heredocs else classify(word.value))
        for word in argument_words(instruction)[:-1]
    ]


def classify(value: str) -> SourceKind:
    """What a source that is not a heredoc names."""
    if "$" in value:
        return SourceKind.UNKNOWN
    lowered = value.lower()
    if lowered.startswith("git@") or lowered.startswith(("git://", "ssh://")):
        return SourceKind.GIT
    if lowered.startswith(("http://", "https://")):
        return SourceKind.GIT if urlsplit(value).path.endswith(".git") else SourceKind.URL
    if _SCHEME.match(value) or lowered.startswith("github.com/"):
        return SourceKind.UNKNOWN
    return SourceKind.ARCHIVE if _may_be_archive(lowered) else SourceKind.LOCAL


def _may_be_archive(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]  # empty for a folder: ADD copies a folder's archives as they are
    glob = _GLOB.search(name)
    if glob is None:
        return name.endswith(ARCHIVE_SUFFIXES)
    # A glob may match an archive unless its literal ending rules every archive name out.
    tail = re.split(r"[*?\]]", name)[-1]
    return any(suffix.endswith(tail) or tail.endswith(suffix) for suffix in ARCHIVE_SUFFIXES)


def git_commit_pinned(value: str) -> bool:
    """A git source naming a full commit: ``…#<sha>`` (optionally ``:subdir``) or ``?commit=<sha>``."""
    before, _, fragment = value.partition("#")
    candidates = [fragment.split(":", 1)[0]]
    query = urlsplit(before).query if "?" in before else ""
    for key in ("commit", "checksum", "ref"):
        candidates.extend(parse_qs(query).get(key, []))
    return any(re.fullmatch(r"[0-9a-fA-F]{40}|[0-9a-fA-F]{64}", candidate) for candidate in candidates)
