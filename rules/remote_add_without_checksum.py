"""HG205 remote-add-without-checksum: ``ADD`` downloads a URL or git repository unverified."""
from __future__ import annotations

from hullguard.context import RuleContext
from hullguard.dockerfile import Dockerfile
from hullguard.model import Format, Rule, RuleDocs, Severity
from hullguard.rules._add import SourceKind, add_sources, git_commit_pinned


def check_dockerfile(dockerfile: Dockerfile, context: RuleContext):
    for instruction in dockerfile.instructions:
        if instruction.keyword != "ADD":
            continue
        if any(instruction.flag_values("checksum")):
            continue
        for source in add_sources(instruction):
            span = instruction.span(source.word.start, source.word.end)
            # The URL is not quoted in the message: it may carry credentials.
            if source.kind is SourceKind.URL:
                yield RULE.finding(span, "ADD downloads this URL without --checksum, so the content is not verified")
            elif source.kind is SourceKind.GIT and not git_commit_pinned(source.word.value):
                yield RULE.finding(span, "ADD clones this git repository without a pinned commit (--checksum or #<commit>), so the content is not verified")


RULE = Rule(
    code="HG205",
    name="remote-add-without-checksum",
    severity=Severity.WARNING,
    summary="ADD downloads without a checksum",
    docs=RuleDocs(
        what="Fires on each remote source of an `ADD` that nothing verifies: an `http(s)://` "
        "URL without `--checksum=sha256:…`, or a git repository (`git@…`, `git://…`, "
        "`ssh://…`, `https://….git`) without `--checksum=<commit>` and without a full commit "
        "hash as its ref (`…#<40-hex commit>`, `?commit=<hash>`). Sources built from "
        "variables are not checked.",
        why="Whatever the server returns at build time lands in the image: a compromised or "
        "changed download, a moved tag or a force-pushed branch changes your image without "
        "any change to the Dockerfile. A checksum (or commit hash) makes the build fail "
        "instead when the content is not the one you reviewed.",
        example="```dockerfile\nFROM alpine:3.20\nADD https://example.com/tool-1.2.tar.gz /tmp/   # HG205\n```\n"
        "Fixed:\n```dockerfile\nFROM alpine:3.20\n"
        "ADD --checksum=sha256:<sha256 of tool-1.2.tar.gz> https://example.com/tool-1.2.tar.gz /tmp/\n```",
        fix="None: a checksum cannot be computed offline. Download the file once, check it "
        "against the publisher's checksum or signature, and add `--checksum=sha256:<hex>` "
        "(BuildKit); for git, pin the commit (`ADD --checksum=<commit> https://…/repo.git#v1.2 /src` "
        "or `…/repo.git#<commit>`).",
        peers="No exact equivalent: hadolint DL3020 and checkov CKV_DOCKER_4 are about `ADD` "
        "versus `COPY` and only partly overlap; neither checks for `--checksum`.",
    ),
    checks={Format.DOCKERFILE: check_dockerfile},
)
