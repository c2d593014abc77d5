"""HG304 service-account-token-automounted: workloads whose pods get an API token mounted."""
from __future__ import annotations

import pytest

from hullguard.model import Applicability, Format, Severity
from hullguard.rules import RULES_BY_CODE

from conftest import findings_of, fixed_text, reported_of

CODE = "HG304"

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
{spec}      containers:
        - name: web
          image: nginx:1.27.3
"""


def hg304(text: str, **kwargs):
    return reported_of(CODE, text, kind=Format.KUBERNETES, **kwargs)


def test_missing_setting_is_reported_on_the_workload_name_with_an_unsafe_fix():
    text = DEPLOYMENT.format(spec="")
    (finding,) = findings_of(CODE, text, kind=Format.KUBERNETES)
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (3, 8, 11)
    assert finding.message == (
        "the API token of service account 'default' is mounted into Deployment 'web' "
        "(neither the pod spec nor the service account sets automountServiceAccountToken: false)"
    )
    assert finding.severity is Severity.WARNING
    (fix,) = finding.fixes
    assert fix.applicability is Applicability.UNSAFE
    assert fix.title == "Set automountServiceAccountToken: false in the pod spec"
    assert fixed_text(CODE, text, kind=Format.KUBERNETES) == text + "      automountServiceAccountToken: false\n"
    assert fixed_text(CODE, text, kind=Format.KUBERNETES, unsafe=False) is None


def test_on_by_default():
    assert RULES_BY_CODE[CODE].enabled_by_default


def test_explicit_true_is_reported_on_the_value_and_the_fix_flips_it():
    text = DEPLOYMENT.format(spec="      serviceAccountName: web\n      automountServiceAccountToken: true\n")
    assert hg304(text) == [
        (8, 36, 8, 40, "the API token of service account 'web' is mounted into Deployment 'web' (automountServiceAccountToken is true)")
    ]
    assert fixed_text(CODE, text, kind=Format.KUBERNETES) == text.replace("Token: true", "Token: false")


@pytest.mark.parametrize("value", ["false", "False", "no"])
def test_pod_spec_opting_out_is_enough(value):
    assert hg304(DEPLOYMENT.format(spec=f"      automountServiceAccountToken: {value}\n")) == []


def test_a_quoted_false_is_a_string_the_api_server_rejects():
    assert len(hg304(DEPLOYMENT.format(spec='      automountServiceAccountToken: "false"\n'))) == 1


SERVICE_ACCOUNT = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n{namespace}automountServiceAccountToken: {value}\n---\n"


@pytest.mark.parametrize(
    "account, spec, reported",
    [
        (SERVICE_ACCOUNT.format(name="web", namespace="", value="false"), "      serviceAccountName: web\n", False),
        (SERVICE_ACCOUNT.format(name="web", namespace="", value="false"), "      serviceAccount: web\n", False),  # the deprecated field
        (SERVICE_ACCOUNT.format(name="default", namespace="", value="false"), "", False),
        (SERVICE_ACCOUNT.format(name="web", namespace="", value="true"), "      serviceAccountName: web\n", True),
        (SERVICE_ACCOUNT.format(name="other", namespace="", value="false"), "      serviceAccountName: web\n", True),
        (SERVICE_ACCOUNT.format(name="web", namespace="", value="false"), "", True),  # the pod runs as default
        (SERVICE_ACCOUNT.format(name="web", namespace="  namespace: other\n", value="false"), "      serviceAccountName: web\n", True),
        (SERVICE_ACCOUNT.format(name="web", namespace="  namespace: shop\n", value="false"), "      serviceAccountName: web\n", False),
        # the pod's own value wins over the service account's
        (SERVICE_ACCOUNT.format(name="web", namespace="", value="false"), "      serviceAccountName: web\n      automountServiceAccountToken: true\n", True),
    ],
)
def test_service_account_of_the_same_file(account, spec, reported):
    deployment = DEPLOYMENT.format(spec=spec).replace("  name: web\nspec:", "  name: web\n  namespace: shop\nspec:")
    assert bool(hg304(account + deployment)) is reported


def test_service_account_named_in_the_message():
    text = SERVICE_ACCOUNT.format(name="web", namespace="", value="true") + DEPLOYMENT.format(spec="      serviceAccountName: web\n")
    ((line, *_, message),) = hg304(text)
    assert line == 9
    assert message.startswith("the API token of service account 'web' is mounted into Deployment 'web'")


def test_pod_cronjob_list_and_flow_style_each_once():
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: 'a:1'}]}\n"
        "---\n"
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\nspec:\n  jobTemplate:\n    spec:\n      template:\n"
        "        spec:\n          containers:\n            - {name: a, image: 'a:1'}\n            - {name: b, image: 'b:1'}\n"
        "---\n"
        "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: apps/v1\n    kind: DaemonSet\n    metadata: {name: d}\n"
        "    spec:\n      template:\n        spec:\n          automountServiceAccountToken: false\n          containers: []\n"
    )
    assert [(line, column) for line, column, *_ in hg304(text)] == [(2, 17), (8, 8)]
    fixed = fixed_text(CODE, text, kind=Format.KUBERNETES)
    assert "spec: {containers: [{name: a, image: 'a:1'}], automountServiceAccountToken: false}\n" in fixed
    assert "            - {name: b, image: 'b:1'}\n          automountServiceAccountToken: false\n---\n" in fixed
    assert hg304(fixed) == []


def test_crlf_fix_keeps_line_endings():
    text = DEPLOYMENT.format(spec="").replace("\n", "\r\n")
    assert fixed_text(CODE, text, kind=Format.KUBERNETES) == text + "      automountServiceAccountToken: false\r\n"


def test_objects_that_are_not_workloads_are_not_checked():
    text = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n"
    assert hg304(text) == []


def test_suppression_comment_on_the_workload():
    text = DEPLOYMENT.format(spec="").replace("metadata:\n  name: web", "metadata:\n  # hullguard: ignore[HG304] calls the API\n  name: web")
    assert hg304(text) == []
