"""The YAML document model: textual split, peeking, composing with exact spans, and errors.

Every compose test runs with both loaders (libyaml's C loader and the pure-Python one),
which must agree on trees, spans and error messages.
"""
from __future__ import annotations

import time

import pytest

from hullguard.text import SourceText, Span
from hullguard.yamldoc import (
    HAS_LIBYAML,
    MAP_TAG,
    NULL_TAG,
    YamlDocumentText,
    YamlError,
    YamlMapping,
    YamlScalar,
    YamlSequence,
    compose_document,
    looks_like_compose,
    peek_kind,
    split_documents,
)

LOADERS = [pytest.param("c", marks=pytest.mark.skipif(not HAS_LIBYAML, reason="PyYAML without libyaml")), "python"]


def docs_of(text: str) -> list[YamlDocumentText]:
    return split_documents(SourceText(text))


def compose(text: str, loader: str, index: int = 0, **limits):
    return compose_document(docs_of(text)[index], loader=loader, **limits)


def root_of(text: str, loader: str, index: int = 0):
    return compose(text, loader, index).root


def error_of(text: str, loader: str, index: int = 0, **limits) -> YamlError:
    with pytest.raises(YamlError) as caught:
        compose(text, loader, index, **limits)
    return caught.value


def on(line: int, start: int, end: int) -> Span:
    return Span.on_line(line, start, end)


def where(span: Span) -> tuple[int, int, int, int]:
    return (span.start.line, span.start.column, span.end.line, span.end.column)


# --- 1. the textual split ------------------------------------------------------------------

STREAM = """\
# a stream of manifests
%YAML 1.1
---
apiVersion: v1
kind: ConfigMap
data:
  script: |
    echo one
    ---
    echo two
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: "front"}
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: app
        image: nginx:1.27
        args: ["--port", '8080']
      - name: sidecar
        image: busybox
...
# trailing comment
"""


def test_split_at_column_zero_markers_keeps_prelude_and_trailing_comments():
    docs = docs_of(STREAM)
    assert [(doc.index, doc.first_line, doc.empty) for doc in docs] == [(0, 0, False), (1, 10, False)]
    assert docs[0].text.startswith("# a stream of manifests\n%YAML 1.1\n---\n")
    assert "    ---\n    echo two\n" in docs[0].text  # indented: inside the block scalar
    assert docs[1].text.startswith("---\napiVersion: apps/v1\n")
    assert docs[1].text.endswith("...\n# trailing comment\n")
    assert "".join(doc.text for doc in docs) == STREAM
    assert docs[1].offset == STREAM.index("---\napiVersion: apps/v1")


def test_split_content_on_the_marker_line_and_a_bare_document_after_an_end_marker():
    docs = docs_of("--- !Ref thing\n--- {a: 1}\n--- |\n  text\n...\nbare: document\n---x: not a marker\n")
    assert [doc.text for doc in docs] == ["--- !Ref thing\n", "--- {a: 1}\n", "--- |\n  text\n...\n", "bare: document\n---x: not a marker\n"]
    assert [doc.first_line for doc in docs] == [0, 1, 2, 5]


def test_split_empty_documents_and_files_without_documents():
    docs = docs_of("---\n---\n# only a comment\n---\na: 1\n---\n")
    assert [(doc.text, doc.empty) for doc in docs] == [("---\n", True), ("---\n# only a comment\n", True), ("---\na: 1\n", False), ("---\n", True)]
    assert docs_of("") == []
    assert docs_of("# nothing here\n\n") == []
    assert docs_of("a: 1\n...\n# after the end\n")[0].text == "a: 1\n...\n# after the end\n"


def test_a_directive_line_ends_the_open_document():
    # libyaml and PyYAML both end a document at a column-0 "%" line, even without "...".
    docs = docs_of("a: 1\n%YAML 1.1\n---\nb: 2\n")
    assert [(doc.text, doc.first_line) for doc in docs] == [("a: 1\n", 0), ("%YAML 1.1\n---\nb: 2\n", 1)]
    docs = docs_of("a: 1\n%YAML 1.1\n")  # a directive and no document after it: the parser says so
    assert [(doc.text, doc.empty) for doc in docs] == [("a: 1\n", False), ("%YAML 1.1\n", True)]
    assert str(error_of("a: 1\n%YAML 1.1\n", "python", index=1)) == "did not find expected <document start>"


