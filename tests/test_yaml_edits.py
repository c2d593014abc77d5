"""Minimal YAML edits (hullguard.yamledit): every case applies the edits, compares the exact
text, re-composes it with the same loader and checks the value the edit was meant to give."""
from __future__ import annotations

import difflib
import itertools

import pytest
import yaml

from conftest import CORPUS
from hullguard.edits import apply_edits, edits_overlap
from hullguard.text import SourceText
from hullguard.yamldoc import LOADERS, YamlMapping, YamlSequence, compose_document, split_documents
from hullguard.yamledit import append_items, merge_into, remove_entry, render_scalar, replace_scalar

HARDEN = {"securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}}
NON_ROOT = {"securityContext": {"runAsNonRoot": True}}


def node_at(source: SourceText, path, loader: str, doc: int = 0):
    node = compose_document(split_documents(source)[doc], loader=loader).root
    for step in path:
        node = node.items[step] if isinstance(step, int) else node.get(step)
    return node


def value_at(text: str, path, doc: int = 0):
    value = list(yaml.safe_load_all(text))[doc]
    for step in path:
        value = value[step]
    return value


def contains(value, desired) -> bool:
    """``value`` (as PyYAML loads it) holds ``desired`` in merge_into's sense."""
    if isinstance(desired, dict):
        return isinstance(value, dict) and all(key in value and contains(value[key], want) for key, want in desired.items())
    if isinstance(desired, list):
        return isinstance(value, list) and all(item in value for item in desired)
    return type(value) is type(desired) and value == desired


def merged(text: str, path, desired, loader: str, doc: int = 0) -> str:
    """The text after merge_into, checked to re-compose and to hold ``desired`` at ``path``."""
    source = SourceText(text)
    edits = merge_into(source, node_at(source, path, loader, doc), desired)
    assert edits is not None
    assert not any(edits_overlap(a, b) for a, b in itertools.combinations(edits, 2))
    result = apply_edits(source, edits)
    assert isinstance(node_at(SourceText(result), path, loader, doc), YamlMapping)
    assert contains(value_at(result, path, doc), desired)
    return result


def merge_edits(text: str, path, desired, loader: str, doc: int = 0):
    source = SourceText(text)
    return merge_into(source, node_at(source, path, loader, doc), desired)


CONTAINER = ["spec", "containers", 0]

MERGES = [
    pytest.param(
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: app\n    image: nginx:1.27\n  restartPolicy: Always\n",
        CONTAINER,
        HARDEN,
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: app\n    image: nginx:1.27\n"
        "    securityContext:\n      allowPrivilegeEscalation: false\n      capabilities:\n        drop: [ALL]\n"
        "  restartPolicy: Always\n",
        id="security-context-missing",
    ),
    pytest.param(
        "spec:\n  containers:\n    - name: app\n      securityContext:\n        runAsUser: 1000\n      image: nginx\n",
        CONTAINER,
        HARDEN,
        "spec:\n  containers:\n    - name: app\n      securityContext:\n        runAsUser: 1000\n"
        "        allowPrivilegeEscalation: false\n        capabilities:\n          drop: [ALL]\n      image: nginx\n",
        id="existing-security-context-2-spaces",
    ),
    pytest.param(
        "spec:\n    containers:\n    -   name: app\n        securityContext:\n            runAsUser: 1000\n",
        CONTAINER,
        HARDEN,
        "spec:\n    containers:\n    -   name: app\n        securityContext:\n            runAsUser: 1000\n"
        "            allowPrivilegeEscalation: false\n            capabilities:\n                drop: [ALL]\n",
        id="existing-security-context-4-spaces",
    ),
    pytest.param(
        "spec:\n  containers:\n  - name: app\n    securityContext:\n      capabilities: {add: [NET_BIND_SERVICE]}\n",
        CONTAINER,
        HARDEN,
        "spec:\n  containers:\n  - name: app\n    securityContext:\n      capabilities: {add: [NET_BIND_SERVICE], drop: [ALL]}\n"
        "      allowPrivilegeEscalation: false\n",
        id="flow-capabilities-keep-add",
    ),
    pytest.param(
        "spec:\n  containers:\n  - name: app\n    securityContext:\n      capabilities:\n        drop: [NET_RAW]\n      runAsUser: 1\n",
        CONTAINER,
        HARDEN,
        "spec:\n  containers:\n  - name: app\n    securityContext:\n      capabilities:\n        drop: [NET_RAW, ALL]\n      runAsUser: 1\n"
        "      allowPrivilegeEscalation: false\n",
        id="flow-drop-list-append",
    ),
    pytest.param(
        "spec:\n  containers:\n  - name: app\n    securityContext:\n      capabilities:\n        drop:\n          - NET_RAW\n",
        CONTAINER,
        HARDEN,
        "spec:\n  containers:\n  - name: app\n    securityContext:\n      capabilities:\n        drop:\n          - NET_RAW\n          - ALL\n"
        "      allowPrivilegeEscalation: false\n",
        id="indented-block-drop-list-append",
    ),
    pytest.param(
        "spec:\n  containers:\n  - name: app\n    securityContext:\n      capabilities:\n        drop:\n        - NET_RAW\n        add: [CHOWN]\n",
        CONTAINER,
        HARDEN,
        "spec:\n  containers:\n  - name: app\n    securityContext:\n      capabilities:\n        drop:\n        - NET_RAW\n        - ALL\n        add: [CHOWN]\n"
        "      allowPrivilegeEscalation: false\n",
        id="flush-block-drop-list-append",
    ),
    pytest.param(
        "spec:\n  containers:\n  - name: app\n    securityContext:\n      allowPrivilegeEscalation: true  # why?\n      capabilities: {drop: [ALL]}\n",
        CONTAINER,
        HARDEN,
        "spec:\n  containers:\n  - name: app\n    securityContext:\n      allowPrivilegeEscalation: false  # why?\n      capabilities: {drop: [ALL]}\n",
        id="true-replaced-by-false",
    ),
    pytest.param(
        "spec:\n  containers:\n  - name: app\n    securityContext:\n      allowPrivilegeEscalation: \"true\"\n",
        CONTAINER,
        {"securityContext": {"allowPrivilegeEscalation": False}},
        "spec:\n  containers:\n  - name: app\n    securityContext:\n      allowPrivilegeEscalation: false\n",
        id="quoted-true-string-replaced-by-false",
    ),
    pytest.param(
        "spec:\n  containers:\n  - {name: app, image: nginx}  # one line\n",
        CONTAINER,
        HARDEN,
        "spec:\n  containers:\n  - {name: app, image: nginx, securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}  # one line\n",
        id="flow-container",
    ),
    pytest.param(
        "spec:\n  containers:\n  - name: app\n    securityContext: {}\n    image: nginx\n",
        CONTAINER,
        HARDEN,
        "spec:\n  containers:\n  - name: app\n    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}\n    image: nginx\n",
        id="empty-flow-security-context",
    ),
    pytest.param(
        "env: {A: 1,\n  B: [x],\n}\n",
        [],
        {"env": {"C": "two words"}},
        "env: {A: 1,\n  B: [x], C: two words,\n}\n",
        id="multi-line-flow-mapping-with-trailing-comma",
    ),
    pytest.param(
        "spec:\n  containers:\n  - name: app\n    securityContext:   # to do\n    image: nginx\n",
        CONTAINER,
        HARDEN,
        "spec:\n  containers:\n  - name: app\n    securityContext:   # to do\n"
        "      allowPrivilegeEscalation: false\n      capabilities:\n        drop: [ALL]\n    image: nginx\n",
        id="empty-security-context",
    ),
    pytest.param(
        "spec:\n  containers:\n  - name: app\n    securityContext: ~ # none\n",
        CONTAINER,
        NON_ROOT,
        "spec:\n  containers:\n  - name: app\n    securityContext: # none\n      runAsNonRoot: true\n",
        id="tilde-security-context",
    ),
    pytest.param(
        "spec:\n  containers:\n  - name: app\n    securityContext:\n      capabilities:\n        drop: null\n",
        CONTAINER,
        HARDEN,
        "spec:\n  containers:\n  - name: app\n    securityContext:\n      capabilities:\n        drop: [ALL]\n"
        "      allowPrivilegeEscalation: false\n",
        id="null-list-written-in-place",
    ),
    pytest.param(
        "spec:\n  containers:\n  - name: app\n    securityContext:\n      capabilities:\n        drop:\n",
        CONTAINER,
        HARDEN,
        "spec:\n  containers:\n  - name: app\n    securityContext:\n      capabilities:\n        drop: [ALL]\n"
        "      allowPrivilegeEscalation: false\n",
        id="empty-list-value-written-after-colon",
    ),
    pytest.param(
        "spec:\n  containers:\n  - name: app\n    command: |\n      echo one\n\n      echo two\n\n  # a comment for volumes\n  volumes: []\n",
        CONTAINER,
        NON_ROOT,
        "spec:\n  containers:\n  - name: app\n    command: |\n      echo one\n\n      echo two\n"
        "    securityContext:\n      runAsNonRoot: true\n\n  # a comment for volumes\n  volumes: []\n",
        id="block-scalar-last-value",
    ),
    pytest.param(
        "spec:\n  containers:\n  - name: app\n    # the image\n    image: nginx  # pinned\n# the end\n",
        CONTAINER,
        NON_ROOT,
        "spec:\n  containers:\n  - name: app\n    # the image\n    image: nginx  # pinned\n    securityContext:\n      runAsNonRoot: true\n# the end\n",
        id="comments-between-after-and-trailing",
    ),
    pytest.param(
        "spec:\n  containers:\n  - name: app\n    image: nginx",
        CONTAINER,
        NON_ROOT,
        "spec:\n  containers:\n  - name: app\n    image: nginx\n    securityContext:\n      runAsNonRoot: true",
        id="no-final-newline",
    ),
    pytest.param(
        "spec:\r\n  containers:\r\n  - name: app\r\n    image: nginx\r\n",
        CONTAINER,
        HARDEN,
        "spec:\r\n  containers:\r\n  - name: app\r\n    image: nginx\r\n"
        "    securityContext:\r\n      allowPrivilegeEscalation: false\r\n      capabilities:\r\n        drop: [ALL]\r\n",
        id="crlf",
    ),
    pytest.param(
        "kind: Pod\nmetadata:\n  name: x\n",
        [],
        {"metadata": {"labels": {"app": "x"}}, "spec": {"hostNetwork": False}},
        "kind: Pod\nmetadata:\n  name: x\n  labels:\n    app: x\nspec:\n  hostNetwork: false\n",
        id="root-mapping",
    ),
    pytest.param(
        "services:\n  web:\n    image: nginx\n    cap_add: [NET_ADMIN]\n  db:\n    image: postgres\n",
        ["services", "web"],
        {"cap_drop": ["ALL"], "read_only": True, "security_opt": ["no-new-privileges:true"]},
        "services:\n  web:\n    image: nginx\n    cap_add: [NET_ADMIN]\n"
        "    cap_drop: [ALL]\n    read_only: true\n    security_opt: [no-new-privileges:true]\n  db:\n    image: postgres\n",
        id="compose-service",
    ),
    pytest.param(
        "services:\n  web:\n    security_opt:\n      - label:disable\n    read_only: false\n",
        ["services", "web"],
        {"security_opt": ["no-new-privileges:true"], "read_only": True},
        "services:\n  web:\n    security_opt:\n      - label:disable\n      - no-new-privileges:true\n    read_only: true\n",
        id="compose-security-opt-append-and-read-only",
    ),
    pytest.param(
        "data:\n  plain: old\n  single: 'old'\n  double: \"old\"\n  number: 8080\n",
        ["data"],
        {"plain": "new value", "single": "it's", "double": "a\tb", "number": "8080"},
        "data:\n  plain: new value\n  single: 'it''s'\n  double: \"a\\tb\"\n  number: \"8080\"\n",
        id="strings-keep-their-quotes",
    ),
    pytest.param(
        "base: &base\n  user: root\nweb:\n  <<: *base\n  sc:\n    a: 1\n",
        ["web"],
        {"user": "root", "sc": {"b": 2}, "x": 1},
        "base: &base\n  user: root\nweb:\n  <<: *base\n  sc:\n    a: 1\n    b: 2\n  x: 1\n",
        id="merge-key-equal-value-and-nested-insertions-at-one-point",
    ),
]


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("text, path, desired, expected", MERGES)
def test_merge_into(text, path, desired, expected, loader):
    assert merged(text, path, desired, loader) == expected


STREAM = "apiVersion: v1\nkind: ConfigMap\ndata: {a: b}\n---\n# the pod\napiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: app\n---\nkind: Other\n"


@pytest.mark.parametrize("loader", LOADERS)
def test_merge_into_the_second_document_of_a_stream(loader):
    assert merged(STREAM, CONTAINER, NON_ROOT, loader, doc=1) == STREAM.replace(
        "  - name: app\n", "  - name: app\n    securityContext:\n      runAsNonRoot: true\n"
    )


@pytest.mark.parametrize("loader", LOADERS)
def test_all_missing_keys_of_a_mapping_are_one_edit(loader):
    text = "spec:\n  containers:\n  - name: app\n    image: nginx\n"
    desired = {"securityContext": {"runAsNonRoot": True, "runAsUser": 10001, "readOnlyRootFilesystem": True, "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}}
    (edit,) = merge_edits(text, CONTAINER, desired, loader)
    assert edit.span.start == edit.span.end and edit.new_text.count("\n") == 7


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(
    "text, path, desired",
    [
        ("spec:\n  containers:\n  - name: app\n    securityContext:\n      runAsNonRoot: True\n      runAsUser: 1000\n", CONTAINER, {"securityContext": {"runAsNonRoot": True, "runAsUser": 1000}}),
        ("a: {drop: [NET_RAW, ALL]}\n", ["a"], {"drop": ["ALL"]}),
        ("a:\n  name: 'x'\n  flag: TRUE\n", ["a"], {"name": "x", "flag": True}),
        # What a merge provides is fine as long as nothing must change.
        ("base: &base\n  user: app\nweb:\n  <<: *base\n  image: x\n", ["web"], {"user": "app"}),
    ],
)
def test_nothing_to_do(text, path, desired, loader):
    assert merge_edits(text, path, desired, loader) == []


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(
    "text, path, desired",
    [
        pytest.param("base: &base\n  user: root\nweb:\n  <<: *base\n  image: x\n", ["web"], {"user": "app"}, id="merge-key-provides-the-key"),
        pytest.param("sc: &sc\n  runAsUser: 1\nc:\n  securityContext: *sc\n", ["c"], NON_ROOT, id="alias-target"),
        pytest.param("c:\n  securityContext: &sc\n    runAsUser: 1\n", ["c"], NON_ROOT, id="anchored-value"),
        pytest.param("c: &c\n  name: a\n", ["c"], NON_ROOT, id="anchored-mapping"),
        pytest.param("c:\n  securityContext: !Custom\n    runAsUser: 1\n", ["c"], NON_ROOT, id="tagged-mapping"),
        pytest.param("c:\n  flag: !!str true\n", ["c"], {"flag": True}, id="tagged-scalar"),
        pytest.param("c:\n  securityContext: strict\n", ["c"], NON_ROOT, id="scalar-where-a-mapping-is-wanted"),
        pytest.param("c:\n  securityContext:\n    capabilities: [ALL]\n", ["c"], HARDEN, id="sequence-where-a-mapping-is-wanted"),
        pytest.param("c:\n  flag:\n    a: 1\n", ["c"], {"flag": False}, id="mapping-where-a-scalar-is-wanted"),
        pytest.param("c:\n  drop: ALL\n", ["c"], {"drop": ["ALL"]}, id="scalar-where-a-list-is-wanted"),
        pytest.param("c:\n  flag: |\n    true\n", ["c"], {"flag": True}, id="block-scalar-value"),
        pytest.param("c:\n  script: |+\n    echo\n\nd: 1\n", ["c"], {"x": 1}, id="kept-trailing-lines-of-a-block-scalar"),
        pytest.param("c:\n  flag: true\n  flag: false\n", ["c"], {"flag": True}, id="duplicate-key"),
        pytest.param("c: [a: 1]\n", ["c", 0], {"b": 2}, id="one-pair-mapping-in-a-flow-sequence"),
        pytest.param("c:\n  ? a\n  : 1\n", ["c"], {"b": 2}, id="explicit-keys"),
        pytest.param("c: {a: }\n", ["c"], {"a": 1}, id="empty-value-in-flow"),
    ],
)
def test_refused(text, path, desired, loader):
    assert merge_edits(text, path, desired, loader) is None


# --- remove_entry ----------------------------------------------------------------------------


def removed(text: str, path, key: str, loader: str) -> str | None:
    source = SourceText(text)
    edit = remove_entry(source, node_at(source, path, loader), key)
    if edit is None:
        return None
    result = apply_edits(source, [edit])
    assert key not in value_at(result, path)
    return result


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(
    "text, path, key, expected",
    [
        ("c:\n  # the name\n  name: a\n  privileged: true  # bad\n  # the image\n  image: x\n", ["c"], "privileged", "c:\n  # the name\n  name: a\n  # the image\n  image: x\n"),
        ("c:\n  name: a\n  command: |\n    echo\n  image: x\n", ["c"], "command", "c:\n  name: a\n  image: x\n"),
        ("c:\n  name: a\n  privileged: true", ["c"], "privileged", "c:\n  name: a"),
        ("c:\r\n  name: a\r\n  privileged: true\r\n", ["c"], "privileged", "c:\r\n  name: a\r\n"),
        ("c:\n- privileged: true\n  name: a\n", ["c", 0], "privileged", "c:\n- name: a\n"),
        ("c: {privileged: true, name: a}\n", ["c"], "privileged", "c: {name: a}\n"),
        ("c: {name: a, privileged: true }\n", ["c"], "privileged", "c: {name: a }\n"),
        ("c: {name: a, privileged: true, image: x}\n", ["c"], "privileged", "c: {name: a, image: x}\n"),
        ("c: {privileged: true}\n", ["c"], "privileged", "c: {}\n"),
        ("c:\n  privileged: true\n", ["c"], "privileged", None),  # the mapping would become null
        ("c:\n- privileged: true\n  # kept\n  name: a\n", ["c", 0], "privileged", None),  # the comment would go
        ("c: {name: a, # note\n  privileged: true}\n", ["c"], "privileged", None),
        ("c:\n  name: a\n", ["c"], "privileged", None),
        ("c: &c\n  name: a\n  privileged: true\n", ["c"], "privileged", None),
    ],
)
def test_remove_entry(text, path, key, expected, loader):
    assert removed(text, path, key, loader) == expected


# --- replace_scalar ----------------------------------------------------------------------------


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(
    "text, new_value, expected",
    [
        ("image: nginx:1.27  # pin\n", "nginx:1.28", "image: nginx:1.28  # pin\n"),
        ("port: 8080\n", "9090", "port: 9090\n"),
        ("image: 'nginx'\n", "it's", "image: 'it''s'\n"),
        ('image: "nginx"\n', 'say "hi"\n', 'image: "say \\"hi\\"\\n"\n'),
        ("image: nginx\n", "true", None),  # plain would read back as a boolean
        ("image: nginx\n", "a: b", None),
        ("port: 8080\n", "http", None),  # plain would read back as a string, not an int
        ("image: 'nginx'\n", "two\nlines", None),
        ("image: |\n  nginx\n", "x", None),
        ("image: &i nginx\n", "x", None),
        ('image: "ng\\x69nx"\n', "x", None),  # escapes: the text does not map to the value
    ],
)
def test_replace_scalar(text, new_value, expected, loader):
    source = SourceText(text)
    scalar = node_at(source, [], loader).pairs[0][1]
    edit = replace_scalar(scalar, new_value)
    if expected is None:
        assert edit is None
    else:
        assert apply_edits(source, [edit]) == expected
        assert node_at(SourceText(expected), [], loader).pairs[0][1].value == new_value


# --- append_items --------------------------------------------------------------------------------


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(
    "text, expected",
    [
        ("l: []\n", "l: [ALL, \"yes\"]\n"),
        ("l: [a,]\n", "l: [a, ALL, \"yes\",]\n"),
        ("l: [a, # first\n  b  # second\n]\n", "l: [a, # first\n  b, ALL, \"yes\"  # second\n]\n"),
        ("l:\n- a\nm: 1\n", "l:\n- a\n- ALL\n- \"yes\"\nm: 1\n"),
        ("l:\n    - a  # c\n", "l:\n    - a  # c\n    - ALL\n    - \"yes\"\n"),
        ("x: &x a\nl: [*x]\n", None),  # the alias is written here, its node is not
        ("l: &l [a]\n", None),
    ],
)
def test_append_items(text, expected, loader):
    source = SourceText(text)
    sequence = node_at(source, ["l"], loader)
    assert isinstance(sequence, YamlSequence)
    edit = append_items(source, sequence, ["ALL", "yes"])
    if expected is None:
        assert edit is None
    else:
        assert apply_edits(source, [edit]) == expected
        assert value_at(expected, ["l"])[-2:] == ["ALL", "yes"]


# --- render_scalar ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (True, "true"),
        (False, "false"),
        (1000, "1000"),
        ("ALL", "ALL"),
        ("nginx:1.27", "nginx:1.27"),
        ("no-new-privileges:true", "no-new-privileges:true"),
        ("-c", "-c"),
        ("héllo wörld", "héllo wörld"),
        ("true", '"true"'),
        ("True", '"True"'),
        ("yes", '"yes"'),
        ("y", '"y"'),  # a boolean to go-yaml v2
        ("0", '"0"'),
        ("1.0", '"1.0"'),
        ("1e3", '"1e3"'),  # a float to YAML 1.2
        ("0o17", '"0o17"'),
        ("null", '"null"'),
        ("~", '"~"'),
        ("", '""'),
        ("2024-01-01", '"2024-01-01"'),
        ("a: b", '"a: b"'),
        ("a #b", '"a #b"'),
        ("end:", '"end:"'),
        ("*x", '"*x"'),
        ("&x", '"&x"'),
        ("!x", '"!x"'),
        ("- x", '"- x"'),
        ("---", '"---"'),  # a document marker as a key in column 0
        ("...x", '"...x"'),
        ("[x]", '"[x]"'),
        ("a,b", '"a,b"'),
        ("#x", '"#x"'),
        (" x", '" x"'),
        ("<<", '"<<"'),
        ("=", '"="'),
        ('say "hi"\\', 'say "hi"\\'),  # quotes and backslashes inside a plain scalar are text
        ('"hi"\\', '"\\"hi\\"\\\\"'),
        ("tab\there\n", '"tab\\there\\n"'),
        ("line\u2028break\x85", '"line\\u2028break\\u0085"'),
    ],
)
def test_render_scalar(value, expected):
    assert render_scalar(value) == expected
    assert yaml.safe_load(f"k: {expected}")["k"] == value
    assert yaml.safe_load(f"k: [{expected}]")["k"] == [value]


def test_render_scalar_refuses_other_types():
    with pytest.raises(TypeError):
        render_scalar(1.5)


# --- real manifests ----------------------------------------------------------------------------------

MANIFESTS = [
    "dockersamples__example-voting-app__k8s-specifications__vote-deployment.yaml",
    "kubernetes-sigs__kustomize__examples__wordpress__wordpress__deployment.yaml",
    "kubernetes__examples___archived__volumes__nfs__nfs-server-deployment.yaml",
    "GoogleCloudPlatform__microservices-demo__kubernetes-manifests__loadgenerator.yaml",
    "Azure-Samples__aks-store-demo__aks-store-quickstart.yaml",
]


def container_paths(node, path=()):
    """Paths to every item of a ``containers``/``initContainers`` sequence."""
    if isinstance(node, YamlMapping):
        for key, value in node.pairs:
            if key.value in ("containers", "initContainers") and isinstance(value, YamlSequence):
                yield from (path + (key.value, index) for index in range(len(value.items)))
            else:
                yield from container_paths(value, path + (key.value,))


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("name", MANIFESTS)
def test_merging_into_every_container_of_real_manifests_only_inserts_lines(name, loader):
    path = CORPUS / "kubernetes" / name
    if not path.exists():
        pytest.skip(f"corpus file missing: {path}")
    text = path.read_text(encoding="utf-8")
    source = SourceText(text)
    targets = []  # (document index, container path)
    edits = []
    for doc in split_documents(source):
        root = compose_document(doc, loader=loader).root
        for container in container_paths(root):
            targets.append((doc.index, container))
            found = merge_into(source, node_at(source, container, loader, doc.index), NON_ROOT)
            assert found is not None
            edits.extend(found)
    assert targets
    assert not any(edits_overlap(a, b) for a, b in itertools.combinations(edits, 2))
    result = apply_edits(source, edits)
    for doc in split_documents(SourceText(result)):
        compose_document(doc, loader=loader)
    for doc, container in targets:
        assert value_at(result, container, doc)["securityContext"]["runAsNonRoot"] is True
    before, after = text.splitlines(keepends=True), result.splitlines(keepends=True)
    opcodes = difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    assert {tag for tag, *_ in opcodes} == {"equal", "insert"}


def test_indent_unit_of_a_text_that_grew_after_few_samples_is_measured_again():
    from hullguard.yamledit import indent_unit

    few = "a:\n  b: 1\n"
    assert indent_unit(SourceText(few)) == 2
    assert indent_unit(SourceText(few + "c:\n    d: 1\ne:\n    f: 1\n")) == 4  # more text, more samples


def test_indent_unit_after_enough_samples_stands_for_a_text_that_only_changes_below():
    from hullguard.yamledit import INDENT_SAMPLES, indent_unit

    head = "".join(f"k{n}:\n  v: {n}\n" for n in range(INDENT_SAMPLES))
    assert indent_unit(SourceText(head + "tail:\n    x: 1\n")) == 2
    assert indent_unit(SourceText(head + "tail:\n        y: 2\n")) == 2  # the samples are all above
    assert indent_unit(SourceText(head.replace("  v: 0", "    v: 0") + "x: 1\n")) == 2  # one sample changed: read again
