"""HG303 missing-dockerignore: COPY . without an ignore file that keeps .git, .env and keys out."""
from __future__ import annotations

import pytest

from hullguard.config import Config
from hullguard.context import FileState, RuleContext, SiblingFile
from hullguard.documents import load_document
from hullguard.fixer import fix_document
from hullguard.model import Applicability, Format, Severity
from hullguard.rules.missing_dockerignore import is_excluded, parse_dockerignore

from conftest import findings_of

CODE = "HG303"
DOCKERFILE = "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n"
CREATED = "# Keep version control data, secrets and keys out of the build context\n.git\n.env\n*.pem\n*.key\n**/.ssh\n"


def lint_in(folder, text: str = DOCKERFILE, name: str = "Dockerfile", files: dict[str, str] | None = None):
    """Write the Dockerfile ``name`` and ``files`` into ``folder`` and lint it there."""
    for file_name, content in (files or {}).items():
        (folder / file_name).write_bytes(content.encode())
    path = folder / name
    path.write_text(text)
    return findings_of(CODE, text, path=str(path))


def fix_in(folder, text: str = DOCKERFILE, name: str = "Dockerfile", files: dict[str, str] | None = None):
    """Lint and fix (safe fixes) in ``folder``; returns {file name: (before, after)} of other files."""
    lint_in(folder, text, name, files)
    document = load_document(str(folder / name), text, Format.DOCKERFILE)
    outcome = fix_document(document, Config().with_cli(select=[CODE]))
    assert outcome.fixed_text is None  # the Dockerfile itself is never changed
    return {path.rsplit("/", 1)[-1]: change for path, change in outcome.other_files.items()}


def test_copy_dot_without_dockerignore(tmp_path):
    (finding,) = lint_in(tmp_path)
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (2, 5, 6)
    assert finding.message == "COPY . copies the whole build context and there is no .dockerignore to keep out .git, .env and keys"
    assert finding.severity is Severity.WARNING
    (fix,) = finding.fixes
    assert fix.title == "Create .dockerignore excluding .git, .env, *.pem, *.key, **/.ssh"
    assert fix.applicability is Applicability.SAFE


def test_create_fix_writes_the_exact_file(tmp_path):
    assert fix_in(tmp_path) == {".dockerignore": (None, CREATED)}


@pytest.mark.parametrize(
    "existing, expected",
    [
        (".git\nnode_modules\n", ".git\nnode_modules\n.env\n*.pem\n*.key\n**/.ssh\n"),
        (".git\nnode_modules", ".git\nnode_modules\n.env\n*.pem\n*.key\n**/.ssh\n"),
        (".git\r\nnode_modules\r\n", ".git\r\nnode_modules\r\n.env\r\n*.pem\r\n*.key\r\n**/.ssh\r\n"),
        ("# ours\r\n.git\r\n.env", "# ours\r\n.git\r\n.env\r\n*.pem\r\n*.key\r\n**/.ssh\r\n"),
        ("", ".git\n.env\n*.pem\n*.key\n**/.ssh\n"),
        ("\ufeff.env\n*.pem\n", "\ufeff.env\n*.pem\n.git\n*.key\n**/.ssh\n"),
    ],
    ids=["lf", "lf-no-final-newline", "crlf", "crlf-no-final-newline", "empty", "bom"],
)
def test_extend_fix_appends_only_missing_entries_keeping_the_file_style(tmp_path, existing, expected):
    assert fix_in(tmp_path, files={".dockerignore": existing}) == {".dockerignore": (existing, expected)}
    assert (tmp_path / ".dockerignore").read_bytes() == existing.encode()  # fix_document writes nothing


def test_incomplete_dockerignore_message_and_title(tmp_path):
    (finding,) = lint_in(tmp_path, 'FROM node:22\nCOPY ["./", "/app/"]\n', files={".dockerignore": ".git\n**/.ssh\n"})
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (1, 7, 9)
    assert finding.message == "COPY ./ copies the whole build context and .dockerignore does not exclude .env, *.pem, *.key"
    assert finding.fixes[0].title == "Add .env, *.pem, *.key to .dockerignore"


def test_missing_ssh_entry_alone_is_not_reported(tmp_path):
    assert lint_in(tmp_path, files={".dockerignore": ".git\n.env\n*.pem\n*.key\n"}) == []


@pytest.mark.parametrize(
    "content",
    [
        "/.git/\n**/.env\n**/*.pem\n**/*.key\n",
        "# allowlist\n*\n!src\n!pyproject.toml\n",
        ".*\n*.pem\n*.key\n",
        "./.git\n.env\n*.[pk][e]*\n",
    ],
)
def test_complete_dockerignores(tmp_path, content):
    assert lint_in(tmp_path, files={".dockerignore": content}) == []