def test_content_hash_depends_on_the_text_only():
    first, second, third = docs_of("---\na: 1\n---\na: 1\n---\na: 2\n")
    assert first.content_hash == second.content_hash != third.content_hash
    assert (first.first_line, second.first_line) == (0, 2)


def test_split_crlf_and_bom():
    source = SourceText.from_bytes(b"\xef\xbb\xbfa: 1\r\n---\r\nb: 2\r\n")
    docs = split_documents(source)
    assert [(doc.text, doc.first_line) for doc in docs] == [("a: 1\r\n", 0), ("---\r\nb: 2\r\n", 1)]


def test_size_limit():
    with pytest.raises(YamlError, match=r"^file too large to lint: 2,000 bytes, the limit is 1,000$") as caught:
        split_documents(SourceText("a: " + "x" * 1996 + "\n"), max_bytes=1000)
    assert caught.value.span is None
    assert len(split_documents(SourceText("é" * 500), max_bytes=1000)) == 1  # 1,000 bytes of UTF-8: at the limit


# --- 2. peeking ----------------------------------------------------------------------------


def test_peek_kind_reads_top_level_keys_only():
    assert peek_kind("apiVersion: apps/v1\nkind: Deployment\n") == ("apps/v1", "Deployment")
    assert peek_kind('"apiVersion": "v1"   # core\r\n\'kind\': \'Pod\'\r\n') == ("v1", "Pod")
    assert peek_kind("---\nmetadata:\n  kind: Pod\napiVersion: v1\nkind: Service # not a Pod\n") == ("v1", "Service")
    assert peek_kind("metadata:\n  kind: Pod\n  apiVersion: v1\n") is None
    assert peek_kind("kind: Pod\n") is None  # no apiVersion: not a Kubernetes object
    assert peek_kind('{"apiVersion": "v1", "kind": "Pod"}') is None  # flow style: not recognised


def test_looks_like_compose():
    assert looks_like_compose("services:\n  web:\n    image: nginx\n")
    assert looks_like_compose('version: "3.9"\nx-common: &common\n  restart: always\nname: shop\nservices:\n  web:\n    <<: *common\nvolumes:\n  data:\n')
    assert looks_like_compose("include:\n- other.yaml\nservices: {}\nmodels:\n  llm:\n    model: ai/smollm2\n")
    assert not looks_like_compose("version: '3'\nnetworks: {}\n")  # no services
    assert not looks_like_compose("apiVersion: v1\nkind: Pod\nservices:\n  - a\n")
    assert not looks_like_compose("services:\n  web: {}\nspec: {}\n")


# --- 3. spans ------------------------------------------------------------------------------


@pytest.mark.parametrize("loader", LOADERS)
def test_spans_of_keys_values_and_items_in_the_second_document(loader):
    result = compose(STREAM, loader, index=1)
    root = result.root
    assert isinstance(root, YamlMapping) and root.tag == MAP_TAG and not root.flow
    assert where(root.span) == (11, 0, 25, 22)
    metadata_key, metadata = root.get_pair("metadata")
    assert metadata_key.span == on(13, 0, 8)
    name = metadata.get("name")
    assert (name.value, name.span) == ("web", on(14, 8, 11))
    labels = metadata.get("labels")
    assert labels.flow and labels.span == on(15, 10, 35)
    tier_key, tier = labels.get_pair("tier")
    assert (tier_key.span, tier.span, tier.value, tier.style) == (on(15, 21, 25), on(15, 27, 34), "front", '"')
    containers = root.get("spec").get("template").get("spec").get("containers")
    assert isinstance(containers, YamlSequence) and not containers.flow
    assert where(containers.span) == (21, 6, 25, 22)
    first, second = containers.items
    assert where(first.span) == (21, 8, 23, 32)
    image = first.get("image")
    assert (image.value, image.span) == ("nginx:1.27", on(22, 15, 25))
    assert image.sub_span(6, 10) == on(22, 21, 25)  # the tag
    args = first.get("args")
    assert args.flow and [(item.value, item.span) for item in args.items] == [("--port", on(23, 15, 23)), ("8080", on(23, 25, 31))]
    assert args.items[1].sub_span(0, 4) == on(23, 26, 30)
    assert second.get("image").span == on(25, 15, 22)
    assert result.duplicate_keys == ()


