"""The lock cache file: its format, when it is written, and clear errors (no network)."""
from __future__ import annotations

import json

import pytest

from hullguard.digests import DigestCache, DigestCacheError, lock_path

A = "sha256:" + "a" * 64
B = "sha256:" + "b" * 64


def test_round_trip_with_sorted_keys(tmp_path):
    path = lock_path(tmp_path)
    assert path == tmp_path / ".hullguard" / "digests.json"
    cache = DigestCache.load(path)
    assert cache.entries == {} and not path.exists()
    cache.record("docker.io/library/nginx:1.27", A, "2026-01-02T03:04:05Z")
    cache.record("docker.io/library/alpine:3.20", B, "2026-01-02T03:04:06Z")
    assert cache.save() is True
    assert path.read_text() == (
        '{\n  "docker.io/library/alpine:3.20": {\n    "digest": "' + B + '",\n    "resolved_at": "2026-01-02T03:04:06Z"\n  },\n'
        '  "docker.io/library/nginx:1.27": {\n    "digest": "' + A + '",\n    "resolved_at": "2026-01-02T03:04:05Z"\n  }\n}\n'
    )
    again = DigestCache.load(path)
    assert again.get("docker.io/library/nginx:1.27").digest == A
    assert again.get("docker.io/library/nginx:1.28") is None


def test_written_only_when_a_digest_changes(tmp_path):
    path = lock_path(tmp_path)
    cache = DigestCache.load(path)
    cache.record("r:1", A, "2026-01-01T00:00:00Z")
    cache.save()
    cache = DigestCache.load(path)
    assert cache.record("r:1", A) is False  # same digest: resolved_at stays, nothing to write
    assert cache.save() is False
    assert cache.get("r:1").resolved_at == "2026-01-01T00:00:00Z"
    assert cache.record("r:1", B) is True
    assert cache.save() is True
    entry = json.loads(path.read_text())["r:1"]
    assert entry["digest"] == B and entry["resolved_at"] != "2026-01-01T00:00:00Z" and entry["resolved_at"].endswith("Z")


def test_save_replaces_the_file_atomically(tmp_path):
    path = lock_path(tmp_path)
    cache = DigestCache.load(path)
    cache.record("r:1", A)
    cache.save()
    inode = path.stat().st_ino
    cache.record("r:1", B)
    cache.save()
    assert path.stat().st_ino != inode  # a new file renamed over the old one
    assert [p.name for p in path.parent.iterdir()] == ["digests.json"]


@pytest.mark.parametrize("text, message", [
    ("{oops", "the lock cache is not valid JSON"),
    ("[]", "the lock cache must be a JSON object of reference: {digest, resolved_at}"),
    ('{"r:1": {"digest": "sha256:short", "resolved_at": "x"}}', "entry 'r:1' must be {\"digest\": \"sha256:<64 hex>\", \"resolved_at\": \"<time>\"}"),
    ('{"r:1": "' + A + '"}', "entry 'r:1' must be"),
])
def test_invalid_files(tmp_path, text, message):
    path = lock_path(tmp_path)
    path.parent.mkdir()
    path.write_text(text)
    with pytest.raises(DigestCacheError) as caught:
        DigestCache.load(path)
    assert str(caught.value).startswith(f"{path}: {message}")
