"""The Dockerfile a compose service builds its image from, for rules that look through a
service's ``build:`` at the image it makes (HG101: the user the image runs as).

Compose's forms: ``build: ./dir`` (a context folder holding ``Dockerfile``), or a mapping
with ``context`` (default ``.``), ``dockerfile`` (default ``Dockerfile``, relative to the
context), ``dockerfile_inline`` (the Dockerfile's text), ``target`` (the stage built instead
of the last one) and ``args``. Paths are relative to the compose file's folder. Anything this
cannot resolve without guessing gives None: a remote context (a Git or HTTP URL), a
``${VAR}`` in a path or a target, a target that names no stage, an inline Dockerfile written
with ``$`` (compose interpolates it first), a file that is absent or does not parse, and
unsaved text (no folder to look in).
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from hullguard.context import RuleContext
from hullguard.dockerfile import Dockerfile, DockerfileError, Stage, parse_dockerfile
from hullguard.text import SourceText
from hullguard.yamldoc import YamlMapping, YamlNode, YamlScalar
from hullguard.yamlfile import text_of

DEFAULT_DOCKERFILE = "Dockerfile"
# What docker takes for a remote context rather than a folder: a URL, an SSH Git address, github.com/…
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@|github\.com/)", re.IGNORECASE)


@dataclass(frozen=True)
class Build:
    dockerfile: Dockerfile
    shown: str  # how messages name it: "app/Dockerfile" (relative to the compose file) or "dockerfile_inline"
    stage: Stage  # the stage the build produces: the ``target``, else the last one
    target: str | None  # ``build.target`` as written, when set
    has_args: bool  # ``build.args`` is set: a value the Dockerfile writes with a variable is unknown

    def location(self, line: int) -> str:
        """``app/Dockerfile:12`` for a 0-based ``line``."""
        return f"{self.shown}:{line + 1}"


def build_of(service_mapping: YamlMapping | None) -> YamlNode | None:
    """The service's ``build`` value, None when it has none (or ``build:`` with no value)."""
    node = service_mapping.get("build") if service_mapping is not None else None
    return None if node is None or (isinstance(node, YamlScalar) and node.is_null) else node


def built_dockerfile(build: YamlNode, context: RuleContext) -> Build | None:
    """The Dockerfile and stage a service's ``build`` value makes its image from; None when
    that cannot be known (see the module's docs)."""
    target = None
    has_args = False
    inline = None
    if isinstance(build, YamlScalar):
        folder, name = text_of(build), DEFAULT_DOCKERFILE
    elif isinstance(build, YamlMapping):
        folder = "." if _absent(build.get("context")) else text_of(build.get("context"))
        name = DEFAULT_DOCKERFILE if _absent(build.get("dockerfile")) else text_of(build.get("dockerfile"))
        if not _absent(build.get("dockerfile_inline")):
            inline = text_of(build.get("dockerfile_inline"))
            if inline is None:
                return None
        if not _absent(build.get("target")):
            target = text_of(build.get("target"))
            if target is None or "$" in target:
                return None
        has_args = not _absent(build.get("args"))
    else:
        return None
    if inline is not None:
        dockerfile, shown = _parsed(inline), "dockerfile_inline"
    else:
        if folder is None or name is None or "$" in folder + name or _REMOTE.search(folder) or context.path is None:
            return None
        dockerfile = context.dockerfile(context.path.parent / folder / name)
        shown = name if Path(name).is_absolute() else posixpath.normpath(posixpath.join(folder.replace("\\", "/"), name.replace("\\", "/")))
    if dockerfile is None:
        return None
    stage = dockerfile.final_stage if target is None else dockerfile.stage_named(target)
    if stage is None:
        return None
    return Build(dockerfile, shown, stage, target, has_args)


def _absent(node: YamlNode | None) -> bool:
    return node is None or (isinstance(node, YamlScalar) and node.is_null)


def _parsed(text: str) -> Dockerfile | None:
    if "$" in text:
        return None  # compose interpolates ${VAR} (and $$) in it before building: not the text we see
    try:
        return parse_dockerfile(SourceText(text))
    except (DockerfileError, RecursionError):
        return None
