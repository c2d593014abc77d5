"""HG103 privilege-escalation: the PSS restricted control allowPrivilegeEscalation, and
compose's security_opt no-new-privileges."""
from __future__ import annotations

import pytest

from hullguard.config import Config
from hullguard.model import Applicability, Format

from conftest import findings_of, fixed_text, reported_of, spanned

CODE = "HG103"
K = Format.KUBERNETES
C = Format.COMPOSE
MISSING = "container 'app' may escalate privileges (allowPrivilegeEscalation is not false)"


def pod(spec: str) -> str:
    return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n" + spec


APP = "  containers:\n    - name: app\n      image: nginx:1.27\n"


def with_context(lines: str, key: str = "containers", name: str = "app") -> str:
    return f"  {key}:\n    - name: {name}\n      image: nginx:1.27\n      securityContext:\n{lines}"


def pss(level: str = "restricted", version: tuple[int, int] | None = None) -> Config:
    return Config(pss_level=level, pss_version=version)


def test_unset_is_reported_at_the_container_name_with_two_fixes():
    text = pod(APP)
    assert reported_of(CODE, text, kind=K) == [(6, 12, 6, 15, MISSING)]
    (finding,) = findings_of(CODE, text, kind=K)
    assert [(fix.title, fix.applicability) for fix in finding.fixes] == [
        ("Set securityContext.allowPrivilegeEscalation: false", Applicability.UNSAFE),
        ("Harden container 'app' to Pod Security Standards restricted", Applicability.UNSAFE),
    ]
    assert fixed_text(CODE, text, kind=K) == pod(APP + "      securityContext:\n        allowPrivilegeEscalation: false\n")


def test_true_is_reported_at_the_value():
    text = pod(with_context("        allowPrivilegeEscalation: true\n", "ephemeralContainers", "dbg"))
    assert reported_of(CODE, text, kind=K) == [(9, 34, 9, 38, "ephemeral container 'dbg' allows privilege escalation (allowPrivilegeEscalation: true)")]
    assert fixed_text(CODE, text, kind=K) == pod(with_context("        allowPrivilegeEscalation: false\n", "ephemeralContainers", "dbg"))


def test_false_passes_in_every_container_list():
    spec = with_context("        allowPrivilegeEscalation: false\n") + with_context("        allowPrivilegeEscalation: false\n", "initContainers", "init")
    assert findings_of(CODE, pod(spec), kind=K) == []


def test_only_the_container_level_counts():
    spec = "  securityContext:\n    allowPrivilegeEscalation: false\n" + APP  # no such pod field: the API drops it
    assert [m for *_, m in reported_of(CODE, pod(spec), kind=K)] == [MISSING]


def test_a_string_false_is_not_the_boolean():
    text = pod(with_context('        allowPrivilegeEscalation: "false"\n'))
    (finding,) = findings_of(CODE, text, kind=K)
    assert (finding.message, spanned(text, finding)) == (MISSING, '"false"')


@pytest.mark.parametrize("config, reported", [(pss("baseline"), False), (pss(version=(1, 7)), False), (pss(version=(1, 8)), True), (pss(), True)])
def test_restricted_from_v1_8_only(config, reported):
    assert bool(findings_of(CODE, pod(APP), kind=K, config=config)) is reported


@pytest.mark.parametrize("version, reported", [((1, 24), True), ((1, 25), False), (None, False)])
def test_windows_pods_are_exempt_from_v1_25(version, reported):
    text = pod("  os:\n    name: windows\n" + APP)
    findings = findings_of(CODE, text, kind=K, config=pss(version=version))
    assert bool(findings) is reported
    assert all(finding.fixes == [] for finding in findings)  # the field is forbidden on Windows


def test_a_node_selector_does_not_make_a_pod_windows():
    assert len(findings_of(CODE, pod("  nodeSelector:\n    kubernetes.io/os: windows\n" + APP), kind=K)) == 1


@pytest.mark.parametrize("context", ["        privileged: true\n", "        capabilities:\n          add: [CAP_SYS_ADMIN]\n"])
def test_no_fix_where_the_api_server_would_reject_false(context):
    (finding,) = findings_of(CODE, pod(with_context(context)), kind=K)
    assert finding.fixes == []


def test_harden_fix_is_one_edit_and_skips_what_is_in_force():
    spec = "  securityContext:\n    runAsNonRoot: true\n    seccompProfile: {type: RuntimeDefault}\n" + APP
    (finding,) = findings_of(CODE, pod(spec), kind=K)
    (edit,) = finding.fixes[1].edits
    assert edit.new_text == "      securityContext:\n        allowPrivilegeEscalation: false\n        capabilities:\n          drop: [ALL]\n"