@pytest.mark.parametrize(
    "content, missing",
    [
        ("*\n!.env\n", ".env"),  # re-included by a later negation
        ("#.git\n.env\n*.pem\n*.key\n", ".git"),  # a comment, not a pattern
        ("src/.git\n.env\n*.pem\n*.key\n", ".git"),
        (".git\n.env\nserver.pem\n*.key\n", "*.pem"),
        (".git\n.env.local\n*.pem\n*.key\n", ".env"),
    ],
)
def test_incomplete_dockerignores(tmp_path, content, missing):
    (finding,) = lint_in(tmp_path, files={".dockerignore": content})
    assert finding.message.endswith(f"does not exclude {missing}")


def test_per_dockerfile_ignore_file_wins_and_is_the_one_extended(tmp_path):
    files = {"app.Dockerfile.dockerignore": ".git\n", ".dockerignore": CREATED}
    (finding,) = lint_in(tmp_path, name="app.Dockerfile", files=files)
    assert finding.message.endswith("app.Dockerfile.dockerignore does not exclude .env, *.pem, *.key")
    changes = fix_in(tmp_path, name="app.Dockerfile", files=files)
    assert changes == {"app.Dockerfile.dockerignore": (".git\n", ".git\n.env\n*.pem\n*.key\n**/.ssh\n")}


def test_complete_per_dockerfile_ignore_file_is_enough(tmp_path):
    assert lint_in(tmp_path, files={"Dockerfile.dockerignore": CREATED}) == []


def test_no_ignore_file_at_all_creates_dockerignore_not_the_per_dockerfile_one(tmp_path):
    assert list(fix_in(tmp_path, name="app.Dockerfile")) == [".dockerignore"]


@pytest.mark.parametrize(
    "text",
    [
        "FROM alpine:3.20\nCOPY src/ /app/\n",
        "FROM alpine:3.20\nCOPY --from=build . /app/\n",
        "FROM alpine:3.20\nCOPY ./src . \n",
        "FROM alpine:3.20\nRUN cp -r . /app\n",
        "FROM alpine:3.20\nCOPY <<EOF .\nx\nEOF\n",
    ],
)
def test_no_whole_context_copy(tmp_path, text):
    assert lint_in(tmp_path, text) == []


def test_unsaved_text_is_not_checked():
    assert findings_of(CODE, DOCKERFILE, path="-") == []


def test_every_whole_context_copy_is_reported(tmp_path):
    text = "FROM node:22 AS build\nCOPY . .\n\nFROM node:22\nadd ./. /app\n"
    assert [(f.span.start.line, f.span.start.column, f.span.end.column) for f in lint_in(tmp_path, text)] == [(1, 5, 6), (4, 4, 7)]


def test_fix_is_unsafe_when_the_build_copies_a_file_it_would_exclude(tmp_path):
    (finding,) = lint_in(tmp_path, "FROM nginx:1.27\nCOPY . /app\nCOPY ./tls.pem /etc/nginx/\n")
    assert finding.fixes[0].applicability is Applicability.UNSAFE
    assert fix_in(tmp_path, "FROM nginx:1.27\nCOPY . /app\nCOPY ./tls.pem /etc/nginx/\n") == {}


def test_fix_is_unsafe_when_the_build_runs_git_and_git_would_be_excluded(tmp_path):
    text = "FROM alpine:3.20\nCOPY . /src\nRUN git -C /src describe --tags > /version\n"
    assert lint_in(tmp_path, text)[0].fixes[0].applicability is Applicability.UNSAFE
    assert lint_in(tmp_path, text, files={".dockerignore": ".git/\n"})[0].fixes[0].applicability is Applicability.SAFE


def test_fix_is_safe_when_a_copied_file_is_outside_the_root_level_patterns(tmp_path):
    (finding,) = lint_in(tmp_path, "FROM nginx:1.27\nCOPY . /app\nCOPY certs/tls.pem /etc/nginx/\n")
    assert finding.fixes[0].applicability is Applicability.SAFE


def test_dockerignore_parsing():
    patterns = parse_dockerignore("\ufeff# c\n  \n/build/\n!build/keep\n**/*.log\nsecret?.txt\n[!a]x\n")
    assert is_excluded(patterns, "build/out/a.o")
    assert not is_excluded(patterns, "build/keep")
    assert not is_excluded(patterns, "src/build")
    assert is_excluded(patterns, "a.log") and is_excluded(patterns, "deep/er/a.log")
    assert is_excluded(patterns, "secret1.txt") and not is_excluded(patterns, "secret12.txt")
    assert is_excluded(patterns, "bx") and not is_excluded(patterns, "ax")
    assert not is_excluded(patterns, "# c")


