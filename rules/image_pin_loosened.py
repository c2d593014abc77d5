"""HG208 image-pin-loosened: a change moves an image reference from a digest or a fixed
version tag to a tag that moves (``check --since`` only)."""
from __future__ import annotations

import re

from hullguard.context import RuleContext
from hullguard.dockerfile import ImageRef
from hullguard.identity import Locator
from hullguard.model import Format, Rule, RuleDocs, Severity
from hullguard.rules._images import ImageReference, image_references
from hullguard.rules._previous import previous

DIGEST, FIXED, MOVING, LATEST = 3, 2, 1, 0
# A tag that names one build: a full version (1.27.3, v2.1.0-alpine), a date (20240701) or a
# commit id (sha-1a2b3c4, 1a2b3c4d). Anything else (1.27, 3, stable, alpine) moves.
_FIXED_TAG = re.compile(
    r"(?<![\d.])v?\d+\.\d+\.\d+(?![\d.])"
    r"|(?<!\d)\d{8}(?!\d)"
    r"|(?:^|[-_.])(?:sha-)?(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,64}(?:$|[-_.])"
)


def pinning(image: ImageRef) -> int:
    """How firmly a reference names one image: DIGEST, FIXED, MOVING or LATEST."""
    if image.digest is not None:
        return DIGEST
    if image.tag is None or image.tag == "latest":
        return LATEST
    return FIXED if _FIXED_TAG.search(image.tag) else MOVING


def _described(image: ImageRef) -> str:
    digest = f"@{image.digest[:19]}…" if image.digest and len(image.digest) > 19 else f"@{image.digest}" if image.digest else ""
    written = f"'{image.name}" + (f":{image.tag}" if image.tag else "") + digest + "'"
    kind = {
        DIGEST: "pinned by digest",
        FIXED: "a fixed version tag",
        MOVING: "a tag that moves to new releases",
        LATEST: "no tag: :latest, which moves with every push" if image.tag is None else "moves with every push",
    }[pinning(image)]
    return f"{written} ({kind})"


def _keyed(model) -> dict[tuple[str, ...], ImageReference]:
    """The file's image references by what they belong to: a stage's FROM, a stage's COPY
    --from of one repository, a service, a container."""
    locator = Locator(model)
    found = {}
    for reference in image_references(model):
        subject = locator.subject(reference.span)
        repository = reference.image.name if reference.role == "COPY --from image" else ""
        found[(subject.owner, subject.path, reference.role, repository)] = reference
    return found


def check_images(model, context: RuleContext):
    old = previous(context, type(model))
    if old is None:
        return
    before = _keyed(old)
    for key, reference in _keyed(model).items():
        old_reference = before.get(key)
        if old_reference is None:
            continue
        was, now = pinning(old_reference.image), pinning(reference.image)
        if was >= FIXED and now <= MOVING:
            owner = reference.owner or ("the final stage" if key[0] == "final stage" else key[0])
            message = f"{reference.role} of {owner} changed from {_described(old_reference.image)} to {_described(reference.image)}"
            yield RULE.finding(reference.tag_span, message)


RULE = Rule(
    code="HG208",
    name="image-pin-loosened",
    severity=Severity.WARNING,
    summary="Image reference changed from a digest or fixed tag to a moving tag (--since only)",
    docs=RuleDocs(
        what="A regression rule: it runs only under `hullguard check --since REF` and compares "
        "each image reference with the same one at `REF`: a stage's `FROM` (the unnamed last "
        "stage is the final stage; others by name), a stage's `COPY --from=<image>` of the same "
        "repository, a compose service's `image:`, a Kubernetes container's `image`. It fires "
        "when the reference was pinned by a digest (`@sha256:…`) or a fixed version tag and now "
        "is neither, with a tag that moves or none:\n\n"
        "- *fixed* tags name one build: a full version (`1.27.3`, `v2.1.0-alpine`, "
        "`3.12.4-slim-bookworm`), a date (`20240701`) or a commit id (`sha-1a2b3c4`);\n"
        "- *moving* tags follow new releases: `1.27`, `3`, `stable`, `alpine`, `bookworm`;\n"
        "- no tag means `:latest`, which moves with every push.\n\n"
        "A digest replaced by a fixed tag is not reported here (HG202 reports every reference "
        "without a digest). The message gives the old and the new reference.",
        why="A digest or exact version makes a build reproducible and the reviewed image the "
        "one that runs. Relaxing it is a one-word change that reads like housekeeping in a diff, "
        "yet from then on the image changes whenever the publisher pushes, including a "
        "compromised or broken push, without any change in your repository.",
        example="At `REF`:\n```dockerfile\nFROM python:3.12.4-slim@sha256:"
        "8f0d1e4b2a9c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e\n```\nNow "
        "(`hullguard check --since REF`):\n```dockerfile\nFROM python:3.12-slim   # HG208\n```\n"
        "Compose, at `REF` `image: redis:7.4.1`, now:\n```yaml\nservices:\n  cache:\n"
        "    image: redis:7   # HG208\n```\nFixed: keep the digest or the full version when "
        "updating (`hullguard pin` writes digests).",
        fix="None automatic: the new version is your choice. Use a fixed version tag and pin it "
        "with `hullguard pin` (or `resolve-digests` with `--fix`).",
        peers="No peer compares with an earlier version. Single-file checks: HG201 "
        "(`:latest`), HG202 (no digest); hadolint DL3006/DL3007; checkov CKV_DOCKER_7.",
    ),
    checks={Format.DOCKERFILE: check_images, Format.COMPOSE: check_images, Format.KUBERNETES: check_images},
    needs_previous=True,
)
