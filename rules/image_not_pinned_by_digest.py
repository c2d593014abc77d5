"""HG202 image-not-pinned-by-digest: an image is pulled by tag, not by digest."""
from __future__ import annotations

from hullguard.context import RuleContext
from hullguard.model import Format, Rule, RuleDocs, Severity
from hullguard.rules._images import image_references


def check_images(model, context: RuleContext):
    for reference in image_references(model):
        if reference.image.digest is None:
            yield RULE.finding(reference.span, f"{reference.tagged_label} is not pinned by digest, so its content can change under the same reference")


RULE = Rule(
    code="HG202",
    name="image-not-pinned-by-digest",
    severity=Severity.WARNING,
    summary="Image is not pinned by digest",
    docs=RuleDocs(
        what="Checks every external image that is pulled and fires when the reference carries "
        "no digest (`@sha256:…`), whatever its tag. The images are those HG201 checks: `FROM` "
        "bases and `COPY --from=<image>` in a Dockerfile, each compose service's `image:` "
        "(unless the service also has `build:`, where `image:` names what compose builds), "
        "and the `image` of every container, init container and ephemeral container in "
        "Kubernetes manifests. Not checked: `scratch`, stage references, and references that "
        "depend on a build argument or compose variable without a default, or that are "
        "template placeholders.",
        why="A tag is a movable pointer: `python:3.12-slim` is re-pushed with every patch "
        "release, and a registry or account compromise can point any tag at new content. Only "
        "a digest names exact bytes, so the image you reviewed is the image you build on or "
        "run. Keep the tag next to the digest so humans (and update bots) still see the version.",
        example="```dockerfile\nFROM python:3.12-slim   # HG202\n```\n"
        "Fixed:\n```dockerfile\nFROM python:3.12-slim@sha256:<digest of the image you reviewed>\n```\n"
        "Compose:\n```yaml\nservices:\n  db:\n    image: postgres:17.2   # HG202\n```\n"
        "Fixed:\n```yaml\nservices:\n  db:\n    image: postgres:17.2@sha256:<digest>\n```\n"
        "Kubernetes:\n```yaml\n    containers:\n      - name: app\n        image: ghcr.io/acme/app:2.4.0   # HG202\n```\n"
        "Fixed:\n```yaml\n    containers:\n      - name: app\n        image: ghcr.io/acme/app:2.4.0@sha256:<digest>\n```",
        fix="None yet: the digest has to be looked up in the registry, which a linter working "
        "offline cannot do. Get it with `docker buildx imagetools inspect python:3.12-slim` "
        "and append it as `@sha256:…`.",
        peers="checkov CKV_K8S_43 (Kubernetes). No direct hadolint or trivy equivalent; hadolint "
        "DL3006/DL3007, checkov CKV_DOCKER_7 and trivy DS001 only cover the untagged and "
        "`:latest` case (HG201).",
    ),
    checks={Format.DOCKERFILE: check_images, Format.COMPOSE: check_images, Format.KUBERNETES: check_images},
)