@pytest.mark.parametrize("loader", LOADERS)
def test_crlf_spans(loader):
    text = "---\r\nkind: Pod\r\nspec:\r\n  containers:\r\n  - image: a:1\r\n    name: x\r\n"
    root = root_of(text, loader)
    item = root.get("spec").get("containers").items[0]
    assert item.get("image").span == on(4, 11, 14)
    assert where(item.span) == (4, 4, 5, 11)
    assert where(root.span) == (1, 0, 5, 11)


@pytest.mark.parametrize("loader", LOADERS)
def test_bom_is_not_a_column(loader):
    source = SourceText.from_bytes(b"\xef\xbb\xbfkind: Pod\nimage: x\n")
    root = compose_document(split_documents(source)[0], loader=loader).root
    assert root.get_pair("kind")[0].span == on(0, 0, 4)
    assert root.get("image").span == on(1, 7, 8)


@pytest.mark.parametrize("loader", LOADERS)
def test_columns_count_code_points(loader):
    root = root_of("name: é😀x\nlist: [é😀, y]\n", loader)
    assert root.get("name").span == on(0, 6, 9)
    assert [item.span for item in root.get("list").items] == [on(1, 7, 9), on(1, 11, 12)]


@pytest.mark.parametrize("loader", LOADERS)
def test_other_yaml_line_breaks_map_by_offset(loader):
    # NEL is a line break to YAML, not to SourceText: positions stay SourceText's.
    root = root_of("a: 1\x85b: two\n", loader)
    assert root.get("b").value == "two"
    assert root.get("b").span == on(0, 8, 11)


@pytest.mark.parametrize("loader", LOADERS)
def test_block_scalars(loader):
    text = "run: |\n  echo one\n  echo two\n\nfolded: >-\n  a\n  b\nkeep: |+\n  x\n\n# done\nlast: 1\n"
    root = root_of(text, loader)
    run, folded, keep = root.get("run"), root.get("folded"), root.get("keep")
    assert (run.value, run.style, where(run.span)) == ("echo one\necho two\n", "|", (0, 5, 2, 10))
    assert (folded.value, folded.style, where(folded.span)) == ("a b", ">", (4, 8, 6, 3))
    assert (keep.value, where(keep.span)) == ("x\n\n", (7, 6, 8, 3))
    assert run.sub_span(0, 4) is None


@pytest.mark.parametrize("loader", LOADERS)
def test_scalar_styles_and_nulls(loader):
    root = root_of("plain: a b\nsingle: 'it''s'\ndouble: \"tab\\there\"\nempty:\ntilde: ~\nquoted_null: 'null'\nmulti: one\n  two\n", loader)
    assert [(key.value, value.style, value.value) for key, value in root.pairs][:3] == [("plain", None, "a b"), ("single", "'", "it's"), ("double", '"', "tab\there")]
    empty = root.get("empty")
    assert empty.is_null and empty.value == "" and empty.span == on(3, 6, 6)
    assert root.get("tilde").is_null and not root.get("quoted_null").is_null and root.get("quoted_null").quoted
    assert root.get("single").sub_span(0, 2) is None  # '' shrinks: offsets do not map
    assert root.get("double").sub_span(0, 3) is None
    assert root.get("plain").sub_span(2, 3) == on(0, 9, 10)
    multi = root.get("multi")
    assert (multi.value, where(multi.span), multi.sub_span(0, 3)) == ("one two", (6, 7, 7, 5), None)


@pytest.mark.parametrize("loader", LOADERS)
def test_flow_style(loader):
    root = root_of("ports: [80, \"443:443\", {target: 8080, published: 80}]\nenv: {A: 1,\n  B: [x]}\n", loader)
    ports = root.get("ports")
    assert ports.flow and ports.span == on(0, 7, 53)
    mapping = ports.items[2]
    assert mapping.flow and mapping.span == on(0, 23, 52) and mapping.get("published").span == on(0, 49, 51)
    env = root.get("env")
    assert where(env.span) == (1, 5, 2, 9)
    assert env.get("B").items[0].span == on(2, 6, 7)