# --- negations: new entries go before the first `!` line so the user's re-includes still win ---


@pytest.mark.parametrize(
    "existing, expected",
    [
        (
            ".git\n.env\n*.pem\n!deploy.key\n",
            ".git\n.env\n*.pem\n*.key\n**/.ssh\n!deploy.key\n",
        ),
        (
            ".git\n.env\n*.pem\n!config/tls/server.key\n",
            ".git\n.env\n*.pem\n*.key\n**/.ssh\n!config/tls/server.key\n",
        ),
        (  # the comment above the negation stays with it; lines after it are kept as they are
            ".git\r\n.env\r\n*.pem\r\n\r\n# the TLS key is baked in on purpose\r\n!deploy.key\r\nnode_modules",
            ".git\r\n.env\r\n*.pem\r\n\r\n*.key\r\n**/.ssh\r\n# the TLS key is baked in on purpose\r\n!deploy.key\r\nnode_modules",
        ),
        ("\ufeff  !  deploy.key\n", "\ufeff.git\n.env\n*.pem\n*.key\n**/.ssh\n  !  deploy.key\n"),
        ("\ufeff# keep\n!deploy.key\n", "\ufeff.git\n.env\n*.pem\n*.key\n**/.ssh\n# keep\n!deploy.key\n"),
    ],
    ids=["root-file", "nested-file", "crlf-comment", "bom-first-line", "bom-comment"],
)
def test_extend_fix_inserts_before_the_first_negation(tmp_path, existing, expected):
    (finding,) = lint_in(tmp_path, files={".dockerignore": existing})
    assert finding.fixes[0].applicability is Applicability.SAFE
    assert fix_in(tmp_path, files={".dockerignore": existing}) == {".dockerignore": (existing, expected)}
    patterns = parse_dockerignore(expected)
    kept = "config/tls/server.key" if "config/" in existing else "deploy.key"
    assert not is_excluded(patterns, kept)  # still re-included
    assert is_excluded(patterns, "server.key") and is_excluded(patterns, ".ssh")


def test_negation_of_a_needed_entry_makes_the_fix_append_and_unsafe(tmp_path):
    # `!.env` re-includes what `.env` would exclude wherever it goes before it: the only way
    # to exclude it is after the user's negation, which undoes their decision
    existing = "*.pem\n*.key\n.git\n!.env\n"
    (finding,) = lint_in(tmp_path, files={".dockerignore": existing})
    (fix,) = finding.fixes
    assert fix.applicability is Applicability.UNSAFE
    assert fix.file_edits[0].new_text == "*.pem\n*.key\n.git\n!.env\n.env\n**/.ssh\n"
    assert fix_in(tmp_path, files={".dockerignore": existing}) == {}  # not applied as a safe fix


def test_fix_is_safe_when_a_copied_file_stays_re_included(tmp_path):
    text = "FROM nginx:1.27\nCOPY . /app\nCOPY deploy.key /etc/nginx/tls.key\n"
    (finding,) = lint_in(tmp_path, text, files={".dockerignore": ".git\n.env\n*.pem\n!deploy.key\n"})
    assert finding.fixes[0].applicability is Applicability.SAFE


# --- other Dockerfiles in the folder share .dockerignore ---


@pytest.mark.parametrize("other", ["proxy.Dockerfile", "Containerfile", "Dockerfile.dev", "web.dockerfile", "Containerfile.arm64"])
def test_fix_is_unsafe_when_another_dockerfile_shares_the_ignore_file(tmp_path, other):
    files = {other: "FROM nginx:1.27\nCOPY certs/server.key /etc/nginx/tls.key\n"}
    (finding,) = lint_in(tmp_path, files=files)
    assert finding.fixes[0].applicability is Applicability.UNSAFE
    assert fix_in(tmp_path, files=files) == {}
    (finding,) = lint_in(tmp_path, files={**files, ".dockerignore": ".git\n"})
    assert finding.fixes[0].applicability is Applicability.UNSAFE


def test_other_dockerfile_with_its_own_ignore_file_does_not_share(tmp_path):
    files = {"proxy.Dockerfile": "FROM nginx:1.27\nCOPY certs/server.key /etc/nginx/\n", "proxy.Dockerfile.dockerignore": ".git\n"}
    (finding,) = lint_in(tmp_path, files=files)
    assert finding.fixes[0].applicability is Applicability.SAFE


def test_files_that_are_not_dockerfiles_do_not_share(tmp_path):
    files = {"Dockerfile.md": "# notes\n", "README.md": "x\n", "Dockerfile.dockerignore.orig": "x\n", "docker-compose.yml": "services: {}\n"}
    (finding,) = lint_in(tmp_path, name="app.Dockerfile", files=files)
    assert finding.fixes[0].applicability is Applicability.SAFE


