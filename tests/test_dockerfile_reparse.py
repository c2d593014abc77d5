"""Parsing a Dockerfile again after an edit (the language server does it on every
keystroke) reuses the instructions it scanned before; the result must be exactly that of a
first parse, wherever the edit was."""
from __future__ import annotations

import pytest

from conftest import CORPUS
from hullguard import dockerfile as model
from hullguard.dockerfile import parse_dockerfile
from hullguard.text import SourceText

BASE = """# syntax=docker/dockerfile:1
FROM python:3.12 AS build
# a comment
RUN apt-get update \\
    # inside the continuation
    && apt-get install -y curl
RUN <<EOF
echo one
EOF
COPY <<-CONF /etc/app.conf
\tkey=value
\tCONF
FROM build
SHELL ["/bin/bash", "-c"]
RUN echo done
USER app
"""


def summary(text: str) -> tuple:
    dockerfile = parse_dockerfile(SourceText(text))
    instructions = [
        (
            i.keyword, i.text, i.start_line, i.end_line, i.shell, i.whole_span, i.keyword_span,
            [(w.raw, i.span(w.start, w.end)) for w in i.words],
            [(d.delimiter, d.body, d.start_line, d.end_line, d.map.positions) for d in i.heredocs],
            [[[w.value for w in c.words] for c in s.commands] for s in i.scripts],
            [[s.word_span(w) for c in s.commands for w in c.words] for s in i.scripts],
            i.stage.index if i.stage else None,
        )
        for i in dockerfile.instructions
    ]
    return instructions, dockerfile.comments, [(s.index, s.name, s.image_text) for s in dockerfile.stages]


def fresh(text: str) -> tuple:
    model._SCANNED.clear()
    return summary(text)


EDITS = [
    lambda t: t.replace("curl", "curl wget"),  # inside a continuation
    lambda t: "\n\n" + t,  # everything moves down (and the directive becomes a comment)
    lambda t: t.replace("# a comment\n", ""),  # everything below moves up
    lambda t: t.replace("echo one\n", "echo one\necho two\n"),  # a heredoc body grows
    lambda t: t.replace("FROM build\n", "FROM build\nARG X=1\n"),  # a new instruction
    lambda t: t.replace('SHELL ["/bin/bash", "-c"]\n', ""),  # the SHELL in force changes, not the RUN
    lambda t: t.replace("\tCONF\n", "CONF\n"),  # the <<- delimiter without its tab
]


@pytest.mark.parametrize("edit", EDITS)
def test_a_parse_after_an_edit_equals_a_first_parse(edit):
    fresh(BASE)
    edited = edit(BASE)
    assert summary(edited) == fresh(edited)


def test_an_instruction_cut_short_by_the_end_of_the_file_is_scanned_again_when_lines_follow():
    start = "FROM alpine\nRUN echo a \\\n"
    fresh(start)
    summary(start)
    longer = start + "    b\n"
    assert summary(longer)[0][-1][1] == fresh(longer)[0][-1][1] == "RUN echo a     b"


def test_the_cache_keeps_no_parsed_file_alive():
    import gc
    import weakref

    dockerfile = parse_dockerfile(SourceText(BASE))
    alive = weakref.ref(dockerfile.instructions[0])
    del dockerfile
    gc.collect()
    assert alive() is None


CORPUS_DOCKERFILES = sorted((CORPUS / "dockerfile").glob("*Dockerfile*"))[::25]


@pytest.mark.skipif(not CORPUS_DOCKERFILES, reason="needs ../shared/corpus")
def test_corpus_dockerfiles_parse_the_same_again_after_lines_are_added_above():
    for path in CORPUS_DOCKERFILES:
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            first = fresh(text)
        except model.DockerfileError:
            continue
        assert summary(text) == first, path.name
        moved = "#\n" + text.replace("\n", "\n\n", 3)
        assert summary(moved) == fresh(moved), path.name