@pytest.mark.parametrize("loader", LOADERS)
def test_document_without_final_line_break_and_empty_documents(loader):
    root = root_of("a: [1, 2]", loader)
    assert root.get("a").span == on(0, 3, 9)
    empty = root_of("a: 1\n---", loader, index=1)
    assert empty.is_null and empty.span == on(1, 3, 3)
    empty = root_of("---\n# nothing\n", loader)
    assert empty.is_null


# --- 4. anchors, aliases, merges ------------------------------------------------------------


@pytest.mark.parametrize("loader", LOADERS)
def test_aliases_share_the_anchored_node(loader):
    text = "base: &base\n  image: nginx\n  user: root\nweb: *base\nlist: [&one 1, *one]\n"
    root = root_of(text, loader)
    assert root.get("web") is root.get("base")
    assert root.get("web").get("user").span == on(2, 8, 12)  # where the value is written
    assert where(root.span) == (0, 0, 4, 20)
    one, again = root.get("list").items
    assert one is again and one.span == on(4, 7, 13)


@pytest.mark.parametrize("loader", LOADERS)
def test_merge_keys(loader):
    text = (
        "x-base: &base\n  restart: always\n  user: root\n"
        "x-more: &more\n  user: app\n  init: true\n"
        "services:\n  web:\n    <<: [*more, *base]\n    image: nginx\n  db:\n    <<: *base\n    restart: 'no'\n"
    )
    services = root_of(text, loader).get("services")
    web, db = services.get("web"), services.get("db")
    assert web.get("user").value == "app"  # the first mapping of the sequence wins
    assert web.get("restart").value == "always"
    assert web.get_pair("user")[0].span == on(4, 2, 6)
    assert db.get("restart").value == "no"  # an explicit key beats a merged one
    assert [key.value for key, _ in web.effective_pairs()] == ["image", "user", "init", "restart"]
    assert [(key.value, value.value) for key, value in db.effective_pairs()] == [("restart", "no"), ("user", "root")]
    assert web.get("<<") is None and [key.value for key, _ in web.pairs] == ["<<", "image"]


@pytest.mark.parametrize("loader", LOADERS)
def test_anchor_redefinition_takes_the_latest(loader):
    root = root_of("a: &x 1\nb: &x 2\nc: *x\n", loader)
    assert root.get("c").value == "2"
    root = root_of("a: &x [&x 1, *x]\nb: *x\n", loader)  # the inner anchor comes later in the text
    assert [item.value for item in root.get("a").items] == ["1", "1"] and root.get("b").value == "1"


@pytest.mark.parametrize("loader", LOADERS)
def test_alias_errors(loader):
    error = error_of("a: *nowhere\n", loader)
    assert (str(error), error.span) == ("found undefined alias 'nowhere'", on(0, 3, 11))
    error = error_of("a: &loop\n  b: *loop\n", loader)
    assert (str(error), error.span) == ("alias *loop refers to a node that contains it (a recursive structure)", on(1, 5, 10))


BILLION_LAUGHS = "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n" + "".join(
    f"{name}: &{name} [{','.join(['*' + previous] * 9)}]\n" for previous, name in zip("abcdefgh", "bcdefghi")
)


@pytest.mark.parametrize("loader", LOADERS)
def test_alias_bomb_is_refused_quickly(loader):
    started = time.perf_counter()
    error = error_of(BILLION_LAUGHS, loader)
    assert time.perf_counter() - started < 0.5
    assert str(error) == "alias expansion exceeds 100,000 nodes (a 'billion laughs' document?)"
    assert error.span.start.line == 5  # "f" names 9 × 9^4 nodes: the count passes 100,000 there


@pytest.mark.parametrize("loader", LOADERS)
def test_node_limit_counts_aliases_but_a_few_are_cheap(loader):
    text = "a: &a [1, 2, 3]\nb: [*a, *a]\n"
    assert root_of(text, loader).get("b").items[0].items[2].value == "3"
    assert str(error_of(text, loader, max_nodes=8)) == "alias expansion exceeds 8 nodes (a 'billion laughs' document?)"
    assert str(error_of("[1, 2, 3, 4, 5]\n", loader, max_nodes=4)) == "document too large: more than 4 nodes"


