"""What a base image name tells about the image: its distribution family and users.

Known from the images' own documentation; an unknown image gets the conservative answer
(numeric user id, which works on every base without creating an account).
"""
from __future__ import annotations

from dataclasses import dataclass

from hullguard.dockerfile import ImageRef, Stage

ALPINE_LIKE = ("alpine", "busybox")
DEBIAN_LIKE = (
    "debian", "ubuntu", "python", "golang", "ruby", "rust", "openjdk", "eclipse-temurin", "amazoncorretto",
    "php", "perl", "gcc", "buildpack-deps", "maven", "gradle", "nginx", "httpd", "postgres", "mysql",
    "mariadb", "redis", "elixir", "erlang", "haskell", "swift", "julia", "r-base", "dotnet/sdk",
    "dotnet/aspnet", "dotnet/runtime",
)
RHEL_LIKE = ("fedora", "centos", "rockylinux", "almalinux", "ubi8", "ubi9", "ubi", "amazonlinux", "oraclelinux", "redhat/ubi8", "redhat/ubi9")
FALLBACK_UID = "10001:10001"
WINDOWS_SHELLS = frozenset({"cmd", "powershell"})


@dataclass(frozen=True)
class NonRootUser:
    """How to become non-root on a base: the USER value and the RUN that creates it, if any."""

    user: str
    create_command: str | None = None


def external_base(stage: Stage) -> ImageRef | None:
    """The external image a stage builds on, following ``FROM <earlier stage>``."""
    seen = set()
    while stage.base_stage is not None and stage.index not in seen:
        seen.add(stage.index)
        stage = stage.base_stage
    return stage.image


def is_windows(stage: Stage) -> bool:
    """Whether a stage builds on a Windows image: one the parser gives the ``cmd`` shell (a
    Windows image name or ``--platform=windows/…``), or a ``SHELL`` of ``cmd`` or Windows
    PowerShell in the stage or a stage it builds on (``pwsh`` runs on Linux too)."""
    seen = set()
    while stage.index not in seen:
        seen.add(stage.index)
        if any(_program(instruction.shell) in WINDOWS_SHELLS for instruction in stage.instructions):
            return True
        if stage.base_stage is None:
            return False
        stage = stage.base_stage
    return False


def _program(command: tuple[str, ...]) -> str:
    name = command[0].replace("\\", "/").rsplit("/", 1)[-1].lower() if command else ""
    return name.removesuffix(".exe")


def _matches(repository: str, names: tuple[str, ...]) -> bool:
    repository = repository.lower()
    return any(repository == name or repository.endswith("/" + name) for name in names)


def runs_as_non_root_by_default(image: ImageRef) -> bool:
    """Images documented to default to a non-root user (distroless ``:nonroot`` tags and the like)."""
    return "nonroot" in (image.tag or "") or "nonroot" in image.repository or "rootless" in (image.tag or "")


def is_alpine_like(image: ImageRef | None) -> bool:
    """Alpine or BusyBox based (``/bin/sh`` is BusyBox ash, no bash), by name or ``-alpine`` tag."""
    if image is None:
        return False
    return _matches(image.repository, ALPINE_LIKE) or "alpine" in (image.tag or "").lower()


def non_root_user_for(image: ImageRef | None) -> NonRootUser:
    if image is None or image.is_scratch:
        return NonRootUser(FALLBACK_UID)
    repository = image.repository.lower()
    tag = (image.tag or "").lower()
    if repository == "node" or repository.endswith("/node"):
        return NonRootUser("node")
    if "distroless" in repository or (image.registry or "").startswith("cgr.dev"):
        return NonRootUser("nonroot")
    if is_alpine_like(image):
        return NonRootUser("app", "addgroup -S app && adduser -S -G app -H -D app")
    if "minimal" in repository or "micro" in repository:
        return NonRootUser(FALLBACK_UID)  # ubi-minimal/micro ship without useradd
    if _matches(repository, RHEL_LIKE):
        return NonRootUser("app", "groupadd --system app && useradd --system --gid app --no-create-home app")
    if _matches(repository, DEBIAN_LIKE) or any(word in tag for word in ("bookworm", "bullseye", "buster", "jammy", "noble", "focal", "slim")):
        return NonRootUser("app", "groupadd --system app && useradd --system --gid app --no-create-home app")
    return NonRootUser(FALLBACK_UID)
