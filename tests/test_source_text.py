"""SourceText: positions by offset and by line, with and without the line starts a YAML
stream's documents tell it (``mark_line_starts``), must agree."""
from __future__ import annotations

import random

import pytest

from hullguard.text import Position, SourceText
from hullguard.yamldoc import split_documents


def texts():
    rng = random.Random(7)
    pieces = ["a", "é😀", "", " ", "\r", "---", "x: 1", "\t#c"]
    for _ in range(200):
        yield "".join(rng.choice(pieces) + rng.choice(["\n", "\r\n", ""]) for _ in range(rng.randint(0, 30)))
    yield ""
    yield "\n"
    yield "a\nb"
    yield "a\r\nb\r\n"


@pytest.mark.parametrize("text", list(texts()))
def test_marked_line_starts_answer_as_a_full_index(text):
    plain = SourceText(text)
    marked = SourceText(text)
    starts = plain.line_starts
    rng = random.Random(len(text))
    known = sorted(rng.sample(range(1, len(starts)), min(3, len(starts) - 1)))
    marked.mark_line_starts([(0, 0)] + [(line, starts[line]) for line in known])
    assert marked.line_count == SourceText(text).line_count == len(plain.lines)
    for number in range(len(plain.lines)):
        assert marked.line(number) == plain.line(number)
        assert marked.offset(Position(number, 1)) == plain.offset(Position(number, 1))
    for offset in range(len(text) + 1):
        assert marked.position(offset) == plain.position(offset)
    with pytest.raises(IndexError):
        marked.offset(Position(len(plain.lines), 0))


def test_a_split_stream_knows_where_its_documents_start():
    text = "a: 1\n---\nb: 2\r\n---\n\nc: 3\n"
    source = SourceText(text)
    documents = split_documents(source)
    assert [doc.first_line for doc in documents] == [0, 1, 3]
    assert "line_starts" not in source.__dict__ and "lines" not in source.__dict__  # nothing indexed whole
    assert [source.line(n) for n in range(source.line_count)] == ["a: 1", "---", "b: 2", "---", "", "c: 3", ""]
    assert source.position(text.index("c")) == Position(5, 0)


def test_a_document_that_starts_at_the_very_end_is_no_line_start():
    # A "%" directive ends the document before it; a last "..." without a newline after it
    # then makes an empty document at the end of the text, in the middle of its last line.
    from hullguard.config import Config
    from hullguard.documents import load_document
    from hullguard.engine import lint_document
    from hullguard.model import Format

    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n  - {name: c, image: nginx}\n%YAML 1.2\nx: 1\n... # hullguard: ignore-file[HG201]"
    source = SourceText(text)
    split_documents(source)
    assert source.line(8) == "... # hullguard: ignore-file[HG201]"
    assert source.position(len(text)) == Position(8, len("... # hullguard: ignore-file[HG201]"))
    result = lint_document(load_document("pod.yaml", text, Format.KUBERNETES), Config(select=("HG201",)))
    assert result.findings == []  # the suppression on the last line applies
