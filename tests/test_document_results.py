"""Per-document re-checking of YAML streams (``engine.DocumentResults``, used by the language
server): an edit re-checks only the documents whose text it changed, moved documents get
their findings moved, and the findings are always those of a fresh lint."""
from __future__ import annotations

import pytest

from conftest import CORPUS
from hullguard.config import Config
from hullguard.documents import load_document
from hullguard.engine import DocumentResults, lint_document
from hullguard.model import Format, Rule, RuleDocs, Severity
from hullguard.project import ProjectIndex
from hullguard.rules import ALL_RULES
from hullguard.text import Span
from hullguard.yamldoc import YamlMapping, YamlSequence, compose_document, split_documents
from hullguard.yamlfile import compose_cached

ALL = Config().with_cli(select=["ALL"])


def deployment(name: str, image: str = "nginx:1.27") -> str:
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  template:
    spec:
      containers:
        - name: app
          image: {image}
"""


STREAM = "---\n".join(deployment(name) for name in ("a", "b", "c"))


class Counting:
    """A rule check that counts the documents it is asked about and reports each object."""

    def __init__(self):
        self.seen: list[str] = []

    def __call__(self, manifest, context):
        for obj in manifest.objects:
            self.seen.append(obj.name)
            yield COUNTING.finding(obj.anchor, f"saw {obj.name}")


COUNT = Counting()
COUNTING = Rule("HG990", "counting", Severity.INFO, "counts", RuleDocs("", "", "", ""), {Format.KUBERNETES: COUNT})


def lint(text: str, results: DocumentResults | None, rules=(COUNTING,), config: Config = ALL):
    document = load_document("manifest.yaml", text, Format.KUBERNETES)
    return lint_document(document, config, rules=list(rules), project=ProjectIndex(), results=results)


def summary(result):
    return [(f.code, f.span, f.message, f.severity, [(fix.title, fix.applicability, fix.edits) for fix in f.fixes]) for f in result.findings], result.rule_failures


def test_an_edit_rechecks_only_the_document_it_changed():
    results = DocumentResults()
    lint(STREAM, results)
    COUNT.seen.clear()
    edited = STREAM.replace("name: b\n", "name: bee\n")
    found = lint(edited, results)
    assert COUNT.seen == ["bee"]
    assert [f.message for f in found.findings] == ["saw a", "saw bee", "saw c"]


def test_moved_documents_are_not_rechecked_and_their_findings_move():
    results = DocumentResults()
    lint(STREAM, results)
    COUNT.seen.clear()
    moved = STREAM.replace("  name: a\n", "  name: a\n  labels: {tier: web}\n")  # one more line in the first document
    found = lint(moved, results)
    assert COUNT.seen == ["a"]
    assert summary(found) == summary(lint(moved, None))
    assert [f.span.start.line for f in found.findings] == [3, 15, 26]  # were 3, 14, 25


def test_the_findings_and_fixes_equal_a_fresh_lint_after_edits_that_move_documents():
    results = DocumentResults()
    text = STREAM
    for edit in (
        lambda t: "# a comment\n\n" + t,  # everything moves down
        lambda t: t.replace("image: nginx:1.27", "image: nginx:latest", 1),  # one document changes
        lambda t: t.replace("# a comment\n\n", ""),  # everything moves back up
        lambda t: t.replace("---\n", "---\n# between\n", 1),
    ):
        text = edit(text)
        assert summary(lint(text, results, ALL_RULES)) == summary(lint(text, None, ALL_RULES))


def test_whole_stream_rules_see_the_other_documents_on_every_lint():
    # HG304: the ServiceAccount in another document opts out of the token mount.
    account = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\nautomountServiceAccountToken: {}\n"
    workload = deployment("web").replace("    spec:\n", "    spec:\n      serviceAccountName: web\n")
    results = DocumentResults()
    rules = [rule for rule in ALL_RULES if rule.code == "HG304"]
    assert lint(f"{workload}---\n{account.format('true')}", results, rules).findings
    assert not lint(f"{workload}---\n{account.format('false')}", results, rules).findings


def test_other_settings_are_not_served_from_the_cache():
    results = DocumentResults()
    rules = [rule for rule in ALL_RULES if rule.code == "HG503"]  # seccomp: restricted requires RuntimeDefault
    assert lint(STREAM, results, rules).findings
    baseline = Config().with_cli(select=["ALL"], pss_level="baseline")
    assert not lint(STREAM, results, rules, baseline).findings


class Beyond(Counting):
    """A rule whose finding lies outside the document it was found in."""

    def __call__(self, manifest, context):
        for obj in manifest.objects:
            self.seen.append(obj.name)
            yield BEYOND.finding(Span.of(0, 0, 0, 1), f"{obj.name} points at the first line of the file")


BEYOND_CHECK = Beyond()
BEYOND = Rule("HG991", "beyond", Severity.INFO, "beyond", RuleDocs("", "", "", ""), {Format.KUBERNETES: BEYOND_CHECK})


def test_findings_reaching_beyond_their_document_are_not_kept():
    results = DocumentResults()
    lint(STREAM, results, [BEYOND])
    lint(STREAM, results, [BEYOND])
    assert BEYOND_CHECK.seen == ["a", "b", "c", "b", "c"]  # only the first document holds line 0: kept
    assert summary(lint(STREAM, results, [BEYOND])) == summary(lint(STREAM, None, [BEYOND]))


def test_the_cache_is_bounded():
    results = DocumentResults(size=2)
    lint(STREAM, results)
    COUNT.seen.clear()
    lint("---\n" + deployment("b") + "---\n" + deployment("c"), results)  # the same document texts as in STREAM
    assert COUNT.seen == []
    lint(deployment("a"), results)
    assert COUNT.seen == ["a"]  # the least recently used went


def _spans(node):
    if isinstance(node, YamlMapping):
        return [node.span, *(span for pair in node.pairs for child in pair for span in _spans(child))]
    if isinstance(node, YamlSequence):
        return [node.span, *(span for item in node.items for span in _spans(item))]
    return [node.span]


def test_a_cached_document_moved_elsewhere_has_the_spans_of_a_fresh_composition():
    from hullguard.text import SourceText

    text = "a: &x {b: [1, 2]}\nc: *x\nd: |\n  block\n"
    first = split_documents(SourceText(text))[0]
    compose_cached(first)
    moved = split_documents(SourceText("# one\n# two\n" + text))[0]
    cached, fresh = compose_cached(moved), compose_document(moved)
    assert _spans(cached.root) == _spans(fresh.root)
    assert cached.root.get("c") is cached.root.get("a")  # the alias still shares its node
    assert compose_cached(first).root.span.start.line == 0  # the earlier tree was not changed in place


CORPUS_STREAMS = sorted(path for path in (CORPUS / "kubernetes").glob("*.y*ml") if path.read_bytes().count(b"\n---") >= 3)[::4]


@pytest.mark.skipif(not CORPUS_STREAMS, reason="needs ../shared/corpus")
def test_corpus_streams_lint_the_same_with_and_without_per_document_results():
    results = DocumentResults()
    for path in CORPUS_STREAMS:
        data = path.read_text(encoding="utf-8")
        for text in (data, "# moved\n" + data):
            fresh = lint_document(load_document(str(path), text, Format.KUBERNETES), ALL, project=ProjectIndex())
            reused = lint_document(load_document(str(path), text, Format.KUBERNETES), ALL, project=ProjectIndex(), results=results)
            assert summary(reused) == summary(fresh), path.name
