"""HG602 package-cache-left-in-layer: a package manager's cache is written into the image."""
from __future__ import annotations

import re

from hullguard.context import RuleContext
from hullguard.dockerfile import Dockerfile, Instruction
from hullguard.edits import insert_at
from hullguard.model import Applicability, Fix, Format, Rule, RuleDocs, Severity
from hullguard.rules._shell import (
    Install, RunCommand, covers, instruction_commands, parse_arguments, run_installs, run_instructions, shipped_stages,
)
from hullguard.rules._variables import variables_before

# Where each package manager leaves what the rule is about (package lists, index, caches).
CACHE_DIRS = {
    "apt": ("/var/lib/apt/lists",),
    "apk": ("/var/cache/apk", "/etc/apk/cache"),
    "pip": ("/root/.cache/pip",),
    "yum": ("/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5"),
}
_HOME = re.compile(r"^(?:~|\$HOME|\$\{HOME\})(?=/|$)")


def _covers_cache(family: str, path: str) -> bool:
    path = _HOME.sub("/root", path)
    if family == "pip" and path.rstrip("*").rstrip("/").endswith(("/.cache/pip", "/.cache")):
        return True  # any user's pip cache, e.g. /home/app/.cache/pip
    return any(covers(path, directory) for directory in CACHE_DIRS[family])


def _scratch_mount_targets(instruction: Instruction) -> list[str]:
    """Targets of ``RUN --mount=type=cache`` and ``type=tmpfs`` mounts: what is written there
    never reaches the layer."""
    targets = []
    for mount in instruction.flag_values("mount"):
        options = dict(part.split("=", 1) for part in mount.split(",") if "=" in part)
        if options.get("type") in ("cache", "tmpfs"):
            target = options.get("target") or options.get("dst") or options.get("destination")
            if target:
                targets.append(target)
    return targets


def _cleans_up(family: str, command: RunCommand) -> bool:
    """Whether a command removes the family's cache: ``rm`` of the folder, ``apt-get dist-clean``
    (apt 2.7+: clean and remove the lists), ``yum clean all``, ``pip cache purge``."""
    if command.name == "rm":
        return any(_covers_cache(family, word.value) for word in command.arguments if not word.value.startswith("-"))
    tool = command.tool
    if tool is None or tool.family != family:
        return False
    operands = [word.value for word in parse_arguments(tool.arguments).operands]
    return (
        (family == "apt" and operands[:1] == ["dist-clean"])
        or (family == "yum" and operands[:2] == ["clean", "all"])
        or (family == "pip" and operands[:2] == ["cache", "purge"])
    )


def _disabled_by_option(install: Install, command: RunCommand, dockerfile: Dockerfile, instruction: Instruction) -> bool:
    if install.family == "apk":  # --no-network: installs from what is already there, fetches no index
        return install.arguments.get("--no-cache", "--no-network") is not None
    if install.family == "pip":
        if any(option.name.startswith("--no-cache") and "--no-cache-dir".startswith(option.name) for option in install.arguments.options):
            return True  # pip takes unambiguous abbreviations such as --no-cache
        prefix = {word.value.split("=", 1)[0]: word.value.split("=", 1)[1] for word in command.assignments}
        return bool(prefix.get("PIP_NO_CACHE_DIR") or variables_before(dockerfile, instruction).get("PIP_NO_CACHE_DIR"))
    return False


def _message_and_fixes(install: Install, script) -> tuple[str, list[Fix]]:
    name, subcommand = install.tool.name, install.subcommand.value
    end = script.word_span(install.subcommand).end
    if install.family == "apt":
        return f"{name} {subcommand} leaves the package lists in the layer: end this RUN with 'rm -rf /var/lib/apt/lists/*'", []
    if install.family == "apk":
        fix = Fix("Add --no-cache to apk add", Applicability.SAFE, (insert_at(end, " --no-cache"),))
        return f"{name} {subcommand} keeps the package index in the layer: use '{name} {subcommand} --no-cache'", [fix]
    if install.family == "pip":
        fix = Fix("Add --no-cache-dir to pip install", Applicability.SAFE, (insert_at(end, " --no-cache-dir"),))
        return f"{name} {subcommand} keeps its download cache in the layer: use '{name} {subcommand} --no-cache-dir'", [fix]
    return f"{name} {subcommand} leaves its cache in the layer: end this RUN with '{name} clean all'", []


