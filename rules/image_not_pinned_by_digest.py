"""HG202 image-not-pinned-by-digest: an image is pulled by tag, not by digest."""
from __future__ import annotations

from hullguard.context import RuleContext
from hullguard.dockerfile import Dockerfile
from hullguard.model import Format, Rule, RuleDocs, Severity
from hullguard.rules._images import external_images


def check_dockerfile(dockerfile: Dockerfile, context: RuleContext):
    for reference in external_images(dockerfile):
        if reference.image.digest is None:
            yield RULE.finding(reference.span, f"{reference.tagged_label} is not pinned by digest, so its content can change under the same reference")


RULE = Rule(
    code="HG202",
    name="image-not-pinned-by-digest",
    severity=Severity.WARNING,
    summary="Image is not pinned by digest",
    docs=RuleDocs(
        what="Checks every external image the build pulls — `FROM` bases and "
        "`COPY --from=<image>` — and fires when the reference carries no digest "
        "(`@sha256:…`), whatever its tag. Not checked: `scratch`, `FROM <earlier stage>`, "
        "`COPY --from=<stage name or index>`, and references that depend on a build argument "
        "without a default.",
        why="A tag is a movable pointer: `python:3.12-slim` is re-pushed with every patch "
        "release, and a registry or account compromise can point any tag at new content. Only "
        "a digest names exact bytes, so the image you reviewed is the image you build on. "
        "Keep the tag next to the digest so humans (and update bots) still see the version.",
        example="```dockerfile\nFROM python:3.12-slim   # HG202\n```\n"
        "Fixed:\n```dockerfile\nFROM python:3.12-slim@sha256:<digest of the image you reviewed>\n```",
        fix="None yet: the digest has to be looked up in the registry, which a linter working "
        "offline cannot do. Get it with `docker buildx imagetools inspect python:3.12-slim` "
        "and append it as `@sha256:…`.",
        peers="No direct hadolint, checkov or trivy equivalent; hadolint DL3006/DL3007, checkov "
        "CKV_DOCKER_7 and trivy DS001 only cover the untagged and `:latest` case (HG201).",
    ),
    checks={Format.DOCKERFILE: check_dockerfile},
)