# --- what the rules work out per instruction (Instruction.remembered) --------------------------

LINTED = """FROM python:3.12 AS build
ARG TARGETPLATFORM
ENV API_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789 PIP_TRUSTED_HOST=pypi.org
RUN sudo apt-get update && apt-get install -y curl git \\
    && curl -k https://example.com/install.sh | sh
RUN pip install requests && git clone https://example.com/x.git
COPY --from=nginx:latest /etc/nginx /etc/nginx
COPY . /app
FROM build
ARG TARGETPLATFORM
SHELL ["/bin/bash", "-c"]
RUN wget -O- https://example.com/x | bash
COPY --from=build /app /app
"""

LINT_EDITS = EDITS + [
    lambda t: t.replace("API_TOKEN=ghp_", "API_TOKEN=ghq_"),  # the edited instruction only
    lambda t: t.replace("AS build", "AS builder"),  # COPY --from=build now names an image
    lambda t: t.replace('SHELL ["/bin/bash", "-c"]', 'SHELL ["pwsh", "-c"]'),  # the RUN below is no shell code
    lambda t: t.replace("ARG TARGETPLATFORM\n", "ARG TARGETPLATFORM\nRUN true\n", 1),  # repeated instructions
]


def lint(text: str, path):
    from hullguard.config import Config
    from hullguard.documents import load_document
    from hullguard.engine import lint_document
    from hullguard.model import Format

    return lint_document(load_document(str(path), text, Format.DOCKERFILE), Config(select=("ALL",))).findings


def fresh_lint(text: str, path):
    model._SCANNED.clear()
    return lint(text, path)


@pytest.mark.parametrize("edit", LINT_EDITS)
@pytest.mark.parametrize("base", [BASE, LINTED], ids=["base", "linted"])
def test_findings_after_an_edit_equal_those_of_a_first_parse(edit, base, tmp_path):
    path = tmp_path / "Dockerfile"
    first = fresh_lint(base, path)
    assert lint(base, path) == first  # everything remembered
    edited = edit(base)
    assert lint(edited, path) == fresh_lint(edited, path)
    assert lint(base, path) == first  # and back


def test_the_linted_example_has_findings_of_every_rule_that_remembers(tmp_path):
    codes = {finding.code for finding in fresh_lint(LINTED, tmp_path / "Dockerfile")}
    # HG109 sudo, HG206 pipe to shell, HG207 TLS, HG301 secret, HG601 unpinned packages,
    # HG604 pipefail, HG201/HG202 the COPY --from image, HG303 the whole context copied.
    assert {"HG109", "HG206", "HG207", "HG301", "HG601", "HG604", "HG201", "HG202", "HG303"} <= codes


@pytest.mark.skipif(not CORPUS_DOCKERFILES, reason="needs ../shared/corpus")
def test_corpus_dockerfiles_lint_the_same_after_edits(tmp_path):
    path = tmp_path / "Dockerfile"
    for source in CORPUS_DOCKERFILES:
        text = source.read_text(encoding="utf-8", errors="replace")
        first = fresh_lint(text, path)
        assert lint(text, path) == first, source.name
        lines = text.split("\n")
        middle = len(lines) // 2
        for edited in ("#\n" + text, "\n".join(lines[:middle] + [lines[middle] + " x"] + lines[middle + 1 :])):
            assert lint(edited, path) == fresh_lint(edited, path), source.name


def test_a_parsed_file_is_freed_without_the_cyclic_collector():
    import gc

    gc.collect()
    gc.disable()
    try:
        dockerfile = parse_dockerfile(SourceText(BASE))
        stage = dockerfile.instructions[-1].stage
        assert stage is dockerfile.stages[-1] and stage.from_instruction.stage is stage
        del dockerfile, stage
        assert gc.collect() == 0  # reference counting freed it: no cycle between stages and instructions
    finally:
        gc.enable()
