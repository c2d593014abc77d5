"""HG107 host-path-mount: the PSS hostPathVolumes control, and compose bind mounts of sensitive
host paths."""
from __future__ import annotations

import pytest

from hullguard.config import Config
from hullguard.model import Format

from conftest import findings_of, reported_of, spans_of

CODE = "HG107"
K = Format.KUBERNETES
C = Format.COMPOSE


def pod(volumes: str, name: str = "agent") -> str:
    return (
        f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  containers:\n    - name: app\n"
        f"      image: example/agent:1.4\n  volumes:\n{volumes}"
    )


def compose(volumes: str) -> str:
    return f"services:\n  app:\n    image: example/app:1.0\n    volumes:\n{volumes}"


# --- Kubernetes ------------------------------------------------------------------------------


def test_any_host_path_is_reported_at_its_path():
    text = pod("    - name: logs\n      hostPath:\n        path: /var/log\n        type: Directory\n")
    assert reported_of(CODE, text, kind=K) == [
        (11, 14, 11, 22, "volume 'logs' of Pod 'agent' mounts host path /var/log; PSS baseline does not allow hostPath volumes")
    ]


def test_a_sensitive_host_path_names_what_it_holds():
    text = pod("    - name: etc\n      hostPath: {path: /etc}\n")
    [finding] = findings_of(CODE, text, kind=K)
    assert finding.message == "volume 'etc' of Pod 'agent' mounts host path /etc (host configuration and credentials); PSS baseline does not allow hostPath volumes"
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (10, 23, 27)


def test_host_path_without_path_is_reported_at_its_key():
    assert reported_of(CODE, pod("    - name: odd\n      hostPath: {type: Directory}\n"), kind=K) == [
        (10, 6, 10, 14, "volume 'odd' of Pod 'agent' is a hostPath volume; PSS baseline does not allow hostPath volumes")
    ]


def test_host_path_with_no_value_is_no_source_at_all():
    assert findings_of(CODE, pod("    - name: defaulted\n      hostPath:\n    - name: other\n      hostPath: ~\n"), kind=K) == []


def test_other_volume_types_pass():
    volumes = "    - {name: a, emptyDir: {}}\n    - {name: b, configMap: {name: b}}\n    - {name: c, nfs: {server: s, path: /}}\n"
    assert findings_of(CODE, pod(volumes), kind=K) == []


@pytest.mark.parametrize("level", ["baseline", "restricted"])
def test_reported_at_both_levels(level):
    text = pod("    - name: logs\n      hostPath:\n        path: /var/log\n")
    assert len(findings_of(CODE, text, kind=K, config=Config(pss_level=level))) == 1


def test_docker_socket_host_path_is_reported_here_too():
    text = pod("    - name: docker\n      hostPath:\n        path: /var/run/docker.sock\n")
    assert spans_of(CODE, text, kind=K) == spans_of("HG108", text, kind=K) == [(11, 14, 11, 34)]


def test_workload_depths_and_second_document():
    deployment = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n"
        "      volumes:\n        - name: data\n          hostPath:\n            path: /srv/data\n"
    )
    cronjob = (
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: job\nspec:\n  jobTemplate:\n    spec:\n"
        "      template:\n        spec:\n          volumes: [{name: root, hostPath: {path: /}}]\n"
    )
    [first, second] = findings_of(CODE, deployment + "---\n" + cronjob, kind=K)
    assert (first.span.start.line, first.message.split(" mounts")[0]) == (10, "volume 'data' of Deployment 'web'")
    assert (second.span.start.line, second.span.start.column) == (21, 50)
    assert second.message == "volume 'root' of CronJob 'job' mounts host path / (the host's whole filesystem); PSS baseline does not allow hostPath volumes"


# --- compose ---------------------------------------------------------------------------------


def test_compose_short_syntax_is_reported_at_the_source():
    assert reported_of(CODE, compose("      - /etc:/host/etc\n"), kind=C) == [
        (4, 8, 4, 12, "service 'app' mounts sensitive host path /etc (host configuration and credentials)")
    ]


def test_compose_read_only_does_not_excuse_secrets():
    assert reported_of(CODE, compose('      - "/:/rootfs:ro"\n'), kind=C) == [
        (4, 9, 4, 10, "service 'app' mounts sensitive host path / (the host's whole filesystem); read-only does not make it safe")
    ]


def test_compose_read_only_excuses_system_programs_but_not_writable():
    assert findings_of(CODE, compose("      - /usr/local/bin:/host/bin:ro\n"), kind=C) == []
    assert reported_of(CODE, compose("      - /usr/local/bin:/host/bin\n"), kind=C) == [
        (4, 8, 4, 22, "service 'app' mounts sensitive host path /usr/local/bin, inside /usr (host programs and libraries)")
    ]


def test_compose_parent_of_a_sensitive_path():
    assert [f.message for f in findings_of(CODE, compose("      - /var/lib:/host/var/lib:ro\n"), kind=C)] == [
        "service 'app' mounts sensitive host path /var/lib, which contains /var/lib/docker (every Docker container's files and volumes); read-only does not make it safe"
    ]


def test_compose_long_syntax():
    entries = "      - type: bind\n        source: /proc\n        target: /host/proc\n        read_only: true\n"
    assert spans_of(CODE, compose(entries), kind=C) == [(5, 16, 5, 21)]
    entries = "      - type: bind\n        source: /sys\n        target: /host/sys\n        read_only: true\n"
    assert findings_of(CODE, compose(entries), kind=C) == []


def test_compose_home_directory_itself_but_not_project_folders_in_it():
    assert spans_of(CODE, compose("      - ~:/home/me\n      - ~/src:/src\n      - /home/me/src:/src\n"), kind=C) == [(4, 8, 4, 9)]


@pytest.mark.parametrize(
    "entry",
    [
        "./etc:/etc",  # project-relative
        "etc:/etc",  # a named volume
        "${HOST_ETC:-/etc}:/etc",  # unknown
        "/etc/localtime:/etc/localtime:ro",
        "/srv/data:/data",
        "/var/run/docker.sock:/var/run/docker.sock",  # HG108's
        "C:\\Windows:/win",
    ],
)
def test_compose_mounts_that_pass(entry):
    assert findings_of(CODE, compose(f"      - '{entry}'\n"), kind=C) == []


def test_compose_normalised_paths_and_crlf():
    text = compose("      - //etc/:/x\n      - /usr/../root/.ssh:/keys:ro\n").replace("\n", "\r\n")
    assert [f.message for f in findings_of(CODE, text, kind=C)] == [
        "service 'app' mounts sensitive host path //etc/ (host configuration and credentials)",
        "service 'app' mounts sensitive host path /usr/../root/.ssh, inside /root (root's home directory, with its credentials and keys); read-only does not make it safe",
    ]