@pytest.mark.parametrize("loader", LOADERS)
def test_depth_limit(loader):
    error = error_of("a:\n  b:\n    c: [[1]]\n", loader, max_depth=3)
    assert (str(error), error.span) == ("nested deeper than 3 levels", on(2, 7, 8))
    assert root_of("[" * 200 + "]" * 200, loader) is not None


@pytest.mark.skipif(not HAS_LIBYAML, reason="PyYAML without libyaml")
def test_deep_nesting_is_refused_without_crashing():
    # yaml.compose with libyaml crashes the interpreter on this; the event composer refuses it.
    error = error_of("[" * 100_000 + "]" * 100_000, "c")
    assert (str(error), error.span) == ("nested deeper than 200 levels", on(0, 200, 201))


# --- 5. duplicate keys ---------------------------------------------------------------------


@pytest.mark.parametrize("loader", LOADERS)
def test_duplicate_keys_are_kept_and_reported(loader):
    text = "---\nimage: a\nports: [1]\nimage: b\nnested:\n  x: 1\n  'x': 2\n  1: int\n  '1': str\n<<: {}\n<<: {}\n"
    result = compose(text, loader)
    assert [(dup.key, dup.span, dup.first_span) for dup in result.duplicate_keys] == [
        ("image", on(3, 0, 5), on(1, 0, 5)),
        ("x", on(6, 2, 5), on(5, 2, 3)),
    ]
    assert [key.value for key, _ in result.root.pairs] == ["image", "ports", "image", "nested", "<<", "<<"]
    assert result.root.get("image").value == "b"  # the last one wins
    assert result.root.get("nested").get("1").value == "str"


# --- 6. tags -------------------------------------------------------------------------------


@pytest.mark.parametrize("loader", LOADERS)
def test_custom_tags_never_fail(loader):
    text = (
        "Value: !Ref MyParam\n"
        "Joined: !Join [':', [a, b]]\n"
        "Map: !Custom {a: 1}\n"
        "ValueTag: !!value x\n"
        "items:\n  - =\n  - '='\n"
        "int: 3\nbool: yes\nstr: !!str 3\n"
    )
    root = root_of(text, loader)
    assert (root.get("Value").tag, root.get("Value").value) == ("!Ref", "MyParam")
    joined = root.get("Joined")
    assert isinstance(joined, YamlSequence) and joined.tag == "!Join" and joined.items[1].tag == "tag:yaml.org,2002:seq"
    assert root.get("Map").tag == "!Custom" and root.get("Map").get("a").tag == "tag:yaml.org,2002:int"
    assert root.get("ValueTag").tag == "tag:yaml.org,2002:value"
    equals, quoted = root.get("items").items
    assert (equals.value, equals.tag, equals.span) == ("=", "tag:yaml.org,2002:value", on(5, 4, 5))
    assert quoted.tag == "tag:yaml.org,2002:str"
    assert [root.get(key).tag.rsplit(":", 1)[1] for key in ("int", "bool", "str")] == ["int", "bool", "str"]
    assert root.get("Value").span == on(0, 7, 19)  # the tag is part of the node


# --- 7. templates --------------------------------------------------------------------------

TEMPLATES = [
    ("apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}-svc\n", on(3, 8, 27)),
    ("{{- if .Values.enabled }}\nkind: Pod\n{{- end }}\n", on(0, 0, 25)),
    ("metadata:\n  labels:\n{{ include \"labels\" . | indent 4 }}\n", on(2, 0, 35)),
    ("spec:\n  args:\n  - {{ .Values.arg }}\n", on(2, 4, 21)),
    ("ports: [80, {{ .Values.port }}]\n", on(0, 12, 30)),
    ("script: |\n  echo\n{{- if .Values.x }}\nkind: Pod\n", on(2, 0, 19)),
    ("--- {{ .Values.doc }}\n", on(0, 4, 21)),
    ("name: &a {{ x }}\n", on(0, 9, 16)),
    ("- {% if x %}\n", on(0, 2, 12)),
    ("name: {{ unclosed\n", on(0, 6, 8)),
]


@pytest.mark.parametrize("text, span", TEMPLATES)
def test_templates_are_reported_before_parsing(text, span):
    for doc in docs_of(text):
        with pytest.raises(YamlError) as caught:
            compose_document(doc, loader="python")
        assert (str(caught.value), caught.value.span) == ("a template ({{ … }}), not plain YAML: skipped", span)


