"""HG104 capabilities-not-dropped: the drop half of the PSS restricted control
capabilities_restricted, and compose's cap_drop."""
from __future__ import annotations

import pytest

from hullguard.config import Config
from hullguard.model import Applicability, Format

from conftest import findings_of, fixed_text, reported_of, spanned

CODE = "HG104"
K = Format.KUBERNETES
C = Format.COMPOSE
MESSAGE = "container 'app' does not drop all capabilities (capabilities.drop lacks ALL)"


def pod(spec: str) -> str:
    return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n" + spec


APP = "  containers:\n    - name: app\n      image: nginx:1.27\n"


def with_capabilities(lines: str, key: str = "containers") -> str:
    return f"  {key}:\n    - name: app\n      image: nginx:1.27\n      securityContext:\n        capabilities:\n{lines}"


def pss(level: str = "restricted", version: tuple[int, int] | None = None) -> Config:
    return Config(pss_level=level, pss_version=version)


def test_no_capabilities_is_reported_at_the_container_name_with_two_fixes():
    text = pod(APP)
    assert reported_of(CODE, text, kind=K) == [(6, 12, 6, 15, MESSAGE)]
    (finding,) = findings_of(CODE, text, kind=K)
    assert [(fix.title, fix.applicability) for fix in finding.fixes] == [
        ("Drop ALL capabilities (securityContext.capabilities.drop)", Applicability.UNSAFE),
        ("Harden container 'app' to Pod Security Standards restricted", Applicability.UNSAFE),
    ]
    assert fixed_text(CODE, text, kind=K) == pod(APP + "      securityContext:\n        capabilities:\n          drop: [ALL]\n")


def test_a_drop_list_without_all_is_reported_at_its_key_and_the_add_list_is_kept():
    text = pod(with_capabilities("          add: [NET_BIND_SERVICE]\n          drop:\n            - NET_RAW\n"))
    (finding,) = findings_of(CODE, text, kind=K)
    assert (finding.message, spanned(text, finding)) == (MESSAGE, "drop")
    assert fixed_text(CODE, text, kind=K) == pod(
        with_capabilities("          add: [NET_BIND_SERVICE]\n          drop:\n            - NET_RAW\n            - ALL\n")
    )


def test_add_only_gets_a_drop_list_beside_it():
    text = pod(with_capabilities("          add: [NET_BIND_SERVICE]\n"))
    assert reported_of(CODE, text, kind=K) == [(6, 12, 6, 15, MESSAGE)]
    assert fixed_text(CODE, text, kind=K) == pod(with_capabilities("          add: [NET_BIND_SERVICE]\n          drop: [ALL]\n"))


def test_lower_case_all_is_reported_at_the_item():
    text = pod(with_capabilities("          drop: [all]\n"))
    (finding,) = findings_of(CODE, text, kind=K)
    assert spanned(text, finding) == "all"
    assert finding.message == "container 'app' does not drop all capabilities (capabilities.drop has 'all'; the name is case-sensitive: ALL)"


@pytest.mark.parametrize("drop", ["[ALL]", '["ALL"]', "[NET_RAW, ALL]", "\n            - ALL"])
def test_all_passes(drop):
    assert findings_of(CODE, pod(with_capabilities(f"          drop: {drop}\n", "initContainers")), kind=K) == []


def test_every_container_list_is_checked_and_named():
    spec = APP.replace("containers", "initContainers").replace("app", "init") + "  ephemeralContainers:\n    - name: dbg\n      image: busybox\n"
    assert [m.split(" does")[0] for *_, m in reported_of(CODE, pod(spec), kind=K)] == ["init container 'init'", "ephemeral container 'dbg'"]


@pytest.mark.parametrize("config, reported", [(pss("baseline"), False), (pss(version=(1, 21)), False), (pss(version=(1, 22)), True), (pss(), True)])
def test_restricted_from_v1_22_only(config, reported):
    assert bool(findings_of(CODE, pod(APP), kind=K, config=config)) is reported


@pytest.mark.parametrize("version, reported", [((1, 24), True), ((1, 25), False)])
def test_windows_pods_are_exempt_from_v1_25_and_never_get_a_fix(version, reported):
    findings = findings_of(CODE, pod("  os: {name: windows}\n" + APP), kind=K, config=pss(version=version))
    assert bool(findings) is reported
    assert all(finding.fixes == [] for finding in findings)


def test_harden_fix_not_offered_for_a_privileged_container():
    (finding,) = findings_of(CODE, pod(APP + "      securityContext:\n        privileged: true\n"), kind=K)
    assert [fix.title for fix in finding.fixes] == ["Drop ALL capabilities (securityContext.capabilities.drop)"]


def test_flow_style_and_second_document():
    flow = pod("  containers: [{name: app, image: nginx, securityContext: {capabilities: {add: [CHOWN]}}}]\n")
    assert fixed_text(CODE, flow, kind=K).endswith("securityContext: {capabilities: {add: [CHOWN], drop: [ALL]}}}]\n")
    stream = pod(with_capabilities("          drop: [ALL]\n")) + "---\n" + pod(APP)
    assert [span[:2] for span in reported_of(CODE, stream, kind=K)] == [(18, 12)]


def test_crlf_fix():
    text = pod(APP).replace("\n", "\r\n")
    assert fixed_text(CODE, text, kind=K) == pod(APP + "      securityContext:\n        capabilities:\n          drop: [ALL]\n").replace("\n", "\r\n")


# --- compose -----------------------------------------------------------------------------------

SERVICE = "services:\n  web:\n    image: nginx:1.27\n"
COMPOSE_MESSAGE = "service 'web' does not drop all capabilities (cap_drop lacks ALL)"


def test_compose_missing_cap_drop_is_reported_at_the_service_name():
    assert reported_of(CODE, SERVICE, kind=C) == [(1, 2, 1, 5, COMPOSE_MESSAGE)]
    (finding,) = findings_of(CODE, SERVICE, kind=C)
    assert [(fix.title, fix.applicability) for fix in finding.fixes] == [("Drop ALL capabilities (cap_drop)", Applicability.UNSAFE)]
    assert fixed_text(CODE, SERVICE, kind=C) == SERVICE + "    cap_drop: [ALL]\n"


def test_compose_cap_drop_without_all_is_reported_at_its_key_and_extended():
    text = SERVICE + "    cap_drop:\n      - NET_RAW\n"
    assert reported_of(CODE, text, kind=C) == [(3, 4, 3, 12, COMPOSE_MESSAGE)]
    assert fixed_text(CODE, text, kind=C) == text + "      - ALL\n"


@pytest.mark.parametrize("drop", ["[ALL]", "[all]", '["All"]', "[NET_RAW, ALL]", '["${DROP}"]'])
def test_compose_all_in_any_case_or_a_variable_passes(drop):
    assert findings_of(CODE, SERVICE + f"    cap_drop: {drop}\n", kind=C) == []


def test_compose_extends_without_cap_drop_is_not_judged():
    assert findings_of(CODE, "services:\n  web:\n    extends: {service: base}\n", kind=C) == []
    assert len(findings_of(CODE, "services:\n  web:\n    extends: {service: base}\n    cap_drop: [NET_RAW]\n", kind=C)) == 1


def test_compose_second_document_and_crlf():
    text = ("services:\n  a:\n    image: x\n    cap_drop: [ALL]\n---\n" + SERVICE).replace("\n", "\r\n")
    assert [span[:2] for span in reported_of(CODE, text, kind=C)] == [(6, 2)]
    assert fixed_text(CODE, text, kind=C) == text + "    cap_drop: [ALL]\r\n"
