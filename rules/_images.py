"""The external images a file pulls: a Dockerfile's ``FROM <image>`` and ``COPY --from=<image>``,
a compose service's ``image:``, and the ``image`` of every Kubernetes container.

Shared by HG201 (mutable tag), HG202 (no digest) and HG203 (untrusted registry), so the
three agree on what counts as an external image and where its reference is written.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Iterator

from hullguard.compose import ComposeFile
from hullguard.dockerfile import Dockerfile, ImageRef, Instruction, Stage
from hullguard.kubernetes import KubernetesFile
from hullguard.text import Span
from hullguard.words import substitute
from hullguard.yamldoc import YamlScalar

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
# Docker's reference grammar, loosely: [host[:port]/]path[:tag][@algorithm:hex].
_REFERENCE = re.compile(
    rf"(?:[A-Za-z0-9.-]+(?::[0-9]+)?/)?{_COMPONENT}(?:/{_COMPONENT})*"
    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"
    r"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?"
)


@dataclass(frozen=True)
class ImageReference:
    """One external image reference, after variable substitution, with where it is written."""

    image: ImageRef
    span: Span  # the reference as written (quotes excluded where they can be)
    tag_span: Span  # its ``:tag`` if written literally, else its name (the whole reference if variables or quotes)
    role: str  # how messages call it: "base image", "COPY --from image", "image"
    owner: str | None = None  # whose image it is: "service 'web'", "container 'app'"

    @property
    def label(self) -> str:
        """How messages name it: ``base image 'nginx'``, ``image 'nginx' of service 'web'``."""
        return self._describe(self.image.name)

    @property
    def tagged_label(self) -> str:
        """``label`` with the tag: ``base image 'nginx:1.27'``."""
        return self._describe(self.image.name + (f":{self.image.tag}" if self.image.tag else ""))

    def _describe(self, reference: str) -> str:
        return f"{self.role} '{reference}'" + (f" of {self.owner}" if self.owner else "")


def is_image_reference(text: str) -> bool:
    """A well-formed image reference. Others are skipped: an ``ARG`` whose default is empty
    (``ARG TAG=``) leaves ``nginx:`` or ``/app``, and templates hold placeholders
    (``FROM REPLACE-ME``, ``image: ${IMAGE}``) that Docker itself would reject."""
    return _REFERENCE.fullmatch(text) is not None


def external_images(dockerfile: Dockerfile) -> list[ImageReference]:
    """External images in file order: ``FROM`` bases that are not a stage, ``scratch`` or
    unresolvable, and ``COPY --from`` values that name neither a stage nor a stage index.
    Worked out once per parse for the rules that read them."""
    return dockerfile.analysed(external_images, lambda parsed: list(_external_images(parsed)))


def _external_images(dockerfile: Dockerfile) -> Iterator[ImageReference]:
    for instruction in dockerfile.instructions:
        if instruction.keyword == "FROM":
            reference = _from_image(instruction.stage)
        elif instruction.keyword == "COPY":
            reference = _copy_from_image(dockerfile, instruction)
        else:
            continue
        if reference is not None:
            yield reference


def _from_image(stage: Stage) -> ImageReference | None:
    image = stage.image
    if image is None or image.is_scratch or not is_image_reference(stage.image_text):
        return None
    return ImageReference(image, stage.image_span, stage.image_part_span("tag"), "base image")


def _copy_from_image(dockerfile: Dockerfile, instruction: Instruction) -> ImageReference | None:
    found = instruction.remembered(_copy_from_reference, lambda: _copy_from_reference(instruction))
    if found is None or dockerfile.stage_named(found[0]) is not None:
        return None  # a stage name
    return found[1]


def _copy_from_reference(instruction: Instruction) -> tuple[str, ImageReference] | None:
    """The ``--from`` value and the image it names, unless it is a build argument (not
    resolved here), a stage index, or no image."""
    flag = instruction.flag("from")
    if flag is None or "=" not in flag.value:
        return None
    value = flag.value.split("=", 1)[1]
    if "$" in value or value.isdigit() or not is_image_reference(value):
        return None
    image = ImageRef.parse(value)
    if image.is_scratch:
        return None
    start = flag.start + flag.raw.index("=") + 1
    span = instruction.span(start, flag.end)
    if flag.raw[flag.raw.index("=") + 1 :] != value:
        return value, ImageReference(image, span, span, "COPY --from image")  # quoted or escaped: point at it all
    tag_start, tag_end = ImageRef.part_offsets(value, "tag")
    return value, ImageReference(image, span, instruction.span(start + tag_start, start + tag_end), "COPY --from image")


def compose_images(compose: ComposeFile) -> Iterator[ImageReference]:
    """The ``image:`` of every service that pulls it. A service that also has ``build:``
    names there the image it builds, which is not pulled. The value is read the way docker
    compose reads it with no variable set: ``${TAG:-1.27}`` is ``1.27``, ``${TAG:+…}`` is
    empty, and a variable without a default (``${TAG}``, ``${TAG:?…}``) leaves the reference
    unknown, so it is not checked. An image several services share through a YAML anchor or
    merge key is reported once, where it is written."""
    seen: set[YamlScalar] = set()
    for service in compose.services:
        mapping = service.mapping
        if mapping is None or mapping.get("build") is not None:
            continue
        node = mapping.get("image")
        if not isinstance(node, YamlScalar) or node.is_null or node in seen:
            continue
        seen.add(node)
        text, resolved = substitute(node.value, {})
        if resolved:
            reference = _yaml_image(node, text, service.label)
            if reference is not None:
                yield reference


def kubernetes_images(manifest: KubernetesFile) -> Iterator[ImageReference]:
    """The ``image`` of every container, init container and ephemeral container of every
    workload. Kubernetes substitutes nothing in an image, so a template's placeholder
    (``${IMAGE}``, ``{{ .Values.image }}``) is no valid reference and is not checked."""
    for workload in manifest.workloads:
        for container in workload.pod.containers:
            node = container.mapping.get("image")
            if isinstance(node, YamlScalar) and not node.is_null:
                reference = _yaml_image(node, node.value, container.label)
                if reference is not None:
                    yield reference


def _yaml_image(node: YamlScalar, text: str, owner: str) -> ImageReference | None:
    """The reference ``text`` that the scalar ``node`` gives, or None when it is no image
    that is pulled. Spans are parts of the scalar when it is written as a literal on one
    line, else the whole scalar."""
    if not is_image_reference(text):
        return None
    image = ImageRef.parse(text)
    if image.is_scratch:
        return None
    span = _part(node, 0, len(node.value))
    if text != node.value:  # variables were substituted: no part is written as such
        return ImageReference(image, span, span, "image", owner)
    tag_start, tag_end = ImageRef.part_offsets(text, "tag")
    return ImageReference(image, span, _part(node, tag_start, tag_end), "image", owner)


def _part(node: YamlScalar, start: int, end: int) -> Span:
    return node.sub_span(start, end) or node.span


def image_references(model: Dockerfile | ComposeFile | KubernetesFile) -> Iterable[ImageReference]:
    """The external images of a file of any format."""
    if isinstance(model, Dockerfile):
        return external_images(model)
    if isinstance(model, ComposeFile):
        return compose_images(model)
    return kubernetes_images(model)
