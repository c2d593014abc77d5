"""HG506 unsafe-sysctls: the PSS sysctls control, whose safe set grows by version."""
from __future__ import annotations

import pytest

from hullguard.config import Config
from hullguard.model import Format
from hullguard.rules import RULES_BY_CODE

from conftest import findings_of, reported_of

K = Format.KUBERNETES


def pod(*names: str) -> str:
    sysctls = "".join(f"      - name: {name}\n        value: \"1\"\n" for name in names)
    return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  securityContext:\n    sysctls:\n" + sysctls + "  containers: [{name: a, image: nginx}]\n"


def names(text: str, version=None, level="restricted") -> list[str]:
    config = Config(pss_level=level, pss_version=version)
    return [text.splitlines()[f.span.start.line][f.span.start.column : f.span.end.column] for f in findings_of("HG506", text, kind=K, config=config)]


def test_unsafe_sysctl_reported_at_its_name_with_the_version():
    text = pod("kernel.msgmax", "net.ipv4.tcp_syncookies")
    assert reported_of("HG506", text, kind=K) == [(7, 14, 7, 27, "Pod 'p' sets sysctl kernel.msgmax, which is not in the PSS baseline safe set (latest)")]
    [finding] = findings_of("HG506", text, kind=K, config=Config(pss_level="baseline", pss_version=(1, 30)))
    assert finding.message == "Pod 'p' sets sysctl kernel.msgmax, which is not in the PSS baseline safe set (v1.30)"


def test_slash_form_is_not_the_same_name():
    assert names(pod("net/ipv4/tcp_syncookies")) == ["net/ipv4/tcp_syncookies"]


@pytest.mark.parametrize(
    "name, first_version",
    [
        ("kernel.shm_rmid_forced", (1, 0)),
        ("net.ipv4.ip_unprivileged_port_start", (1, 0)),
        ("net.ipv4.ip_local_reserved_ports", (1, 27)),
        ("net.ipv4.tcp_keepalive_probes", (1, 29)),
        ("net.ipv4.tcp_fin_timeout", (1, 29)),
        ("net.ipv4.tcp_rmem", (1, 32)),
        ("net.ipv4.tcp_wmem", (1, 32)),
        ("net.ipv4.tcp_notsent_lowat", (1, 37)),
    ],
)
def test_safe_set_grows_by_version(name, first_version):
    text = pod(name)
    assert names(text, first_version, "baseline") == []
    assert names(text) == []  # latest
    if first_version > (1, 0):
        before = (first_version[0], first_version[1] - 1)
        assert names(text, before, "baseline") == [name]
        assert names(text, before, "restricted") == [name]


def test_tcp_rmem_v1_31_versus_v1_32():
    assert names(pod("net.ipv4.tcp_rmem"), (1, 31)) == ["net.ipv4.tcp_rmem"]
    assert names(pod("net.ipv4.tcp_rmem"), (1, 32)) == []


def test_only_the_pod_level_list_is_read_and_a_cronjob_template_counts():
    container_level = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: nginx\n      securityContext: {sysctls: [{name: kernel.msgmax, value: '1'}]}\n"
    assert names(container_level) == []
    cronjob = (
        "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n"
        "          securityContext: {sysctls: [{name: kernel.sem, value: '1'}, {name: net.ipv4.ping_group_range, value: '0 1'}]}\n"
        "          containers: [{name: j, image: busybox}]\n"
    )
    assert names(cronjob) == ["kernel.sem"]


def test_second_document_and_empty_lists():
    empty = "apiVersion: v1\nkind: Pod\nmetadata: {name: e}\nspec:\n  securityContext: {sysctls: []}\n  containers: [{name: a, image: nginx}]\n"
    text = empty + "---\n" + pod("vm.swappiness")
    assert [line for line, *_ in reported_of("HG506", text, kind=K)] == [14]


def test_compose_is_not_covered():
    assert Format.COMPOSE not in RULES_BY_CODE["HG506"].checks