NOT_TEMPLATES = [
    "image: \"{{ .Values.image }}\"\nname: '{{ .Release.Name }}'\n",
    "description: pod {{ $labels.pod }} is down\n",  # inside a plain scalar: plain text
    "# {{ a comment }}\nkey: value # {{ also a comment }}\n",
    "data:\n  template: |\n    {{ range .Items }}\n    {{ end }}\n  other: x\n",
    "- name: a\n  script: |-\n    {{ x }}\n  next: y\n",
    'expr: "sum(rate(x[5m]))\n  by (job) {{ legend }}"\n',
    "msg: 'it''s {{ fine }}\n  {{ really }}'\n",
]


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("text", NOT_TEMPLATES)
def test_template_syntax_inside_strings_is_plain_yaml(text, loader):
    assert root_of(text, loader) is not None


# --- 8. syntax errors ----------------------------------------------------------------------

SYNTAX_ERRORS = [
    ("a: b: c\n", "mapping values are not allowed in this context", on(0, 4, 5)),
    ("a:\n  b: c\n d: e\n", "did not find expected key", on(2, 1, 2)),
    ("a:\n  - b\n  c: d\n", "did not find expected '-' indicator", on(2, 2, 3)),
    ("a: [b, c\n", "did not find expected ',' or ']'", on(1, 0, 0)),
    ("a: {b: c\n", "did not find expected ',' or '}'", on(1, 0, 0)),
    ("a: 'b\n", "found unexpected end of stream", on(1, 0, 0)),
    ("a: - b\n", "block sequence entries are not allowed in this context", on(0, 3, 4)),
    ("a: ]\n", "did not find expected node content", on(0, 3, 4)),
    ("[a, b]]\n", "did not find expected <document start>", on(0, 6, 7)),
    ("a: @b\n", "found character '@' that cannot start any token", on(0, 3, 4)),
    ("a: |x\n  b\n", "did not find expected comment or line break", on(0, 4, 5)),
    ("a: |0\n  b\n", "found an indentation indicator equal to 0", on(0, 4, 5)),
    ('a: "\\q"\n', "found unknown escape character '\\q'", on(0, 4, 6)),
    ("a: !x!y b\n", "found undefined tag handle '!x!'", on(0, 3, 4)),
    ("%FOO bar\n--- a\n", "found unknown directive name", on(0, 4, 5)),
    ("%YAML 1.1\n%YAML 1.1\n--- a\n", "found duplicate %YAML directive", on(1, 0, 1)),
    ("a: \x01\n", "unacceptable character #x0001: control characters are not allowed", on(0, 3, 4)),
]


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("text, message, span", SYNTAX_ERRORS)
def test_syntax_errors_have_libyaml_wording_and_position(text, message, span, loader):
    error = error_of(text, loader)
    assert (str(error), error.span) == (message, span)


@pytest.mark.parametrize("loader", LOADERS)
def test_syntax_error_position_is_in_the_file(loader):
    text = "kind: ConfigMap\n---\nkind: Pod\nspec:\n  containers:\n  - name: a\n    image: b: c\n"
    error = error_of(text, loader, index=1)
    assert (str(error), error.span) == ("mapping values are not allowed in this context", on(6, 12, 13))


@pytest.mark.parametrize("loader", LOADERS)
def test_a_lone_surrogate_is_an_error(loader):
    error = error_of("a: \ud800\n", loader)
    assert (str(error), error.span) == ("unacceptable character #xd800: not valid Unicode", on(0, 3, 4))


@pytest.mark.parametrize("loader", LOADERS)
def test_a_second_document_the_split_cannot_see(loader):
    # A lone CR is a line break to YAML only, so "---" after it starts a document.
    error = error_of("a: 1\r--- b\n", loader)
    assert (str(error), error.span) == ("a second document in the same text: a '---' not at the start of a line?", on(0, 5, 8))


# --- 9. tabs -------------------------------------------------------------------------------