def test_harden_fix_not_offered_when_it_would_only_repeat_the_rule_fix():
    spec = "  securityContext:\n    runAsNonRoot: true\n    seccompProfile: {type: RuntimeDefault}\n"
    spec += with_context("        capabilities: {drop: [ALL]}\n")
    (finding,) = findings_of(CODE, pod(spec), kind=K)
    assert [fix.title for fix in finding.fixes] == ["Set securityContext.allowPrivilegeEscalation: false"]


def test_deployment_list_and_second_document():
    deployment = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: app\n          image: nginx\n"
    )
    assert [span[:2] for span in reported_of(CODE, pod(with_context("        allowPrivilegeEscalation: false\n")) + "---\n" + deployment, kind=K)] == [(19, 16)]
    listed = "apiVersion: v1\nkind: List\nitems:\n- " + deployment.replace("\n", "\n  ").rstrip(" ")
    assert len(findings_of(CODE, listed, kind=K)) == 1


def test_crlf_fix():
    text = pod(APP).replace("\n", "\r\n")
    assert fixed_text(CODE, text, kind=K) == pod(APP + "      securityContext:\n        allowPrivilegeEscalation: false\n").replace("\n", "\r\n")


# --- compose -----------------------------------------------------------------------------------

SERVICE = "services:\n  web:\n    image: nginx:1.27\n"


def test_compose_missing_option_is_reported_at_the_service_name_and_the_fix_adds_the_list():
    assert reported_of(CODE, SERVICE, kind=C) == [
        (1, 2, 1, 5, "service 'web' may gain privileges through setuid binaries (security_opt lacks no-new-privileges:true)")
    ]
    (finding,) = findings_of(CODE, SERVICE, kind=C)
    assert [(fix.title, fix.applicability) for fix in finding.fixes] == [("Add no-new-privileges:true to security_opt", Applicability.UNSAFE)]
    assert fixed_text(CODE, SERVICE, kind=C) == SERVICE + "    security_opt: [no-new-privileges:true]\n"


def test_compose_fix_appends_to_an_existing_list():
    text = SERVICE + "    security_opt:\n      - apparmor=docker-default\n"
    assert fixed_text(CODE, text, kind=C) == text + "      - no-new-privileges:true\n"
    text = SERVICE + '    security_opt: ["label=disable"]\n'
    assert fixed_text(CODE, text, kind=C) == SERVICE + '    security_opt: ["label=disable", no-new-privileges:true]\n'


@pytest.mark.parametrize("option", ["no-new-privileges", "no-new-privileges:true", "no-new-privileges=true", "no-new-privileges=1", "no-new-privileges:True"])
def test_compose_forms_docker_accepts(option):
    assert findings_of(CODE, SERVICE + f"    security_opt: [{option}]\n", kind=C) == []


@pytest.mark.parametrize("option, shown", [("no-new-privileges:false", "false"), ('"no-new-privileges=0"', "0"), ("no-new-privileges=FALSE", "FALSE")])
def test_compose_explicit_false_is_reported_at_the_value(option, shown):
    text = SERVICE + f"    security_opt:\n      - {option}\n"
    (finding,) = findings_of(CODE, text, kind=C)
    assert spanned(text, finding) == shown
    assert finding.message == f"service 'web' allows privilege escalation (security_opt {option.strip(chr(34))})"
    expected = option.replace(shown, "true")
    assert fixed_text(CODE, text, kind=C) == SERVICE + f"    security_opt:\n      - {expected}\n"


def test_compose_the_last_option_wins():
    assert len(findings_of(CODE, SERVICE + "    security_opt: [no-new-privileges, no-new-privileges=false]\n", kind=C)) == 1
    assert findings_of(CODE, SERVICE + "    security_opt: [no-new-privileges=false, no-new-privileges]\n", kind=C) == []


def test_compose_unknown_sources_are_not_reported():
    assert findings_of(CODE, "services:\n  web:\n    extends: base\n", kind=C) == []
    assert findings_of(CODE, SERVICE + '    security_opt: ["${SECURITY_OPT}"]\n', kind=C) == []


def test_compose_crlf():
    text = SERVICE.replace("\n", "\r\n")
    assert fixed_text(CODE, text, kind=C) == (SERVICE + "    security_opt: [no-new-privileges:true]\n").replace("\n", "\r\n")
