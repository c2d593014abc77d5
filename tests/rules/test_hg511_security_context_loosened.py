"""HG511 security-context-loosened: hardening settings moved away from their hardened value."""
from __future__ import annotations

from hullguard.model import Format
from hullguard.rules.security_context_loosened import RULE

from conftest import findings_of
from regression_helpers import reported

COMPOSE, KUBERNETES = Format.COMPOSE, Format.KUBERNETES

POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: app
      image: example/web:1.0.0
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop: [ALL]
          add: [NET_BIND_SERVICE]
"""


def test_dockerfiles_have_no_such_settings():
    assert Format.DOCKERFILE not in RULE.checks


def test_one_finding_per_container_listing_every_loosened_setting():
    new = POD.replace("allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true").replace("        readOnlyRootFilesystem: true\n", "")
    assert reported("HG511", POD, new, kind=KUBERNETES) == [
        (13, 34, 13, 38, "container 'app' loosened its securityContext: allowPrivilegeEscalation from false to true; readOnlyRootFilesystem from true to unset"),
    ]


def test_pod_level_settings_are_read_where_they_are_in_force():
    moved = POD.replace("  securityContext:\n    runAsNonRoot: true\n", "  securityContext:\n").replace(
        "      securityContext:\n        allowPrivilegeEscalation", "      securityContext:\n        runAsNonRoot: true\n        allowPrivilegeEscalation"
    )
    assert reported("HG511", POD, moved, kind=KUBERNETES) == []  # from the pod to the container: still true
    unconfined = POD.replace("type: RuntimeDefault", "type: Unconfined")
    assert reported("HG511", POD, unconfined, kind=KUBERNETES) == [
        (8, 12, 8, 22, "container 'app' loosened its securityContext: seccompProfile.type from RuntimeDefault to Unconfined"),
    ]
    overridden = POD.replace("        allowPrivilegeEscalation: false\n", "        allowPrivilegeEscalation: false\n        runAsNonRoot: false\n")
    assert reported("HG511", POD, overridden, kind=KUBERNETES) == [
        (14, 22, 14, 27, "container 'app' loosened its securityContext: runAsNonRoot from true to false"),
    ]


def test_capabilities_drop_and_add():
    new = POD.replace("drop: [ALL]", "drop: [NET_RAW]").replace("add: [NET_BIND_SERVICE]", "add: [NET_BIND_SERVICE, sys_ptrace]")
    assert reported("HG511", POD, new, kind=KUBERNETES) == [
        (16, 16, 16, 25, "container 'app' loosened its securityContext: capabilities.drop from [ALL] to [NET_RAW]; capabilities.add from [NET_BIND_SERVICE] to [NET_BIND_SERVICE, sys_ptrace]"),
    ]
    assert reported("HG511", POD, POD.replace("add: [NET_BIND_SERVICE]", "add: []"), kind=KUBERNETES) == []


def test_privileged_and_proc_mount_unset_count_as_hardened():
    new = POD.replace("        allowPrivilegeEscalation: false\n", "        allowPrivilegeEscalation: false\n        privileged: true\n        procMount: Unmasked\n")
    assert reported("HG511", POD, new, kind=KUBERNETES) == [
        (14, 20, 14, 24, "container 'app' loosened its securityContext: privileged from unset to true; procMount from unset to Unmasked"),
    ]


def test_settings_that_were_not_hardened_and_normal_checks_are_silent():
    bare = POD.replace("        allowPrivilegeEscalation: false\n        readOnlyRootFilesystem: true\n", "")
    assert reported("HG511", bare, bare.replace("drop: [ALL]", "drop: [ALL]\n        readOnlyRootFilesystem: false"), kind=KUBERNETES) == []
    assert findings_of("HG511", POD.replace("type: RuntimeDefault", "type: Unconfined"), kind=KUBERNETES) == []


def test_deployments_in_a_flow_style_list_are_matched_by_name():
    item = "{{apiVersion: apps/v1, kind: Deployment, metadata: {{name: {name}}}, spec: {{template: {{spec: {{containers: [{{name: app, image: x/y:1.0.0, securityContext: {{readOnlyRootFilesystem: {ro}}}}}]}}}}}}}}"
    old = "apiVersion: v1\nkind: List\nitems:\n  - " + item.format(name="a", ro="true") + "\n  - " + item.format(name="b", ro="true") + "\n"
    new = "apiVersion: v1\nkind: List\nitems:\n  - " + item.format(name="b", ro="false") + "\n  - " + item.format(name="a", ro="true") + "\n"
    [(line, *_, message)] = reported("HG511", old, new, kind=KUBERNETES)
    assert (line, message) == (3, "container 'app' loosened its securityContext: readOnlyRootFilesystem from true to false")


# --- compose -----------------------------------------------------------------------------------

SERVICE = """services:
  web:
    image: example/web:1.0.0
    read_only: true
    cap_drop: [ALL]
    security_opt:
      - no-new-privileges:true
"""


def test_compose_read_only_cap_drop_and_cap_add():
    new = SERVICE.replace("read_only: true", "read_only: false").replace("cap_drop: [ALL]", "cap_drop: [ALL]\n    cap_add: [SYS_ADMIN]")
    assert reported("HG511", SERVICE, new, kind=COMPOSE) == [
        (3, 15, 3, 20, "service 'web' loosened its security settings: read_only from true to false; cap_add from unset to [SYS_ADMIN]"),
    ]


def test_compose_security_opt_and_privileged():
    new = SERVICE.replace("no-new-privileges:true", "no-new-privileges:false") + "    privileged: true\n"
    assert reported("HG511", SERVICE, new, kind=COMPOSE) == [
        (7, 16, 7, 20, "service 'web' loosened its security settings: privileged from unset to true; security_opt from [no-new-privileges:true] to [no-new-privileges:false]"),
    ]
    unconfined = SERVICE + "      - seccomp=unconfined\n"
    assert reported("HG511", SERVICE, unconfined, kind=COMPOSE) == [
        (7, 8, 7, 26, "service 'web' loosened its security settings: security_opt from [no-new-privileges:true] to [no-new-privileges:true, seccomp=unconfined]"),
    ]
    removed = "services:\n  web:\n    image: example/web:1.0.0\n    read_only: true\n    cap_drop: [ALL]\n"
    assert reported("HG511", SERVICE, removed, kind=COMPOSE) == [
        (1, 2, 1, 5, "service 'web' loosened its security settings: security_opt from [no-new-privileges:true] to []"),
    ]


def test_compose_crlf_and_a_new_service():
    old = SERVICE.replace("\n", "\r\n")
    new = (SERVICE + "  worker:\n    image: example/worker:1.0.0\n    privileged: true\n").replace("\n", "\r\n")
    assert reported("HG511", old, new, kind=COMPOSE) == []
