"""The README tells the truth: set-up commands, CI's test command, and the rule reference."""
from __future__ import annotations

import re

from hullguard.docs import rules_reference

from conftest import ROOT

README = (ROOT / "README.md").read_text()


def _setup_commands() -> list[str]:
    block = re.search(r"```sh\n(.*?)```", README, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_readme_starts_with_exactly_two_commands():
    assert README.index("```sh") < README.index("\n## ")
    lint, test = _setup_commands()
    assert lint.endswith("hullguard check .")
    assert "pytest" in test


def test_ci_runs_the_readme_test_command():
    test_command = _setup_commands()[1].split("&&")[-1].strip()
    assert test_command in (ROOT / ".ci" / "run").read_text()


def test_rule_reference_is_in_sync_with_the_registry():
    section = README.split("<!-- rules:start -->\n", 1)[1].split("<!-- rules:end -->", 1)[0]
    assert section == rules_reference(), "regenerate with: hullguard rules --markdown"