def check_dockerfile(dockerfile: Dockerfile, context: RuleContext):
    shipped = shipped_stages(dockerfile)
    for instruction in run_instructions(dockerfile):
        if instruction.stage is None or instruction.stage.index not in shipped:
            continue  # only COPY --from-ed: its layers are not in any image
        installs = run_installs(instruction)
        if not installs:
            continue
        mounts = _scratch_mount_targets(instruction)
        commands = instruction_commands(instruction)
        for position, run in installs:
            install = run.install
            family = install.family
            if family not in CACHE_DIRS or any(_covers_cache(family, target) for target in mounts):
                continue
            if _disabled_by_option(install, run, dockerfile, instruction):
                continue
            if any(_cleans_up(family, later) for later in commands[position + 1 :]):
                continue
            message, fixes = _message_and_fixes(install, run.script)
            yield RULE.finding(run.script.word_span(install.subcommand), message, fixes)


RULE = Rule(
    code="HG602",
    name="package-cache-left-in-layer",
    severity=Severity.WARNING,
    summary="Package manager cache left in the image layer",
    docs=RuleDocs(
        what="Reports package installs in a `RUN` whose caches end up in the layer: `apt-get install`/"
        "`apt install` without an `rm -rf /var/lib/apt/lists/*` (or `apt-get dist-clean`) later in the "
        "same `RUN`; `apk add` without `--no-cache` (or `--no-network`, or a later `rm -rf /var/cache/apk/*`); "
        "`pip install` (also `python -m pip`) without `--no-cache-dir`, a `PIP_NO_CACHE_DIR` in force "
        "(`ENV`, also from the stage it builds `FROM`, or `ARG` with a default) or set before the command, "
        "a later `pip cache purge` or removal of the pip cache; `yum`/`dnf`/`microdnf install` without a "
        "later `clean all` (or removal of `/var/cache/yum`, `/var/cache/dnf`). A `RUN --mount=type=cache` "
        "(or `type=tmpfs`) over the cache folder keeps it out of the layer and is accepted: `/var/lib/apt` "
        "or `/var/lib/apt/lists` for apt (a mount of `/var/cache/apt` alone does not cover the package "
        "lists), `/var/cache/apk` or `/etc/apk/cache` for apk, `/root/.cache/pip` or any `…/.cache/pip` "
        "for pip, `/var/cache/dnf` or `/var/cache/yum`. Stages that are only copied from (`COPY --from`) "
        "are skipped: their layers are not shipped. The finding is on the `install`/`add` word.",
        why="Files deleted in a later `RUN` still take space in the earlier layer, so a cache must be kept out "
        "in the same `RUN`. Package lists and indexes (tens of megabytes for apt and dnf) and pip's copies of "
        "every downloaded wheel make the image bigger and every pull slower, and stale package lists left in "
        "a base image let a later `apt-get install` without `apt-get update` install outdated packages.",
        example="```dockerfile\nFROM alpine:3.20\nRUN apk add curl   # HG602 on add\n```\n"
        "Fixed:\n```dockerfile\nFROM alpine:3.20\nRUN apk add --no-cache curl\n```",
        fix="Safe for apk and pip: inserts ` --no-cache` after `apk add` and ` --no-cache-dir` after `pip "
        "install`; the same packages are installed. No automatic fix for apt and yum/dnf: add "
        "`&& rm -rf /var/lib/apt/lists/*` or `&& dnf clean all` at the end of the `RUN` yourself (where it "
        "goes depends on the commands after the install), or use a cache mount.",
        peers="hadolint DL3009 (apt lists), DL3019 (apk --no-cache), DL3042 (pip --no-cache-dir), DL3032 "
        "(yum clean all), DL3040 (dnf clean all).",
    ),
    checks={Format.DOCKERFILE: check_dockerfile},
    fix=Applicability.SAFE,
    hadolint=("DL3009", "DL3019", "DL3032", "DL3040", "DL3042"),
)
