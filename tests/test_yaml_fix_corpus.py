"""Every fix hullguard offers, applied to every compose file and Kubernetes manifest of the
shared corpus (on copies): the result parses, the fixed findings are gone, nothing new
appears, fixing again changes nothing, and the parsed YAML differs from the original only
under the settings the fixes write.

The corpus is third-party and changes when refreshed: the test asserts these properties,
never particular findings.
"""
from __future__ import annotations

from collections import Counter

import pytest

from hullguard.config import Config
from hullguard.documents import load_document
from hullguard.engine import lint_document
from hullguard.fixer import fix_document
from hullguard.model import Format
from hullguard.yamldoc import YamlMapping, YamlScalar, YamlSequence

from conftest import CORPUS

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="needs ../shared/corpus beside the repository")

# The keys YAML fixes add or change (compose and Kubernetes); any other difference is a bug.
FIXED_KEYS = frozenset({
    "securityContext", "automountServiceAccountToken", "hostNetwork", "hostPID", "hostIPC", "hostPort",  # Kubernetes
    "host",  # Kubernetes: HG510 removes the host of probes and lifecycle hooks
    "cap_drop", "security_opt", "read_only", "user", "ports", "privileged",  # compose
    "network_mode", "pid", "ipc", "uts", "cgroup", "userns_mode",
})
CONFIG = Config(select=("ALL",))


def _plain(node):
    """A node as plain data (mapping keys by their text), to compare meaning, not text."""
    if isinstance(node, YamlMapping):
        return {_key(key): _plain(value) for key, value in node.effective_pairs()}
    if isinstance(node, YamlSequence):
        return [_plain(item) for item in node.items]
    return None if node is None or node.is_null else (node.tag, node.value)


def _key(node) -> str:
    return node.value if isinstance(node, YamlScalar) else repr(_plain(node))


def _differences(before, after, path=()):
    if type(before) is not type(after):
        yield path
    elif isinstance(before, dict):
        for key in before.keys() | after.keys():
            yield from _differences(before.get(key, "<absent>"), after.get(key, "<absent>"), path + (key,))
    elif isinstance(before, list) and len(before) == len(after):
        for index, (old, new) in enumerate(zip(before, after)):
            yield from _differences(old, new, path + (index,))
    elif before != after:
        yield path


def _files(folder: str):
    return sorted((CORPUS / folder).iterdir())


@pytest.mark.parametrize("folder, kind", [("compose", Format.COMPOSE), ("kubernetes", Format.KUBERNETES)])
def test_every_fix_on_every_corpus_file(folder, kind, tmp_path):
    fixed_files = 0
    for path in _files(folder):
        data = path.read_bytes()
        document = load_document(str(tmp_path / path.name), data, kind)
        if document.model is None:
            continue
        outcome = fix_document(document, CONFIG, allow_unsafe=True)
        if outcome.fixed_text is None:
            continue
        fixed_files += 1
        fixed = outcome.document
        assert fixed.model is not None, f"{path.name}: the fixed text does not parse: {fixed.error}"
        assert len(fixed.model.problems) <= len(document.model.problems), f"{path.name}: fixing broke a document: {fixed.model.problems}"
        before = Counter((f.code, f.message) for f in lint_document(document, CONFIG).findings)
        applied = Counter((f.code, f.message) for f in outcome.applied)
        after = Counter((f.code, f.message) for f in outcome.result.findings)
        assert not after - (before - applied), f"{path.name}: findings new or not fixed: {after - (before - applied)}"
        assert fix_document(fixed, CONFIG, allow_unsafe=True).fixed_text is None, f"{path.name}: fixing again changed the file"
        old_trees = [_plain(doc.root) for doc in document.model.documents]
        new_trees = [_plain(doc.root) for doc in fixed.model.documents]
        assert len(old_trees) == len(new_trees), path.name
        for old, new in zip(old_trees, new_trees):
            for difference in _differences(old, new):
                assert FIXED_KEYS & {step for step in difference if isinstance(step, str)}, f"{path.name}: fix changed {difference}"
    assert fixed_files, "no corpus file had a fix to apply"
