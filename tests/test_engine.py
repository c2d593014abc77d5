"""Engine behaviour: suppressions, unused-suppression reports, config and selection."""
from __future__ import annotations

from pathlib import Path

import pytest

from hullguard.config import Config, ConfigError, ConfigFinder, enabled_rules, is_excluded
from hullguard.documents import load_document
from hullguard.engine import lint_document
from hullguard.model import Format, Rule, RuleDocs, Severity
from hullguard.rules import ALL_RULES, RULES_BY_CODE

from conftest import codes, lint_text

ROOT_FILE = "FROM alpine:3.20\nUSER root\n"


def test_ignore_comment_on_the_line_before_suppresses_that_instruction():
    assert codes("FROM alpine:3.20\n# hullguard: ignore[HG101] needs root for ping\nUSER root\n", select=["HG101"]) == []


def test_ignore_accepts_rule_names_and_covers_continued_instructions():
    text = "FROM alpine:3.20\n# hullguard: ignore[run-as-root]\nUSER \\\n  root\n"
    assert codes(text, select=["HG101"]) == []


def test_ignore_applies_to_the_next_instruction_only():
    text = "FROM alpine:3.20\n# hullguard: ignore[HG101]\nRUN true\nUSER root\n"
    assert sorted(codes(text, select=["HG101", "HG001"])) == ["HG001", "HG101"]


def test_ignore_file_suppresses_everywhere():
    assert codes("# hullguard: ignore-file[HG101]\n" + ROOT_FILE, select=["HG101", "HG001"]) == []


def test_hadolint_ignore_is_honoured_for_mapped_rules():
    assert codes("FROM alpine:3.20\n# hadolint ignore=DL3002\nUSER root\n", select=["HG101", "HG001"]) == []
    assert codes("# hadolint global ignore=DL3002\n" + ROOT_FILE, select=["HG101"]) == []


def test_hadolint_ignore_of_unmapped_code_is_not_reported_unused():
    assert codes("FROM alpine:3.20\n# hadolint ignore=DL3008\nUSER app\n", select=["HG001"]) == []


@pytest.mark.parametrize(
    "comment, message",
    [
        ("# hullguard: ignore[HG101]", "unused suppression of HG101 (nothing to suppress)"),
        ("# hullguard: ignore[HG999]", "unused suppression of HG999 (no such rule)"),
        ("# hullguard: ignore", "suppression names no rule: write ignore[HG101]"),
    ],
)
def test_unused_suppressions_are_reported_at_the_comment(comment, message):
    result = lint_text(f"FROM alpine:3.20\n{comment}\nUSER app\n", select=["HG101", "HG001"])
    assert [(f.code, f.message, f.span.start.line, f.span.start.column) for f in result.findings] == [("HG001", message, 1, 0)]


def test_suppression_of_a_rule_that_is_not_enabled_is_reported_as_such():
    result = lint_text("FROM alpine:3.20\n# hullguard: ignore[HG101]\nUSER root\n", select=["HG001"])
    assert [f.message for f in result.findings] == ["unused suppression of HG101 (rule not enabled)"]


def test_parse_error_is_one_finding_with_position_and_cause():
    result = lint_text("FROM alpine:3.20\nRUNN apk add curl\n")
    assert [(f.code, f.message, f.span.start.line) for f in result.findings] == [("HG000", "unknown instruction 'RUNN'", 1)]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\x00\x01\x02binary", "binary file (contains NUL bytes)"),
        (b"FROM alpine\n\xff\xfe", "not valid UTF-8 (byte 12)"),
        (b"", "empty Dockerfile: no instructions"),
        (b"# only a comment\n\n", "empty Dockerfile: no instructions"),
    ],
)
def test_bad_input_gives_one_clear_finding(data, message):
    document = load_document("Dockerfile", data, Format.DOCKERFILE)
    result = lint_document(document, Config())
    assert [(f.code, f.message) for f in result.findings] == [("HG000", message)]


def test_a_crashing_rule_is_reported_and_the_others_still_run():
    def explode(dockerfile, context):
        raise RuntimeError("boom")
        yield  # pragma: no cover

    broken = Rule("HG999", "broken", Severity.ERROR, "Broken", RuleDocs("w", "w", "e", "f"), {Format.DOCKERFILE: explode})
    document = load_document("Dockerfile", ROOT_FILE, Format.DOCKERFILE)
    result = lint_document(document, Config(select=("ALL",)), rules=[broken, RULES_BY_CODE["HG101"]])
    assert [f.code for f in result.findings] == ["HG101"]
    assert result.rule_failures == ["HG999 (broken): RuntimeError: boom"]


def test_default_selection_leaves_off_by_default_rules_out_and_all_turns_them_on():
    default = {r.code for r in enabled_rules(Config(), ALL_RULES)}
    everything = {r.code for r in enabled_rules(Config(select=("ALL",)), ALL_RULES)}
    off = {r.code for r in ALL_RULES if not r.enabled_by_default}
    assert default == everything - off
    assert everything == {r.code for r in ALL_RULES}


def test_selectors_take_prefixes_and_names_and_ignore_wins():
    config = Config(select=("HG1", "unused-suppression"), ignore=("HG101",))
    chosen = {r.code for r in enabled_rules(config, ALL_RULES)}
    assert "HG101" not in chosen and "HG001" in chosen
    assert all(code.startswith("HG1") or code == "HG001" for code in chosen)


