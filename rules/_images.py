"""The external images a Dockerfile pulls: ``FROM <image>`` and ``COPY --from=<image>``.

Shared by HG201 (mutable tag), HG202 (no digest) and HG203 (untrusted registry), so the
three agree on what counts as an external image and where its reference is written.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from hullguard.dockerfile import Dockerfile, ImageRef, Instruction, Stage
from hullguard.text import Span

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
# Docker's reference grammar, loosely: [host[:port]/]path[:tag][@algorithm:hex].
_REFERENCE = re.compile(
    rf"(?:[A-Za-z0-9.-]+(?::[0-9]+)?/)?{_COMPONENT}(?:/{_COMPONENT})*"
    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"
    r"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?"
)


@dataclass(frozen=True)
class ImageReference:
    """One external image reference, after ARG substitution, with where it is written."""

    image: ImageRef
    instruction: Instruction
    span: Span  # the reference as written
    tag_span: Span  # its ``:tag`` if written literally, else its name (the whole word if variables or quotes)
    in_copy: bool  # ``COPY --from=<image>`` rather than ``FROM``

    @property
    def label(self) -> str:
        """How messages name it: ``base image 'nginx'`` or ``COPY --from image 'nginx'``."""
        return self._describe(self.image.name)

    @property
    def tagged_label(self) -> str:
        """``label`` with the tag: ``base image 'nginx:1.27'``."""
        return self._describe(self.image.name + (f":{self.image.tag}" if self.image.tag else ""))

    def _describe(self, reference: str) -> str:
        return f"{'COPY --from image' if self.in_copy else 'base image'} '{reference}'"


def is_image_reference(text: str) -> bool:
    """A well-formed image reference. Others are skipped: an ``ARG`` whose default is empty
    (``ARG TAG=``) leaves ``nginx:`` or ``/app``, and templates hold placeholders
    (``FROM REPLACE-ME``) that Docker itself would reject."""
    return _REFERENCE.fullmatch(text) is not None


def external_images(dockerfile: Dockerfile) -> Iterator[ImageReference]:
    """External images in file order: ``FROM`` bases that are not a stage, ``scratch`` or
    unresolvable, and ``COPY --from`` values that name neither a stage nor a stage index."""
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
    return ImageReference(image, stage.from_instruction, stage.image_span, stage.image_part_span("tag"), False)


def _copy_from_image(dockerfile: Dockerfile, instruction: Instruction) -> ImageReference | None:
    flag = instruction.flag("from")
    if flag is None or "=" not in flag.value:
        return None
    value = flag.value.split("=", 1)[1]
    if "$" in value or value.isdigit() or dockerfile.stage_named(value) is not None:
        return None  # a build argument (not resolved here), a stage index or a stage name
    if not is_image_reference(value):
        return None
    image = ImageRef.parse(value)
    if image.is_scratch:
        return None
    start = flag.start + flag.raw.index("=") + 1
    span = instruction.span(start, flag.end)
    if flag.raw[flag.raw.index("=") + 1 :] != value:
        return ImageReference(image, instruction, span, span, True)  # quoted or escaped: point at it all
    name_end = start + len(value.partition("@")[0])
    tag_start = name_end - len(image.tag) - 1 if image.tag is not None else start
    return ImageReference(image, instruction, span, instruction.span(tag_start, name_end), True)
