"""The rule registry: every rule, explicitly listed, one module per rule."""
from hullguard.model import Rule
from hullguard.rules import (
    invalid_file,
    run_as_root,
    unused_suppression,
)

INVALID_FILE = invalid_file.RULE
UNUSED_SUPPRESSION = unused_suppression.RULE

ALL_RULES: list[Rule] = sorted(
    [
        invalid_file.RULE,
        unused_suppression.RULE,
        run_as_root.RULE,
    ],
    key=lambda rule: rule.code,
)
RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in ALL_RULES}
RULES_BY_NAME: dict[str, Rule] = {rule.name: rule for rule in ALL_RULES}


def find_rule(code_or_name: str) -> Rule | None:
    return RULES_BY_CODE.get(code_or_name.upper()) or RULES_BY_NAME.get(code_or_name.lower())