def _write_config(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(body)
    return path


def test_config_is_found_walking_up_and_hullguard_toml_wins(tmp_path):
    _write_config(tmp_path, "pyproject.toml", '[tool.hullguard]\nignore = ["HG101"]\n')
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    finder = ConfigFinder(ALL_RULES)
    assert finder.for_file(nested / "Dockerfile").ignore == ("HG101",)
    _write_config(tmp_path, ".hullguard.toml", 'ignore = ["HG001"]\n')
    assert ConfigFinder(ALL_RULES).for_file(nested / "Dockerfile").ignore == ("HG001",)


def test_pyproject_without_our_table_is_skipped(tmp_path):
    _write_config(tmp_path, ".hullguard.toml", 'select = ["HG101"]\n')
    (tmp_path / "sub").mkdir()
    _write_config(tmp_path / "sub", "pyproject.toml", "[project]\nname = 'x'\n")
    assert ConfigFinder(ALL_RULES).for_file(tmp_path / "sub" / "Dockerfile").select == ("HG101",)


@pytest.mark.parametrize(
    "body, message",
    [
        ('selct = ["HG101"]\n', "unknown key 'selct'"),
        ('select = ["HG9999"]\n', "unknown rule code or name 'HG9999'"),
        ('select = "HG101"\n', "'select' must be a list of strings"),
        ('[severity]\nHG101 = "fatal"\n', "unknown severity 'fatal'"),
        ('sensitive-ports = [70000]\n', "'sensitive-ports' must be a list of port numbers"),
        ("select = [\n", "invalid TOML"),
    ],
)
def test_config_errors_are_clear_and_name_the_file(tmp_path, body, message):
    path = _write_config(tmp_path, ".hullguard.toml", body)
    with pytest.raises(ConfigError) as error:
        ConfigFinder(ALL_RULES).for_file(tmp_path / "Dockerfile")
    assert str(path) in str(error.value) and message in str(error.value)


def test_severity_override_and_per_file_ignores(tmp_path):
    _write_config(tmp_path, ".hullguard.toml", 'select = ["HG101"]\n[severity]\nHG101 = "info"\n[per-file-ignores]\n"legacy/*" = ["HG101"]\n')
    config = ConfigFinder(ALL_RULES).for_file(tmp_path / "Dockerfile")
    document = load_document(str(tmp_path / "Dockerfile"), ROOT_FILE, Format.DOCKERFILE)
    assert [f.severity for f in lint_document(document, config).findings] == [Severity.INFO]
    legacy = load_document(str(tmp_path / "legacy" / "Dockerfile"), ROOT_FILE, Format.DOCKERFILE)
    assert lint_document(legacy, config).findings == []


def test_exclude_matches_files_and_folders(tmp_path):
    _write_config(tmp_path, ".hullguard.toml", 'exclude = ["vendor", "*.tmpl.dockerfile"]\n')
    config = ConfigFinder(ALL_RULES).for_file(tmp_path / "Dockerfile")
    assert is_excluded(config, tmp_path / "vendor" / "x" / "Dockerfile")
    assert is_excluded(config, tmp_path / "a.tmpl.dockerfile")
    assert not is_excluded(config, tmp_path / "app" / "Dockerfile")


def test_most_specific_severity_override_wins(tmp_path):
    _write_config(tmp_path, ".hullguard.toml", '[severity]\nALL = "info"\nHG101 = "warning"\nHG1 = "error"\n')
    config = ConfigFinder(ALL_RULES).for_file(tmp_path / "Dockerfile")
    document = load_document(str(tmp_path / "Dockerfile"), ROOT_FILE, Format.DOCKERFILE)
    severities = {f.code: f.severity for f in lint_document(document, config.with_cli(select=["HG101", "HG202"])).findings}
    assert severities == {"HG101": Severity.WARNING, "HG202": Severity.INFO}


@pytest.mark.parametrize(
    "pattern, path, excluded",
    [
        ("**/vendor", "vendor/Dockerfile", True),
        ("./vendor", "vendor/Dockerfile", True),
        ("/vendor", "vendor/Dockerfile", True),
        ("/vendor", "app/vendor/Dockerfile", False),
        ("services/*/Dockerfile", "services/web/Dockerfile", True),
        ("services/*/Dockerfile", "services/web/deep/Dockerfile", False),
        ("**/Dockerfile", "Dockerfile", True),
    ],
)
def test_exclude_patterns_have_gitignore_meaning(tmp_path, pattern, path, excluded):
    _write_config(tmp_path, ".hullguard.toml", f'exclude = ["{pattern}"]\n')
    config = ConfigFinder(ALL_RULES).for_file(tmp_path / "Dockerfile")
    assert is_excluded(config, tmp_path / path) is excluded


def test_per_file_ignores_use_the_same_patterns(tmp_path):
    _write_config(tmp_path, ".hullguard.toml", '[per-file-ignores]\n"**/Dockerfile" = ["HG101"]\n')
    config = ConfigFinder(ALL_RULES).for_file(tmp_path / "Dockerfile")
    document = load_document(str(tmp_path / "Dockerfile"), ROOT_FILE, Format.DOCKERFILE)
    assert lint_document(document, config.with_cli(select=["HG101"])).findings == []


def test_explicit_config_without_our_table_is_an_error(tmp_path):
    path = _write_config(tmp_path, "pyproject.toml", "[project]\nname = 'x'\n")
    with pytest.raises(ConfigError, match="no \\[tool.hullguard\\] table"):
        ConfigFinder(ALL_RULES, explicit=path)


def test_config_that_is_not_utf8_is_a_clear_error(tmp_path):
    (tmp_path / ".hullguard.toml").write_bytes(b"# caf\xe9\n")
    with pytest.raises(ConfigError, match="not valid UTF-8"):
        ConfigFinder(ALL_RULES).for_file(tmp_path / "Dockerfile")


def test_unused_suppression_reports_can_be_suppressed_file_wide():
    text = "# hullguard: ignore-file[HG001]\nFROM alpine:3.20\n# hullguard: ignore[HG101]\nUSER app\n"
    assert codes(text, select=["HG101", "HG001"]) == []
