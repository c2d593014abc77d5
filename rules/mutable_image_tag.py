"""HG201 mutable-image-tag: an image is pulled with no tag or with ``:latest``."""
from __future__ import annotations

from hullguard.context import RuleContext
from hullguard.dockerfile import Dockerfile
from hullguard.model import Format, Rule, RuleDocs, Severity
from hullguard.rules._images import external_images


def check_dockerfile(dockerfile: Dockerfile, context: RuleContext):
    for reference in external_images(dockerfile):
        image = reference.image
        if image.digest is not None:
            continue  # the digest decides what is pulled, whatever the tag says
        if image.tag is None:
            yield RULE.finding(reference.tag_span, f"{reference.label} has no tag, so it floats to whatever :latest is")
        elif image.tag == "latest":
            yield RULE.finding(reference.tag_span, f"{reference.label} uses the mutable ':latest' tag")


RULE = Rule(
    code="HG201",
    name="mutable-image-tag",
    severity=Severity.WARNING,
    summary="Image has no tag or uses :latest",
    docs=RuleDocs(
        what="Checks every external image the build pulls — `FROM` bases and "
        "`COPY --from=<image>` — after global `ARG` values are filled in, and fires when the "
        "reference has no tag or the tag `latest`. Not checked: `scratch`, `FROM <earlier "
        "stage>`, `COPY --from=<stage name or index>`, references pinned by a digest "
        "(`@sha256:…`), and references that depend on a build argument without a default.",
        why="`latest` is whatever the publisher pushed last: the same Dockerfile builds a "
        "different image tomorrow, possibly a new major version, and a hijacked or mistaken "
        "push flows straight into your build. A reference without a tag means `:latest`. "
        "Builds stop being reproducible and a security review of the base no longer holds.",
        example="```dockerfile\nFROM nginx                # HG201: no tag\n"
        "COPY --from=busybox:latest /bin/busybox /busybox   # HG201\n```\n"
        "Fixed:\n```dockerfile\nFROM nginx:1.27.3\nCOPY --from=busybox:1.37 /bin/busybox /busybox\n```",
        fix="None: hullguard cannot know which version you want. Pick a version tag (better, "
        "a digest too — see HG202).",
        peers="hadolint DL3006 (no tag) and DL3007 (`latest`); checkov CKV_DOCKER_7; trivy DS001.",
    ),
    checks={Format.DOCKERFILE: check_dockerfile},
    hadolint=("DL3006", "DL3007"),
)
