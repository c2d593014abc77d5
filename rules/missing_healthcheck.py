"""HG509 missing-healthcheck: the final stage has no HEALTHCHECK (off by default)."""
from __future__ import annotations

from hullguard.context import RuleContext
from hullguard.dockerfile import Dockerfile
from hullguard.model import Format, Rule, RuleDocs, Severity


def check_dockerfile(dockerfile: Dockerfile, context: RuleContext):
    final = dockerfile.final_stage
    stage = final
    while stage is not None:  # FROM <stage> inherits the stage's HEALTHCHECK
        if any(instruction.keyword == "HEALTHCHECK" for instruction in stage.instructions):
            return  # HEALTHCHECK NONE is an explicit opt-out
        stage = stage.base_stage
    yield RULE.finding(final.image_span, "final stage has no HEALTHCHECK (add one, or HEALTHCHECK NONE to opt out)")


RULE = Rule(
    code="HG509",
    name="missing-healthcheck",
    severity=Severity.INFO,
    summary="No HEALTHCHECK in the final stage",
    docs=RuleDocs(
        what="Reports a final stage without a `HEALTHCHECK`, neither its own nor one inherited "
        "through `FROM <stage>`. `HEALTHCHECK NONE` is an explicit choice and is accepted. A "
        "health check set by an external base image cannot be seen and is not counted. The "
        "finding points at the final stage's base image. Off by default: enable it with "
        "`--select HG509` or `extend-select`.",
        why="Without a health check, Docker and Swarm only know whether the process runs, not "
        "whether it still serves: a hung or deadlocked service stays in rotation. Kubernetes "
        "ignores `HEALTHCHECK` (it uses probes), hence off by default.",
        example="```dockerfile\nFROM nginx:1.27   # HG509\nCOPY site /usr/share/nginx/html\n```\nFixed:\n"
        "```dockerfile\nFROM nginx:1.27\nCOPY site /usr/share/nginx/html\n"
        "HEALTHCHECK --interval=30s --timeout=3s CMD curl -fsS http://localhost/ || exit 1\n```",
        fix="None automatic: only you know what \"healthy\" means for the service. Add a "
        "`HEALTHCHECK CMD …` that exercises it, or `HEALTHCHECK NONE` to record the decision "
        "(for example when the orchestrator probes it).",
        peers="checkov CKV_DOCKER_2; trivy DS026. hadolint has no equivalent.",
    ),
    checks={Format.DOCKERFILE: check_dockerfile},
    enabled_by_default=False,
)
