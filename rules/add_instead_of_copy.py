"""HG204 add-instead-of-copy: ``ADD`` of local files, which ``COPY`` does without surprises."""
from __future__ import annotations

from hullguard.context import RuleContext
from hullguard.dockerfile import Dockerfile, Instruction
from hullguard.edits import replace
from hullguard.model import Applicability, Fix, Format, Rule, RuleDocs, Severity
from hullguard.rules._add import SourceKind, add_sources

COPY_FLAGS = frozenset({"chown", "chmod", "link", "exclude", "parents"})  # ADD flags COPY accepts too


def check_dockerfile(dockerfile: Dockerfile, context: RuleContext):
    for instruction in dockerfile.instructions:
        if instruction.keyword != "ADD":
            continue
        sources = add_sources(instruction)
        if sources and all(source.kind in (SourceKind.LOCAL, SourceKind.HEREDOC) for source in sources):
            yield RULE.finding(instruction.keyword_span, "use COPY instead of ADD for local files", _fixes(dockerfile, instruction))


def _fixes(dockerfile: Dockerfile, instruction: Instruction) -> list[Fix]:
    flag_names = {flag.value.split("=", 1)[0][2:] for flag in instruction.flags}
    if not flag_names <= COPY_FLAGS:
        return []  # --checksum, --keep-git-dir, --unpack… exist for ADD only
    span = instruction.keyword_span
    written = dockerfile.source.slice(span)
    keyword = "copy" if written.islower() else "Copy" if written.istitle() else "COPY"
    return [Fix(f"Replace {written} with {keyword}", Applicability.SAFE, (replace(span, keyword),))]


RULE = Rule(
    code="HG204",
    name="add-instead-of-copy",
    severity=Severity.WARNING,
    summary="ADD used to copy local files",
    docs=RuleDocs(
        what="Fires on an `ADD` whose sources are all local files or folders of the build "
        "context, or heredocs — in shell and JSON form. Left alone: URL and git sources "
        "(see HG205), local archives ADD is meant to unpack (`.tar`, `.tar.gz`/`.tgz`, "
        "`.tar.bz2`/`.tbz2`, `.tar.xz`/`.txz`, `.tar.zst`, and bare `.gz`/`.bz2`/`.xz`/`.zst`), "
        "globs that could match one, and sources built from variables, which could be either.",
        why="`ADD` does more than copy: it downloads URLs and silently unpacks tar archives. "
        "Using it for plain files hides which of those behaviours a line relies on, and a "
        "file that turns out to be a tarball gets extracted instead of copied. `COPY` does "
        "one predictable thing, which makes the Dockerfile easier to review.",
        example="```dockerfile\nFROM python:3.12-slim\nADD requirements.txt /app/   # HG204\n```\n"
        "Fixed:\n```dockerfile\nFROM python:3.12-slim\nCOPY requirements.txt /app/\n```",
        fix="Safe: replaces the keyword with `COPY`, in the case it was written (`add` becomes "
        "`copy`); flags shared with COPY (`--chown`, `--chmod`, `--link`, `--exclude`, "
        "`--parents`) are kept. No fix when an ADD-only flag (`--checksum`, `--keep-git-dir`, "
        "`--unpack`) is present. The fix trusts file names: ADD recognises archives by "
        "content, so a tarball named like a plain file would stop being unpacked.",
        peers="hadolint DL3020; checkov CKV_DOCKER_4; trivy DS005.",
    ),
    checks={Format.DOCKERFILE: check_dockerfile},
    fix=Applicability.SAFE,
    hadolint=("DL3020",),
)
