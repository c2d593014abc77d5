"""HG509 missing-healthcheck: the final stage, or a compose service and the image it builds,
has no health check (off by default)."""
from __future__ import annotations

from hullguard.compose import ComposeFile
from hullguard.context import RuleContext
from hullguard.dockerfile import Dockerfile, Stage
from hullguard.model import Format, Rule, RuleDocs, Severity
from hullguard.rules._build import build_of, built_dockerfile
from hullguard.yamldoc import YamlScalar
from hullguard.yamlfile import node_at


def has_healthcheck(stage: Stage) -> bool:
    """Whether the stage has a HEALTHCHECK, its own or one inherited through ``FROM <stage>``
    (``HEALTHCHECK NONE``, an explicit opt-out, counts)."""
    while stage is not None:
        if any(instruction.keyword == "HEALTHCHECK" for instruction in stage.instructions):
            return True
        stage = stage.base_stage
    return False


def check_dockerfile(dockerfile: Dockerfile, context: RuleContext):
    final = dockerfile.final_stage
    if not has_healthcheck(final):
        yield RULE.finding(final.image_span, "final stage has no HEALTHCHECK (add one, or HEALTHCHECK NONE to opt out)")


def check_compose(compose: ComposeFile, context: RuleContext):
    for service in compose.services:
        healthcheck = node_at(service.mapping, "healthcheck")
        if healthcheck is not None and not (isinstance(healthcheck, YamlScalar) and healthcheck.is_null):
            continue  # its own check, or `disable: true`, an explicit opt-out
        if service.mapping is not None and service.mapping.get("extends") is not None:
            continue  # the healthcheck may come from the extended service
        build = build_of(service.mapping)
        if build is None:
            message = f"{service.label} has no healthcheck (add one, or healthcheck: {{disable: true}} to opt out)"
        else:
            built = built_dockerfile(build, context)
            if built is None or has_healthcheck(built.stage):
                continue  # the image's own HEALTHCHECK applies (or its Dockerfile cannot be read)
            message = f"{service.label} has no healthcheck and its image's Dockerfile ({built.shown}) sets no HEALTHCHECK"
        yield RULE.finding(service.anchor, message)


RULE = Rule(
    code="HG509",
    name="missing-healthcheck",
    severity=Severity.INFO,
    summary="No health check for the container",
    docs=RuleDocs(
        what="Reports a final stage without a `HEALTHCHECK`, neither its own nor one inherited "
        "through `FROM <stage>`. `HEALTHCHECK NONE` is an explicit choice and is accepted. A "
        "health check set by an external base image cannot be seen and is not counted. The "
        "finding points at the final stage's base image. Off by default: enable it with "
        "`--select HG509` or `extend-select`.\n\n"
        "In compose files it reports a service without a `healthcheck` whose image has none "
        "either: for a service that `build`s, the built stage of its Dockerfile (`target`, else "
        "the last) is read, and its `HEALTHCHECK` (or `HEALTHCHECK NONE`) counts; a service that "
        "only names an `image` is reported, since a registry image's health check cannot be seen. "
        "`healthcheck: {disable: true}` is an explicit opt-out and is accepted, like "
        "`HEALTHCHECK NONE`. Services that `extend` another, and builds whose Dockerfile cannot "
        "be read (a remote context, a `${VAR}` in the path), are skipped. The finding points at "
        "the service's name.",
        why="Without a health check, Docker and Swarm only know whether the process runs, not "
        "whether it still serves: a hung or deadlocked service stays in rotation. Kubernetes "
        "ignores `HEALTHCHECK` (it uses probes), hence off by default.",
        example="```dockerfile\nFROM nginx:1.27   # HG509\nCOPY site /usr/share/nginx/html\n```\nFixed:\n"
        "```dockerfile\nFROM nginx:1.27\nCOPY site /usr/share/nginx/html\n"
        "HEALTHCHECK --interval=30s --timeout=3s CMD curl -fsS http://localhost/ || exit 1\n```\n"
        "Compose:\n```yaml\nservices:\n  web:   # HG509\n    image: nginx:1.27\n```\nFixed:\n"
        "```yaml\nservices:\n  web:\n    image: nginx:1.27\n    healthcheck:\n"
        "      test: [\"CMD\", \"curl\", \"-fsS\", \"http://localhost/\"]\n      interval: 30s\n"
        "      timeout: 3s\n```",
        fix="None automatic: only you know what \"healthy\" means for the service. Add a "
        "`HEALTHCHECK CMD …` (compose: `healthcheck.test`) that exercises it, or `HEALTHCHECK "
        "NONE` (`healthcheck: {disable: true}`) to record the decision (for example when the "
        "orchestrator probes it).",
        peers="checkov CKV_DOCKER_2; trivy DS026. hadolint has no equivalent.",
    ),
    checks={Format.DOCKERFILE: check_dockerfile, Format.COMPOSE: check_compose},
    enabled_by_default=False,
)
