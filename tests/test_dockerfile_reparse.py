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