TABS_ACCEPTED = [
    ("kind: Service\t\nspec:\t\n  ports:\t\n  - port: 80\t\n", {"kind": "Service", "spec": {"ports": [{"port": "80"}]}}),
    ("a:\tb\nc: d\t# comment\n", {"a": "b", "c": "d"}),
    ("a: {b:\tc}\t\n", {"a": {"b": "c"}}),
    ("a: one\ttwo\n", {"a": "one\ttwo"}),
    ("a\t: b\n", {"a": "b"}),
    ("a: |\t\n  x\n", {"a": "x\n"}),
    ("a: 'b'\t\n", {"a": "b"}),
    ("Makefile: |\n  all:\n  \tgo build\n", {"Makefile": "all:\n\tgo build\n"}),  # after the indentation: content
]


def tree(node):
    """Everything a node holds, as nested tuples that compare by value."""
    if isinstance(node, YamlMapping):
        return ("map", node.tag, node.flow, node.span, tuple((tree(key), tree(value)) for key, value in node.pairs))
    if isinstance(node, YamlSequence):
        return ("seq", node.tag, node.flow, node.span, tuple(tree(item) for item in node.items))
    return None if node is None else ("scalar", node.value, node.tag, node.style, node.span)


def plain(node):
    if isinstance(node, YamlMapping):
        return {key.value: plain(value) for key, value in node.pairs}
    if isinstance(node, YamlSequence):
        return [plain(item) for item in node.items]
    return node.value


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("text, expected", TABS_ACCEPTED)
def test_tabs_as_separating_white_space_are_accepted(text, expected, loader):
    assert plain(root_of(text, loader)) == expected


TABS_REFUSED = [
    ("a:\n\tb: c\n", on(1, 0, 1)),
    ("a:\n  -\tb\n", on(1, 3, 4)),
    ("\t# comment\na: b\n", on(0, 0, 1)),
]


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("text, span", TABS_REFUSED)
def test_tabs_as_indentation_are_refused_with_a_position(text, span, loader):
    error = error_of(text, loader)
    assert (str(error), error.span) == ("found a tab character that cannot start any token (YAML indents with spaces only)", span)


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(
    "text, message, span",
    [
        ("a:\n  b: c\n\t\n  d: e\n", "found a tab character that violates indentation", on(2, 0, 1)),
        ("data: |\n  \tfirst line\n", "found a tab character where an indentation space is expected", on(1, 2, 3)),
        ("data: |\n    x\n  \ty\n", "found a tab character where an indentation space is expected", on(2, 2, 3)),
        ("data: |2\n \tx\n", "found a tab character where an indentation space is expected", on(1, 1, 2)),
    ],
)
def test_tabs_before_the_indentation_of_a_scalar_continuation(text, message, span, loader):
    error = error_of(text, loader)
    assert (str(error), error.span) == (message, span)


# --- 10. both loaders agree ----------------------------------------------------------------


@pytest.mark.skipif(not HAS_LIBYAML, reason="PyYAML without libyaml")
@pytest.mark.parametrize("index", [0, 1])
def test_both_loaders_build_equal_trees(index):
    c, python = (compose(STREAM, loader, index=index) for loader in ("c", "python"))
    assert tree(c.root) == tree(python.root) and c.duplicate_keys == python.duplicate_keys


@pytest.mark.skipif(not HAS_LIBYAML, reason="PyYAML without libyaml")
def test_both_loaders_agree_on_every_case_here():
    texts = [text for text, *_ in SYNTAX_ERRORS + TABS_REFUSED + TABS_ACCEPTED] + NOT_TEMPLATES + [BILLION_LAUGHS, "data: |\n  \tx\n"]

    def outcome(text, loader):
        try:
            return tree(compose(text, loader).root)
        except YamlError as error:
            return str(error), error.span

    for text in texts:
        assert outcome(text, "c") == outcome(text, "python"), text


def test_unknown_loader():
    with pytest.raises(ValueError, match="unknown or unavailable loader 'ruby'"):
        compose_document(docs_of("a: 1\n")[0], loader="ruby")


def test_node_contents_are_tuples():
    # Nodes are plain slotted classes (cheaper to build than frozen ones) and are shared
    # through the composition cache: their children are tuples so that no rule can add to them.
    root = root_of("a: [1]\n", "python")
    with pytest.raises(AttributeError):
        root.extra = ()  # slots: no stray attributes
    assert isinstance(root.pairs, tuple) and isinstance(root.get("a").items, tuple)
    assert root.get("missing") is None and root.get("a").tag == "tag:yaml.org,2002:seq"
    assert YamlScalar("", NULL_TAG, None, on(0, 0, 0)).is_null