def test_own_ignore_file_is_not_shared_with_other_dockerfiles(tmp_path):
    files = {"Dockerfile.dockerignore": ".git\n", "proxy.Dockerfile": "FROM nginx:1.27\nCOPY server.key /x\n"}
    (finding,) = lint_in(tmp_path, files=files)
    assert finding.fixes[0].applicability is Applicability.SAFE


# --- ignore files that cannot be rewritten or read ---


def test_ignore_file_that_is_not_utf8_is_checked_but_not_fixed(tmp_path):
    (tmp_path / ".dockerignore").write_bytes(b"# caf\xe9\n.git\n")
    (finding,) = lint_in(tmp_path)
    assert finding.message.endswith(".dockerignore does not exclude .env, *.pem, *.key")
    assert finding.fixes == []
    (tmp_path / ".dockerignore").write_bytes(b"# caf\xe9\n" + CREATED.encode())
    assert lint_in(tmp_path) == []


@pytest.mark.parametrize("name", [".dockerignore", "Dockerfile.dockerignore"])
def test_unreadable_ignore_file_is_not_reported_as_missing(tmp_path, monkeypatch, name):
    (tmp_path / name).write_text(".git\n")
    real_read_bytes = type(tmp_path).read_bytes

    def read_bytes(path):
        if path.name == name:
            raise PermissionError(13, "Permission denied", str(path))
        return real_read_bytes(path)

    monkeypatch.setattr(type(tmp_path), "read_bytes", read_bytes)
    assert lint_in(tmp_path) == []


def test_ignore_path_that_is_a_folder_is_not_reported_as_missing(tmp_path):
    (tmp_path / ".dockerignore").mkdir()
    assert lint_in(tmp_path) == []


def test_read_sibling_tells_absent_unreadable_and_not_utf8_apart(tmp_path):
    (tmp_path / "ok").write_bytes(b"a\r\nb")
    (tmp_path / "latin").write_bytes(b"caf\xe9")
    (tmp_path / "folder").mkdir()
    context = RuleContext(path=tmp_path / "Dockerfile", file_overrides={str(tmp_path / "buffer"): "x", str(tmp_path / "ok-deleted"): None})
    assert context.read_sibling("ok") == SiblingFile(tmp_path / "ok", FileState.TEXT, "a\r\nb")
    assert context.read_sibling("latin") == SiblingFile(tmp_path / "latin", FileState.NOT_UTF8, "caf\ufffd")
    assert context.read_sibling("folder") == SiblingFile(tmp_path / "folder", FileState.UNREADABLE)
    assert context.read_sibling("none") == SiblingFile(tmp_path / "none", FileState.ABSENT)
    assert context.read_sibling("buffer") == SiblingFile(tmp_path / "buffer", FileState.TEXT, "x")
    assert context.read_sibling("ok-deleted").state is FileState.ABSENT
    assert not context.read_sibling("none").exists and context.read_sibling("folder").exists
    assert RuleContext().read_sibling("ok") is None


def test_sibling_dockerfiles(tmp_path):
    for name in ("Dockerfile", "api.Dockerfile", "Dockerfile.dockerignore", "README.md", "Dockerfile.md"):
        (tmp_path / name).write_text("x")
    (tmp_path / "Containerfile").mkdir()  # a folder, not a file
    context = RuleContext(path=tmp_path / "Dockerfile", file_overrides={str(tmp_path / "new.Dockerfile"): "FROM a\n", str(tmp_path / "api.Dockerfile"): None})
    assert context.sibling_dockerfiles() == ["new.Dockerfile"]
    assert RuleContext(path=tmp_path / "missing" / "Dockerfile").sibling_dockerfiles() is None


# --- an empty source is the whole context too ---


@pytest.mark.parametrize("text, column", [('FROM alpine:3.20\nCOPY "" /x\n', 5), ('FROM alpine:3.20\nCOPY ["", "/x"]\n', 7)])
def test_empty_source_message(tmp_path, text, column):
    (finding,) = lint_in(tmp_path, text)
    assert finding.message == 'COPY "" copies the whole build context and there is no .dockerignore to keep out .git, .env and keys'
    assert finding.span.start.column == column


@pytest.mark.parametrize("source", ["/", "/.", "./src/..", '""'])
def test_other_spellings_of_the_context_root(tmp_path, source):
    (finding,) = lint_in(tmp_path, f"FROM alpine:3.20\nCOPY {source} /app\n")
    assert finding.message.startswith(f"COPY {source} copies the whole build context")
