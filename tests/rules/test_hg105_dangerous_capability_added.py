"""HG105 dangerous-capability-added: PSS capabilities_baseline and the add half of
capabilities_restricted, and compose's cap_add."""
from __future__ import annotations

import pytest

from hullguard.config import Config
from hullguard.model import Format

from conftest import findings_of, reported_of, spanned

CODE = "HG105"
K = Format.KUBERNETES
C = Format.COMPOSE


def pod(add: str, key: str = "containers", prefix: str = "") -> str:
    return (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n" + prefix
        + f"  {key}:\n    - name: app\n      image: nginx:1.27\n      securityContext:\n        capabilities:\n          add: {add}\n"
    )


def pss(level: str = "restricted", version: tuple[int, int] | None = None) -> Config:
    return Config(pss_level=level, pss_version=version)


BASELINE = pss("baseline")


def names(text: str, **kwargs) -> list[str]:
    return [spanned(text, finding) for finding in findings_of(CODE, text, kind=K, **kwargs)]


def test_baseline_reports_each_capability_outside_the_list_at_the_item():
    text = pod("[CHOWN, NET_RAW, SYS_ADMIN]")
    assert reported_of(CODE, text, kind=K, config=BASELINE) == [
        (10, 23, 10, 30, "container 'app' adds capability NET_RAW, which is outside the PSS baseline allow-list"),
        (10, 32, 10, 41, "container 'app' adds capability SYS_ADMIN, which is outside the PSS baseline allow-list"),
    ]
    assert findings_of(CODE, text, kind=K, config=BASELINE)[0].fixes == []


@pytest.mark.parametrize("capability", ["CAP_CHOWN", "chown", "ALL", "NET_RAW", "SYS_PTRACE"])
def test_baseline_compares_names_exactly(capability):
    assert names(pod(f"[{capability}]"), config=BASELINE) == [capability]


def test_baseline_allows_the_default_set():
    add = "[AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT]"
    assert findings_of(CODE, pod(add), kind=K, config=BASELINE) == []


def test_restricted_allows_only_net_bind_service():
    text = pod("[NET_BIND_SERVICE, CHOWN, CAP_NET_BIND_SERVICE]")
    assert [f.message for f in findings_of(CODE, text, kind=K)] == [
        "container 'app' adds capability CHOWN; PSS restricted allows adding only NET_BIND_SERVICE",
        "container 'app' adds capability CAP_NET_BIND_SERVICE; PSS restricted allows adding only NET_BIND_SERVICE",
    ]


def test_restricted_before_v1_22_uses_the_baseline_list():
    assert names(pod("[CHOWN, NET_RAW]"), config=pss(version=(1, 21))) == ["NET_RAW"]
    assert names(pod("[CHOWN, NET_RAW]"), config=pss(version=(1, 22))) == ["CHOWN", "NET_RAW"]


def test_windows_quirk_restricted_exempt_from_v1_25_but_baseline_fails():
    text = pod("[SYS_ADMIN]", prefix="  os:\n    name: windows\n")
    assert names(text) == []
    assert names(text, config=pss(version=(1, 24))) == ["SYS_ADMIN"]
    assert names(text, config=BASELINE) == ["SYS_ADMIN"]


@pytest.mark.parametrize("key, label", [("initContainers", "init container 'app'"), ("ephemeralContainers", "ephemeral container 'app'")])
def test_every_container_list_is_checked(key, label):
    (finding,) = findings_of(CODE, pod("[SYS_ADMIN]", key), kind=K)
    assert finding.message.startswith(f"{label} adds capability SYS_ADMIN")


def test_block_list_second_document_and_cronjob():
    cronjob = (
        "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: job}\nspec:\n  jobTemplate:\n    spec:\n      template:\n"
        "        spec:\n          containers:\n            - name: c\n              image: x\n"
        "              securityContext:\n                capabilities:\n                  add:\n                    - SYS_MODULE\n"
    )
    stream = pod("[]") + "---\n" + cronjob
    (finding,) = findings_of(CODE, stream, kind=K)
    assert (finding.span.start.line, spanned(stream, finding)) == (26, "SYS_MODULE")


def test_empty_or_missing_add_passes():
    assert findings_of(CODE, pod("[]"), kind=K) == []
    assert findings_of(CODE, pod("~"), kind=K) == []


# --- compose -----------------------------------------------------------------------------------

SERVICE = "services:\n  vpn:\n    image: example/vpn:1.0\n"


def test_compose_reports_each_capability_outside_the_baseline_list():
    text = SERVICE + "    cap_add:\n      - NET_ADMIN\n      - CHOWN\n      - cap_sys_module\n"
    assert reported_of(CODE, text, kind=C) == [
        (4, 8, 4, 17, "service 'vpn' adds capability NET_ADMIN, which is outside the baseline allow-list"),
        (6, 8, 6, 22, "service 'vpn' adds capability cap_sys_module, which is outside the baseline allow-list"),
    ]


@pytest.mark.parametrize("capability", ["ALL", "all"])
def test_compose_all_is_reported(capability):
    text = SERVICE + f"    cap_add: [{capability}]\n"
    assert [f.message for f in findings_of(CODE, text, kind=C)] == [f"service 'vpn' adds all capabilities (cap_add: {capability})"]


@pytest.mark.parametrize("capability", ["chown", "CAP_SETUID", "Net_Bind_Service", '"${EXTRA_CAP}"'])
def test_compose_normalises_names_as_docker_does(capability):
    assert findings_of(CODE, SERVICE + f"    cap_add: [{capability}]\n", kind=C) == []
