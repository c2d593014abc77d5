"""HG201 mutable-image-tag: an image is pulled with no tag or with ``:latest``."""
from __future__ import annotations

from hullguard.context import RuleContext
from hullguard.model import Format, Rule, RuleDocs, Severity
from hullguard.rules._images import image_references


def check_images(model, context: RuleContext):
    for reference in image_references(model):
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
        what="Checks every external image that is pulled and fires when the reference has no "
        "tag or the tag `latest`. In a Dockerfile: `FROM` bases and `COPY --from=<image>`, "
        "after global `ARG` values are filled in. In a compose file: each service's `image:`, "
        "read as docker compose reads it with no variable set (`nginx:${TAG:-latest}` is "
        "`nginx:latest`). In Kubernetes manifests: the `image` of every container, init "
        "container and ephemeral container of every workload (Pod, Deployment, StatefulSet, "
        "DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, PodTemplate, and the "
        "items of a `List`). Not checked: references pinned by a digest (`@sha256:…`); "
        "`scratch`; `FROM <earlier stage>` and `COPY --from=<stage name or index>`; references "
        "that depend on a build argument or compose variable without a default, or that are "
        "template placeholders; and the `image:` of a compose service that also has `build:`, "
        "which names the image compose builds rather than one it pulls (its base images are "
        "checked in its Dockerfile).",
        why="`latest` is whatever the publisher pushed last: the same file builds or runs a "
        "different image tomorrow, possibly a new major version, and a hijacked or mistaken "
        "push flows straight into your build or cluster. A reference without a tag means "
        "`:latest`. Builds stop being reproducible, a security review of the image no longer "
        "holds, and in Kubernetes two replicas of one Deployment can run different code (with "
        "`:latest` the kubelet pulls again whenever a pod starts).",
        example="```dockerfile\nFROM nginx                # HG201: no tag\n"
        "COPY --from=busybox:latest /bin/busybox /busybox   # HG201\n```\n"
        "Fixed:\n```dockerfile\nFROM nginx:1.27.3\nCOPY --from=busybox:1.37 /bin/busybox /busybox\n```\n"
        "Compose:\n```yaml\nservices:\n  cache:\n    image: redis:latest   # HG201\n```\n"
        "Fixed:\n```yaml\nservices:\n  cache:\n    image: redis:7.4.1\n```\n"
        "Kubernetes:\n```yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n"
        "    - name: web\n      image: nginx   # HG201: no tag\n```\n"
        "Fixed:\n```yaml\n    - name: web\n      image: nginx:1.27.3\n```",
        fix="None: hullguard cannot know which version you want. Pick a version tag (better, "
        "a digest too — see HG202).",
        peers="hadolint DL3006 (no tag) and DL3007 (`latest`); checkov CKV_DOCKER_7 and "
        "CKV_K8S_14; trivy DS001 and KSV013; kube-linter latest-tag.",
    ),
    checks={Format.DOCKERFILE: check_images, Format.COMPOSE: check_images, Format.KUBERNETES: check_images},
    hadolint=("DL3006", "DL3007"),
)
