"""HG001 unused-suppression: a suppression comment that suppresses nothing."""
from hullguard.model import Rule, RuleDocs, Severity

RULE = Rule(
    code="HG001",
    name="unused-suppression",
    severity=Severity.WARNING,
    summary="Suppression comment suppresses nothing",
    docs=RuleDocs(
        what="Reports a `# hullguard: ignore[…]` or `ignore-file[…]` comment naming a rule that "
        "has no finding there, a rule that is not enabled, a code that does not exist, or no "
        "rule at all.",
        why="A stale suppression hides the next real finding on that line: once the original "
        "problem is fixed, a new one of the same rule would go unreported.",
        example="```dockerfile\n# hullguard: ignore[HG101]   # HG001 once the USER below is non-root\nUSER app\n```",
        fix="None automatic: delete the comment or the code in it. "
        "`# hadolint ignore=` comments are never reported (hadolint may still need them).",
        peers="ruff RUF100 (unused-noqa).",
    ),
)
