"""HG203 untrusted-registry: an image comes from a registry outside ``trusted-registries``."""
from __future__ import annotations

from hullguard.context import RuleContext
from hullguard.dockerfile import ImageRef
from hullguard.model import Format, Rule, RuleDocs, Severity
from hullguard.rules._images import image_references

DOCKER_HUB = "docker.io"
DOCKER_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"})


def _normalize_entry(entry: str) -> str:
    """``https://GHCR.io/MyOrg/`` -> ``ghcr.io/myorg``; Docker Hub aliases -> ``docker.io``."""
    entry = entry.strip().lower().removeprefix("https://").removeprefix("http://").rstrip("/")
    host, slash, path = entry.partition("/")
    return (DOCKER_HUB if host in DOCKER_HUB_ALIASES else host) + slash + path


def _registry(image: ImageRef) -> str:
    registry = (image.registry or DOCKER_HUB).lower()
    return DOCKER_HUB if registry in DOCKER_HUB_ALIASES else registry


def _full_name(image: ImageRef) -> str:
    """Registry and repository the way Docker resolves them: ``nginx`` is ``docker.io/library/nginx``."""
    registry = _registry(image)
    repository = image.repository.lower()
    if registry == DOCKER_HUB and "/" not in repository:
        repository = f"library/{repository}"
    return f"{registry}/{repository}"


def is_trusted(image: ImageRef, trusted: tuple[str, ...]) -> bool:
    """An entry is a registry host (``ghcr.io``, ``registry.example.com:5000``) or a host and
    path prefix (``ghcr.io/myorg``), matched on whole path components."""
    full_name = _full_name(image)
    entries = (_normalize_entry(entry) for entry in trusted)
    return any(entry and (full_name == entry or full_name.startswith(entry + "/")) for entry in entries)


def check_images(model, context: RuleContext):
    if not context.trusted_registries:
        return
    for reference in image_references(model):
        if not is_trusted(reference.image, context.trusted_registries):
            yield RULE.finding(
                reference.span,
                f"{reference.label} comes from '{_registry(reference.image)}', which is not in trusted-registries",
            )


RULE = Rule(
    code="HG203",
    name="untrusted-registry",
    severity=Severity.ERROR,
    summary="Image comes from a registry that is not trusted",
    docs=RuleDocs(
        what="Only active when `trusted-registries` is configured. Checks every external image "
        "that is pulled — `FROM` bases and `COPY --from=<image>` in a Dockerfile, each compose "
        "service's `image:` (unless the service also has `build:`, where `image:` names what "
        "compose builds), the `image` of every Kubernetes container, init container and "
        "ephemeral container — and fires when its registry is not listed. An image without a "
        "registry host comes from Docker Hub, written `docker.io` (its official images are "
        "`docker.io/library/<name>`). An entry is a "
        "registry host (`ghcr.io`, `registry.example.com:5000`) or a host with a path prefix "
        "(`ghcr.io/myorg`, `docker.io/library`), matched on whole path components, case-insensitively.",
        why="Where images may come from is a supply-chain policy: an internal mirror that is "
        "scanned and signed, or a vetted organisation on a public registry. An image "
        "pulled from anywhere else skips those controls, and a typo-squatted name on a public "
        "registry is one keystroke away. In a cluster, an admission policy usually enforces "
        "the same list; failing in review is cheaper than a rejected rollout.",
        example="```toml\n[tool.hullguard]\ntrusted-registries = [\"registry.example.com\", \"docker.io/library\"]\n```\n"
        "```dockerfile\nFROM ghcr.io/someone/python:3.12   # HG203\n```\n"
        "Fixed:\n```dockerfile\nFROM registry.example.com/python:3.12\n```\n"
        "Compose:\n```yaml\nservices:\n  proxy:\n    image: quay.io/someone/haproxy:3.0   # HG203\n```\n"
        "Fixed:\n```yaml\nservices:\n  proxy:\n    image: registry.example.com/haproxy:3.0\n```\n"
        "Kubernetes:\n```yaml\n    containers:\n      - name: app\n        image: ghcr.io/someone/app:1.0   # HG203\n```\n"
        "Fixed:\n```yaml\n    containers:\n      - name: app\n        image: registry.example.com/app:1.0\n```",
        fix="None: mirror the image into a trusted registry, or add its registry to `trusted-registries`.",
        peers="hadolint DL3026 (with `--trusted-registry`); trivy KSV0125 (Kubernetes).",
    ),
    checks={Format.DOCKERFILE: check_images, Format.COMPOSE: check_images, Format.KUBERNETES: check_images},
    hadolint=("DL3026",),
)
