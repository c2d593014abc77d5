"""HG404: workloads must be selected by a NetworkPolicy of their namespace, across files."""
from __future__ import annotations

import json

import pytest

from hullguard.cli import main
from hullguard.model import Format
from hullguard.project import ProjectIndex

from conftest import findings_of, lint_text

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: {namespace}
spec:
  template:
    metadata:
      labels: {{app: web, tier: front}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
"""


def policy(selector: str, namespace: str = "shop") -> str:
    return f"---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: {namespace}\nspec:\n  podSelector: {selector}\n"


def hg404(text: str, **kwargs):
    return findings_of("HG404", text, kind=Format.KUBERNETES, **kwargs)


def test_workload_without_policy_is_reported_at_its_name():
    [finding] = hg404(DEPLOYMENT.format(namespace="shop"))
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (3, 8, 11)
    assert finding.message == "Deployment 'web': no NetworkPolicy in namespace 'shop' selects its pods, so all traffic to and from them is allowed"


@pytest.mark.parametrize(
    "selector, selected",
    [
        ("{}", True),
        ("{matchLabels: {app: web}}", True),
        ("{matchLabels: {app: api}}", False),
        ("{matchLabels: {app: web, tier: back}}", False),
        ("{matchExpressions: [{key: app, operator: In, values: [web, api]}]}", True),
        ("{matchExpressions: [{key: app, operator: NotIn, values: [web]}]}", False),
        ("{matchExpressions: [{key: canary, operator: NotIn, values: [x]}]}", True),
        ("{matchExpressions: [{key: tier, operator: Exists}]}", True),
        ("{matchExpressions: [{key: tier, operator: DoesNotExist}]}", False),
        ("{matchExpressions: [{key: tier, operator: Unknown}]}", False),
        ("", False),  # a null selector: the API server would reject it; it selects nothing here
    ],
)
def test_label_selector_semantics(selector, selected):
    findings = hg404(DEPLOYMENT.format(namespace="shop") + policy(selector))
    assert (not findings) is selected


def test_policy_of_another_namespace_does_not_count():
    [finding] = hg404(DEPLOYMENT.format(namespace="shop") + policy("{}", namespace="other"))
    assert "no NetworkPolicy in namespace 'shop'" in finding.message


def test_policies_that_select_other_pods_are_counted_in_the_message():
    [finding] = hg404(DEPLOYMENT.format(namespace="shop") + policy("{matchLabels: {app: api}}"))
    assert finding.message == "Deployment 'web' is not selected by any of the 1 NetworkPolicies in namespace 'shop', so all traffic to and from its pods is allowed"


def test_manifests_without_namespace_match_policies_without_namespace():
    unplaced = DEPLOYMENT.format(namespace="shop").replace("  namespace: shop\n", "")
    assert hg404(unplaced + policy("{}").replace("  namespace: shop\n", "")) == []
    assert len(hg404(unplaced + policy("{}"))) == 1


def test_every_workload_kind_reads_labels_at_its_own_depth():
    cronjob = """\
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: shop}
spec:
  jobTemplate:
    spec:
      template:
        metadata: {labels: {app: nightly}}
        spec: {containers: [{name: job, image: "busybox:1.36"}]}
"""
    assert hg404(cronjob + policy("{matchLabels: {app: nightly}}")) == []
    [finding] = hg404(cronjob + policy("{matchLabels: {app: web}}"))
    assert finding.message.startswith("CronJob 'nightly'")


def test_pod_templates_and_other_kinds_are_not_workloads():
    template = "apiVersion: v1\nkind: PodTemplate\nmetadata: {name: t}\ntemplate:\n  spec: {containers: [{name: a, image: b}]}\n"
    service = "---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n"
    assert hg404(template + service) == []


def test_policy_in_the_same_folder_counts_and_is_a_dependency(tmp_path):
    manifest = tmp_path / "deploy.yaml"
    manifest.write_text(DEPLOYMENT.format(namespace="shop"))
    (tmp_path / "netpol.yml").write_text(policy("{}"))
    result = lint_text(manifest.read_text(), select=("HG404",), kind=Format.KUBERNETES, path=str(manifest))
    assert result.findings == []
    assert result.dependencies == {str(tmp_path / "netpol.yml")}


def test_a_run_sees_policies_in_other_folders(tmp_path, capsys):
    (tmp_path / "apps").mkdir()
    (tmp_path / "policies").mkdir()
    (tmp_path / "apps" / "deploy.yaml").write_text(DEPLOYMENT.format(namespace="shop"))
    (tmp_path / "policies" / "deny.yaml").write_text(policy("{}"))
    assert main(["check", "--select", "HG404", str(tmp_path / "apps")]) == 1
    assert main(["check", "--select", "HG404", "--format", "json", str(tmp_path)]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1]) == []


def test_project_index_ignores_unreadable_and_broken_yaml(tmp_path):
    (tmp_path / "bad.yaml").write_bytes(b"\xff\xfe not utf-8")
    (tmp_path / "broken.yaml").write_text("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nspec: [\n")
    index = ProjectIndex()
    assert index.policies_near(str(tmp_path / "deploy.yaml")) == []


@pytest.mark.parametrize(("text", "policies"), [
    ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec: {podSelector: {}}\n", 1),
    ('"apiVersion": networking.k8s.io/v1\n"kind":  "NetworkPolicy" # quoted\nspec: {podSelector: {}}\n', 1),
    ("---\napiVersion: v1\nkind: ConfigMap\n---\napiVersion: networking.k8s.io/v1\nkind: 'NetworkPolicy'\nspec: {podSelector: {}}\n", 1),
    # A schema or a description that names the kind is no policy (and the file is not split).
    ("apiVersion: v1\nkind: ConfigMap\ndata:\n  doc: |\n    kind: NetworkPolicy\n  x: a NetworkPolicy\n", 0),
])
def test_the_run_index_reads_policies_from_the_bytes_of_each_file(text, policies):
    index = ProjectIndex()
    index.add_data("m.yaml", text.encode())
    assert len(index.policies["m.yaml"]) == policies
