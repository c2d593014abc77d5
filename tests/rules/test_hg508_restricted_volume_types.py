"""HG508 restricted-volume-types: the PSS restrictedVolumes control (restricted level only)."""
from __future__ import annotations

import pytest

from hullguard.config import Config
from hullguard.model import Format

from conftest import findings_of, reported_of, spans_of

CODE = "HG508"
K = Format.KUBERNETES
ALLOWED = "configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret"


def pod(volumes: str) -> str:
    return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers: []\n  volumes:\n" + volumes


def test_restricted_volume_type_is_reported_at_its_key():
    text = pod("    - name: shared\n      nfs:\n        server: nfs.example\n        path: /exports\n")
    assert reported_of(CODE, text, kind=K) == [(8, 6, 8, 9, f"volume 'shared' of Pod 'p' uses volume type nfs; PSS restricted allows only {ALLOWED}")]


@pytest.mark.parametrize("source", ["gitRepo", "iscsi", "cephfs", "rbd", "flexVolume", "azureDisk", "awsElasticBlockStore", "gcePersistentDisk", "portworxVolume"])
def test_in_tree_sources_are_reported(source):
    assert spans_of(CODE, pod(f"    - name: v\n      {source}: {{a: b}}\n"), kind=K) == [(8, 6, 8, 6 + len(source))]


@pytest.mark.parametrize("source", ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret"])
def test_allowed_sources_pass(source):
    assert findings_of(CODE, pod(f"    - name: v\n      {source}: {{a: b}}\n"), kind=K) == []


@pytest.mark.parametrize("version", [(1, 0), (1, 25), None])
def test_image_volumes_are_allowed_at_every_version(version):
    text = pod("    - name: model\n      image: {reference: example/model:1.0}\n")
    assert findings_of(CODE, text, kind=K, config=Config(pss_version=version)) == []


def test_no_source_or_a_null_source_is_an_empty_dir_after_defaulting():
    assert findings_of(CODE, pod("    - name: a\n    - name: b\n      nfs:\n    - name: c\n      unknownSource: {}\n"), kind=K) == []


def test_host_path_is_left_to_hg107_so_it_is_reported_once():
    text = pod("    - name: logs\n      hostPath: {path: /var/log}\n")
    assert findings_of(CODE, text, kind=K) == []
    assert len(findings_of("HG107", text, kind=K)) == 1


def test_silent_at_baseline():
    text = pod("    - name: shared\n      nfs: {server: s, path: /}\n")
    assert findings_of(CODE, text, kind=K, config=Config(pss_level="baseline")) == []
    assert len(findings_of(CODE, text, kind=K, config=Config(pss_level="restricted", pss_version=(1, 0)))) == 1


def test_workload_depths_list_and_flow_style():
    text = (
        "apiVersion: v1\nkind: List\nitems:\n"
        "  - apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: d}\n    spec:\n      template:\n        spec:\n"
        "          volumes: [{name: src, gitRepo: {repository: r}}]\n"
        "  - apiVersion: batch/v1\n    kind: CronJob\n    metadata: {name: c}\n    spec:\n      jobTemplate:\n        spec:\n"
        "          template:\n            spec:\n              volumes:\n                - name: disk\n                  cinder: {volumeID: x}\n"
    )
    assert [(f.span.start.line, f.message.split(";")[0]) for f in findings_of(CODE, text, kind=K)] == [
        (9, "volume 'src' of Deployment 'd' uses volume type gitRepo"),
        (20, "volume 'disk' of CronJob 'c' uses volume type cinder"),
    ]
