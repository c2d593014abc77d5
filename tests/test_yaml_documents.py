"""Compose and Kubernetes files through the engine: detection, per-document problems,
suppressions, limits, and the same results with either YAML loader."""
from __future__ import annotations

import json

import pytest

from hullguard import yamldoc, yamlfile
from hullguard.cli import main
from hullguard.config import Config, ConfigError, parse_config
from hullguard.documents import detect_format, load_document
from hullguard.engine import lint_document
from hullguard.model import Format
from hullguard.rules import ALL_RULES

from conftest import CORPUS, lint_text

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
"""


def findings(text: str, select=("HG000", "HG404"), **kwargs):
    return [(f.code, f.span.start.line, f.span.start.column, f.message) for f in lint_text(text, select=select, kind=Format.KUBERNETES, **kwargs).findings]


@pytest.mark.parametrize(
    "name, expected",
    [
        ("compose.yaml", Format.COMPOSE), ("compose.yml", Format.COMPOSE), ("docker-compose.yml", Format.COMPOSE),
        ("docker-compose.prod.yaml", Format.COMPOSE), ("compose.override.yml", Format.COMPOSE),
        ("deploy.yaml", Format.KUBERNETES), ("k8s/all.YML", Format.KUBERNETES), ("Dockerfile.yaml", Format.KUBERNETES),
        ("values.json", None), ("README.md", None), ("Dockerfile", Format.DOCKERFILE),
    ],
)
def test_detection_by_name(name, expected):
    assert detect_format(name) is expected


def test_compose_content_in_any_yaml_file_is_compose():
    document = load_document("stack.yaml", "services:\n  web:\n    image: nginx\nx-common: {}\n", Format.KUBERNETES)
    assert document.format is Format.COMPOSE
    assert [service.name for service in document.model.services] == ["web"]


def test_a_kubernetes_document_wins_over_compose_looking_content():
    document = load_document("mixed.yaml", DEPLOYMENT + "---\nservices: {}\n", Format.KUBERNETES)
    assert document.format is Format.KUBERNETES


def test_other_yaml_is_skipped_silently_and_never_composed():
    workflow = "on: push\njobs:\n  build: {runs-on: ubuntu-latest\n"  # not even valid YAML
    document = load_document(".github/workflows/ci.yml", workflow, Format.KUBERNETES)
    assert document.model.objects == [] and document.model.problems == [] and document.model.documents == []
    assert lint_document(document, Config(select=("ALL",))).findings == []


def test_kinds_no_rule_reads_are_not_composed():
    crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec: [unclosed\n"
    assert findings(crd) == []


def test_a_syntax_error_in_one_document_is_reported_there_and_the_others_are_linted():
    broken = "---\napiVersion: v1\nkind: Pod\nmetadata: {name: broken\n"
    assert [(code, line, column) for code, line, column, _ in findings(DEPLOYMENT + broken)] == [("HG404", 3, 8), ("HG000", 16, 0)]
    assert findings(DEPLOYMENT + broken)[1][3] == "did not find expected ',' or '}'"


def test_a_template_is_reported_as_skipped():
    template = DEPLOYMENT.replace("nginx:1.27", "{{ .Values.image }}")
    [(code, line, column, message)] = findings(template)
    assert (code, line, column) == ("HG000", 11, 17)
    assert message == "a template ({{ … }}), not plain YAML: skipped"


def test_duplicate_keys_are_reported_and_the_last_one_wins():
    text = DEPLOYMENT.replace("  name: web\n", "  name: web\n  name: api\n")
    result = findings(text)
    assert ("HG000", 4, 2, "duplicate key 'name' (first at line 4); the last one wins") in result
    assert any(code == "HG404" and "Deployment 'api'" in message for code, _, _, message in result)


def test_an_alias_bomb_is_refused_quickly():
    lines = ["apiVersion: v1", "kind: Pod", "metadata: {name: bomb}", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    [(code, _, _, message)] = findings("\n".join(lines) + "\n")
    assert code == "HG000" and "alias expansion exceeds 100,000 nodes" in message


def test_files_over_the_size_limit_get_one_clear_finding(tmp_path, capsys):
    manifest = tmp_path / "big.yaml"
    manifest.write_text(DEPLOYMENT)
    (tmp_path / ".hullguard.toml").write_text("max-file-size = 100\n")
    assert main(["check", "--select", "HG000", str(manifest)]) == 1
    out = capsys.readouterr().out
    assert f"{manifest}:1:1: HG000 file too large to lint: {len(DEPLOYMENT)} bytes, the limit is 100 (setting max-file-size)" in out


def test_crlf_and_tabs_after_values_give_the_same_positions():
    lf = findings(DEPLOYMENT)
    assert findings(DEPLOYMENT.replace("\n", "\r\n")) == lf
    assert findings(DEPLOYMENT.replace("name: web\n", "name: web\t\n")) == lf


def test_value_tags_and_custom_tags_do_not_stop_linting():
    text = DEPLOYMENT + "---\napiVersion: v1\nkind: Service\nmetadata: {name: s, annotations: {a: !Ref x}}\nspec:\n  ports:\n  - =\n"
    assert [code for code, *_ in findings(text)] == ["HG404"]


def test_flow_style_manifests_and_lists_are_read():
    flow = '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "image": "b"}]}}\n'
    assert [message.split(":")[0] for _, _, _, message in findings(flow)] == ["Pod 'p'"]
    listed = "apiVersion: v1\nkind: List\nitems:\n- " + DEPLOYMENT.replace("\n", "\n  ").rstrip() + "\n"
    [(code, line, _, message)] = findings(listed)
    assert (code, line) == ("HG404", 6) and message.startswith("Deployment 'web'")


def test_suppression_comments_in_yaml():
    own_line = DEPLOYMENT.replace("  name: web\n", "  # hullguard: ignore[HG404] isolated by the service mesh\n  name: web\n")
    assert findings(own_line, select=("HG404", "HG001")) == []
    trailing = DEPLOYMENT.replace("  name: web\n", "  name: web  # hullguard: ignore[namespace-without-network-policy]\n")
    assert findings(trailing, select=("HG404", "HG001")) == []
    whole_file = "# hullguard: ignore-file[HG404]\n" + DEPLOYMENT
    assert findings(whole_file, select=("HG404", "HG001")) == []
    covers_the_block = DEPLOYMENT.replace("metadata:\n  name", "# hullguard: ignore[HG404]\nmetadata:\n  name")
    assert findings(covers_the_block, select=("HG404", "HG001")) == []
    elsewhere = DEPLOYMENT.replace("spec:\n  template", "# hullguard: ignore[HG404]\nspec:\n  template")
    assert [code for code, *_ in findings(elsewhere, select=("HG404", "HG001"))] == ["HG404", "HG001"]


def test_a_hash_inside_a_quoted_value_is_not_a_comment():
    text = DEPLOYMENT.replace("  name: web\n", "  name: web\n  annotations: {note: \"x # hullguard: ignore[HG404]\"}\n")
    assert [code for code, *_ in findings(text)] == ["HG404"]


def test_pss_settings_are_validated():
    assert parse_config({"pss-level": "baseline", "pss-version": "v1.30"}, ALL_RULES, None).pss_version == (1, 30)
    assert parse_config({"pss-version": "latest"}, ALL_RULES, None).pss_version is None
    for table, message in [
        ({"pss-level": "privileged"}, "'pss-level' must be \"baseline\" or \"restricted\""),
        ({"pss-version": "1.30"}, "'pss-version' must be \"latest\" or a version such as \"v1.30\""),
        ({"max-file-size": "big"}, "'max-file-size' must be a number of bytes"),
    ]:
        with pytest.raises(ConfigError, match=message):
            parse_config(table, ALL_RULES, None)
    assert Config().with_cli(pss_level="baseline").pss_level == "baseline"


def test_helm_templates_are_skipped_when_walking_but_linted_when_named(tmp_path, capsys):
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: demo\nversion: 0.1.0\n")
    template = chart / "templates" / "deployment.yaml"
    template.write_text(DEPLOYMENT.replace("nginx:1.27", "{{ .Values.image }}"))
    assert main(["check", "--select", "HG000", str(tmp_path)]) == 0
    assert main(["check", "--select", "HG000", str(template)]) == 1
    assert "a template ({{ … }}), not plain YAML: skipped" in capsys.readouterr().out


def test_composed_documents_are_cached_per_document_text():
    first = load_document("a.yaml", DEPLOYMENT + "---\n" + DEPLOYMENT, Format.KUBERNETES).model
    edited = load_document("a.yaml", DEPLOYMENT + "---\n" + DEPLOYMENT.replace("web", "api"), Format.KUBERNETES).model
    assert edited.documents[0] is first.documents[0]  # unchanged: not composed again
    assert edited.documents[1] is not first.documents[1]


@pytest.mark.skipif(len(yamldoc.LOADERS) < 2 or not CORPUS.is_dir(), reason="needs libyaml and the corpus")
def test_both_loaders_give_the_same_findings_on_the_corpus(monkeypatch):
    files = sorted((CORPUS / "kubernetes").iterdir())[::10] + sorted((CORPUS / "compose").iterdir())[::10]

    def lint_all():
        results = {}
        for path in files:
            document = load_document(str(path), path.read_bytes(), Format.KUBERNETES)
            results[path.name] = [(f.code, f.span, f.message) for f in lint_document(document, Config(select=("ALL",))).findings]
        return results

    with_libyaml = lint_all()
    monkeypatch.setattr(yamldoc, "DEFAULT_LOADER", "python")
    assert lint_all() == with_libyaml
    assert any(with_libyaml.values())


def test_json_output_carries_yaml_findings(tmp_path, capsys):
    manifest = tmp_path / "deploy.yaml"
    manifest.write_text(DEPLOYMENT)
    main(["check", "--select", "HG404", "--format", "json", str(manifest)])
    [record] = json.loads(capsys.readouterr().out)
    assert (record["code"], record["location"]) == ("HG404", {"line": 4, "column": 9})


def test_peek_document_kind_remembers_by_text_and_tells_edited_documents_apart():
    from hullguard.text import SourceText
    from hullguard.yamldoc import peek_document_kind, split_documents

    first = split_documents(SourceText("apiVersion: v1\nkind: Pod\n---\napiVersion: v1\nkind: Pod\n"))
    assert [peek_document_kind(doc) for doc in first] == [("v1", "Pod"), ("v1", "Pod")]
    edited = split_documents(SourceText("apiVersion: v1\nkind: Service\n---\napiVersion: v1\nkind: Pod\n"))
    assert [peek_document_kind(doc) for doc in edited] == [("v1", "Service"), ("v1", "Pod")]
