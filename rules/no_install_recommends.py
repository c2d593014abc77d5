"""HG603 no-install-recommends: apt installs recommended packages too."""
from __future__ import annotations

import re

from hullguard.context import RuleContext
from hullguard.dockerfile import Dockerfile, Instruction
from hullguard.edits import insert_at
from hullguard.model import Applicability, Fix, Format, Rule, RuleDocs, Severity
from hullguard.rules._shell import Install, run_installs, run_instructions, stage_chain

_OFF = r"(?:false|0|no|off)"
_OPTION = re.compile(rf"(?i)^APT::Install-Recommends={_OFF}$")
# apt configuration written by an earlier command: APT::Install-Recommends "false";
_CONFIG = re.compile(rf"(?i)APT::Install-Recommends\s+\\?[\"']{_OFF}\b")


def _skips_recommends(install: Install) -> bool:
    if install.arguments.get("--no-install-recommends"):
        return True
    return any(option.value and _OPTION.match(option.value) for option in install.arguments.all("-o", "--option"))


def _configured_off(instruction: Instruction) -> bool:
    """Whether a RUN up to this one (in the stage or the stages it builds FROM) writes an apt
    setting that turns recommends off."""
    for stage in stage_chain(instruction.stage) if instruction.stage else ():
        for earlier in stage.instructions:
            if earlier.keyword == "RUN" and any(_CONFIG.search(script.text) for script in earlier.scripts):
                return True
            if earlier is instruction:
                break
    return False


def check_dockerfile(dockerfile: Dockerfile, context: RuleContext):
    for instruction in run_instructions(dockerfile):
        for _, run in run_installs(instruction):
            install = run.install
            if install.family != "apt" or _skips_recommends(install) or _configured_off(instruction):
                continue
            word_span = run.script.word_span(install.subcommand)
            fix = Fix("Add --no-install-recommends", Applicability.UNSAFE, (insert_at(word_span.end, " --no-install-recommends"),))
            yield RULE.finding(word_span, f"{install.tool.name} install without --no-install-recommends also installs recommended packages", [fix])


RULE = Rule(
    code="HG603",
    name="no-install-recommends",
    severity=Severity.INFO,
    summary="apt installs recommended packages",
    docs=RuleDocs(
        what="Reports `apt-get install` and `apt install` in a `RUN` without `--no-install-recommends` "
        "(or `-o APT::Install-Recommends=false`). A `RUN` of the stage, or of the stages it builds `FROM`, "
        "that writes `APT::Install-Recommends \"false\"` into the apt configuration also counts. The "
        "finding is on the `install` word.",
        why="By default apt also installs every package the requested ones *recommend*: often dozens of "
        "extra packages (documentation tools, daemons, X11 libraries) the image never uses. Each one is more "
        "size, more attack surface and more findings in every vulnerability scan.",
        example="```dockerfile\nFROM debian:bookworm-slim\n"
        "RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*   # HG603 on install\n```\n"
        "Fixed:\n```dockerfile\nFROM debian:bookworm-slim\n"
        "RUN apt-get update && apt-get install --no-install-recommends -y curl && rm -rf /var/lib/apt/lists/*\n```",
        fix="Unsafe: inserts ` --no-install-recommends` right after `install` (on the right line of a "
        "continued `RUN` or heredoc). The image then lacks the recommended packages, and some of them are "
        "needed more often than one thinks: `ca-certificates` is only recommended by `curl`'s and `git`'s "
        "packages, so HTTPS downloads can start failing. Add what is missing to the install explicitly.",
        peers="hadolint DL3015.",
    ),
    checks={Format.DOCKERFILE: check_dockerfile},
    fix=Applicability.UNSAFE,
    hadolint=("DL3015",),
)
